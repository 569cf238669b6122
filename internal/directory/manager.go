package directory

import (
	"context"
	"slices"
)

// MaxManagerLevels bounds how long a chain of managers may be: a user
// without a manager is level 1, their reports level 2, and so on. Like the
// org tree, the manager tree has no cycles (A manages B manages A), so
// walking a chain always ends, soon.
const MaxManagerLevels = 64

// managerTree is the shape of a tenant's users by manager.
var managerTree = treeShape{
	maxLevels: MaxManagerLevels,
	field:     "manager_id",
	missing:   "user %d does not exist",
	cycle:     "user %d is this user or reports to them, directly or through others; a manager chain cannot have a cycle",
	tooDeep:   "a manager chain may be at most %d users long; this would make one longer",
}

// managerCheck returns the check the store runs, inside the write, that
// u's manager exists without making a cycle or a chain too long; nil when
// the write sets no manager.
func (u *User) managerCheck(fields []string) TreeCheck {
	if u.ManagerID == 0 || !slices.Contains(fields, "manager_id") {
		return nil
	}
	return managerTree.place(u.ID, u.ManagerID)
}

// managerChecks is managerCheck for a batch of new users; its error names
// the index of the first user at fault. It is nil when no user has a
// manager.
func managerChecks(users []User) TreeCheck {
	if !slices.ContainsFunc(users, func(u User) bool { return u.ManagerID != 0 }) {
		return nil
	}
	return func(ctx context.Context, t Tree) error {
		checked := map[int64]bool{0: true}
		for i, u := range users {
			if checked[u.ManagerID] {
				continue
			}
			checked[u.ManagerID] = true
			if err := managerTree.place(0, u.ManagerID)(ctx, t); err != nil {
				return &BatchError{Index: i, Err: err}
			}
		}
		return nil
	}
}
