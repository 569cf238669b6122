package sqlite

import (
	"context"

	"github.com/userd/userd/internal/directory"
)

// UserWithoutOrgs returns one user of the tenant as User does, with Orgs
// nil: the read before an update that leaves the memberships alone. NULL
// stands for the memberships' column, which scanUser reads as none.
func (s *Store) UserWithoutOrgs(ctx context.Context, tenantID, id int64) (directory.User, error) {
	users, err := s.queryUsers(ctx, 1, directory.WholeUser, `SELECT `+userColumnsBeforeOrgs+`, NULL FROM users WHERE tenant_id = ? AND id = ?`, tenantID, id)
	if err != nil {
		return directory.User{}, err
	}
	if len(users) == 0 {
		return directory.User{}, notFound("user")
	}
	return users[0], nil
}
