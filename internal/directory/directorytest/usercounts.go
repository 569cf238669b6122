package directorytest

import (
	"fmt"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testUserByUsername checks the exact lookup: the username ignoring case,
// never a prefix or a longer name, never another tenant's user.
func testUserByUsername(t *testing.T, f *fixture) {
	ann := f.createUser(t, user(f.a, "Ann.Lee"))
	f.createUser(t, user(f.a, "ann.lee2"))
	f.createUser(t, user(f.b, "bob"))
	for _, name := range []string{"Ann.Lee", "ann.lee", "ANN.LEE"} {
		got, err := f.s.UserByUsername(f.ctx, f.a, name, directory.WholeUser)
		if err != nil {
			t.Fatalf("UserByUsername(%q): %v", name, err)
		}
		if got.ID != ann.ID || got.Username != "Ann.Lee" {
			t.Errorf("UserByUsername(%q) = user %d %q, want %d %q", name, got.ID, got.Username, ann.ID, "Ann.Lee")
		}
	}
	for _, name := range []string{"ann", "ann.le", "ann.lee3", "bob", ""} {
		_, err := f.s.UserByUsername(f.ctx, f.a, name, directory.WholeUser)
		checkError(t, fmt.Sprintf("UserByUsername(%q)", name), err, directory.NotFound, "")
	}
}

// checkCounts fails the test unless CountUsers answers, for the tenant and
// each org, the number of users ListUsers finds by walking every page.
func (f *fixture) checkCounts(t *testing.T, tenant int64, orgs ...int64) {
	t.Helper()
	for _, org := range append([]int64{0}, orgs...) {
		want := len(f.allUserIDs(t, tenant, org))
		got, err := f.s.CountUsers(f.ctx, tenant, directory.UserFilter{OrgID: org})
		if err != nil {
			t.Fatalf("CountUsers(tenant %d, org %d): %v", tenant, org, err)
		}
		if got != int64(want) {
			t.Errorf("CountUsers(tenant %d, org %d) = %d, want %d (the users listed)", tenant, org, got, want)
		}
	}
}

// allUserIDs returns the ids of the tenant's users (the members of org when
// it is not 0) in id order, read page by page from their position.
func (f *fixture) allUserIDs(t *testing.T, tenant, org int64) []int64 {
	t.Helper()
	var ids []int64
	for {
		page, err := f.s.ListUsers(f.ctx, tenant, directory.UserFilter{OrgID: org, AfterID: lastID(ids), Limit: directory.MaxPageSize})
		if err != nil {
			t.Fatalf("ListUsers(tenant %d, org %d): %v", tenant, org, err)
		}
		for _, u := range page {
			ids = append(ids, u.ID)
		}
		if len(page) < directory.MaxPageSize {
			return ids
		}
	}
}

// lastID returns the last of ids, or 0.
func lastID(ids []int64) int64 {
	if len(ids) == 0 {
		return 0
	}
	return ids[len(ids)-1]
}

// testUserCounts checks that CountUsers stays exact after every kind of
// write that adds or removes users or memberships: a create with orgs, a
// bulk import, an update of the orgs (and one that leaves them), a failed
// create, a delete, an org's delete, and all of them at once from
// several writers; and that another tenant's writes never count.
func testUserCounts(t *testing.T, f *fixture) {
	eng := f.createOrg(t, f.a, "Eng", "eng", 0)
	ops := f.createOrg(t, f.a, "Ops", "ops", 0)
	spare := f.createOrg(t, f.a, "Spare", "spare", 0)
	f.checkCounts(t, f.a, eng.ID, ops.ID, spare.ID)

	one := user(f.a, "one")
	one.Orgs = []directory.Membership{{OrgID: eng.ID, Primary: true}, {OrgID: ops.ID}}
	one = f.createUser(t, one)
	f.checkCounts(t, f.a, eng.ID, ops.ID)

	var batch []directory.User
	for i := range 30 {
		u := user(f.a, "imp"+strconv.Itoa(i))
		if i%3 == 0 {
			u.Orgs = []directory.Membership{{OrgID: ops.ID, Primary: true}}
		}
		batch = append(batch, u)
	}
	imported, err := f.s.CreateUsers(f.ctx, batch, event(f.a, "user.import", ""))
	if err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID)

	// A failed import (a duplicate username) counts nothing.
	if _, err := f.s.CreateUsers(f.ctx, []directory.User{user(f.a, "fresh"), user(f.a, "imp0")}, event(f.a, "user.import", "")); err == nil {
		t.Fatal("CreateUsers with a taken username: got no error")
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID)

	one.Orgs = []directory.Membership{{OrgID: ops.ID, Primary: true}, {OrgID: spare.ID}}
	ev := event(f.a, "user.update", strconv.FormatInt(one.ID, 10), "orgs")
	if one, err = f.s.UpdateUser(f.ctx, one, ev); err != nil {
		t.Fatalf("UpdateUser(orgs): %v", err)
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID, spare.ID)
	one.Name = "One"
	if one, err = f.s.UpdateUser(f.ctx, one, event(f.a, "user.update", strconv.FormatInt(one.ID, 10), "name")); err != nil {
		t.Fatalf("UpdateUser(name): %v", err)
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID, spare.ID)

	for _, u := range []directory.User{one, imported[0], imported[1]} {
		if err := f.s.DeleteUser(f.ctx, f.a, u.ID, 0, event(f.a, "user.delete", strconv.FormatInt(u.ID, 10))); err != nil {
			t.Fatalf("DeleteUser(%d): %v", u.ID, err)
		}
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID, spare.ID)
	if err := f.s.DeleteOrg(f.ctx, f.a, spare.ID, 0, event(f.a, "org.delete", "")); err != nil {
		t.Fatalf("DeleteOrg: %v", err)
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID, spare.ID)

	// Another tenant's writes change only its own counts.
	before := f.allUserIDs(t, f.a, 0)
	other := f.createOrg(t, f.b, "Eng", "eng", 0)
	bu := user(f.b, "one")
	bu.Orgs = []directory.Membership{{OrgID: other.ID, Primary: true}}
	f.createUser(t, bu)
	f.checkCounts(t, f.b, other.ID)
	if n, err := f.s.CountUsers(f.ctx, f.a, directory.UserFilter{}); err != nil || n != int64(len(before)) {
		t.Errorf("CountUsers(a) after b's create = %d, %v; want %d", n, err, len(before))
	}

	// Writers at once: each creates users in both orgs, moves some between
	// them, imports a few and deletes some of its own.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Go(func() {
			errs <- f.countedWrites(w, eng.ID, ops.ID)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	f.checkCounts(t, f.a, eng.ID, ops.ID)
	f.checkCounts(t, f.b, other.ID)
}

// countedWrites is one writer of testUserCounts.
func (f *fixture) countedWrites(w int, eng, ops int64) error {
	name := func(i int) string { return fmt.Sprintf("w%d-%d", w, i) }
	var mine []directory.User
	for i := range 8 {
		u := user(f.a, name(i))
		u.Orgs = []directory.Membership{{OrgID: []int64{eng, ops}[i%2], Primary: true}}
		created, err := f.s.CreateUser(f.ctx, u, event(f.a, "user.create", ""))
		if err != nil {
			return fmt.Errorf("writer %d: CreateUser: %w", w, err)
		}
		mine = append(mine, created)
	}
	imported, err := f.s.CreateUsers(f.ctx, []directory.User{user(f.a, name(100)), user(f.a, name(101))}, event(f.a, "user.import", ""))
	if err != nil {
		return fmt.Errorf("writer %d: CreateUsers: %w", w, err)
	}
	mine = append(mine, imported...)
	for i, u := range mine[:4] {
		u.Orgs = []directory.Membership{{OrgID: eng, Primary: i%2 == 0}, {OrgID: ops, Primary: i%2 == 1}}
		if _, err := f.s.UpdateUser(f.ctx, u, event(f.a, "user.update", strconv.FormatInt(u.ID, 10), "orgs")); err != nil {
			return fmt.Errorf("writer %d: UpdateUser: %w", w, err)
		}
	}
	for _, u := range slices.Concat(mine[2:3], mine[5:7], mine[9:]) {
		if err := f.s.DeleteUser(f.ctx, f.a, u.ID, 0, event(f.a, "user.delete", strconv.FormatInt(u.ID, 10))); err != nil {
			return fmt.Errorf("writer %d: DeleteUser: %w", w, err)
		}
	}
	return nil
}

// testUsersByOffsetDeep checks Offset where it matters: thousands of users
// whose ids span several thousand-id blocks, with gaps left by deletes,
// read at offsets on both sides of the blocks' edges, for the tenant and
// for an org holding every third user.
func testUsersByOffsetDeep(t *testing.T, f *fixture) {
	org := f.createOrg(t, f.a, "Some", "some", 0)
	const n = 9000
	batch := make([]directory.User, n)
	for i := range batch {
		batch[i] = user(f.a, "deep"+strconv.Itoa(i))
		if i%3 == 0 {
			batch[i].Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
		}
	}
	created, err := f.s.CreateUsers(f.ctx, batch, event(f.a, "user.import", ""))
	if err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	for _, i := range []int{0, 1, 2, 3, 4095, 4096, 4097, 5000, 8190, 8191, 8192, 8999} {
		u := created[i]
		if err := f.s.DeleteUser(f.ctx, f.a, u.ID, 0, event(f.a, "user.delete", strconv.FormatInt(u.ID, 10))); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
	}
	f.createUser(t, user(f.b, "other"))
	for _, orgID := range []int64{0, org.ID} {
		all := f.allUserIDs(t, f.a, orgID)
		var offsets []int
		for _, edge := range []int{0, 1, 1000, 1365, 2730, 4084, 4096, len(all) - 1, len(all)} {
			for _, o := range []int{edge - 2, edge - 1, edge, edge + 1} {
				if o >= 1 && o <= len(all)+1 {
					offsets = append(offsets, o)
				}
			}
		}
		for _, off := range offsets {
			for _, limit := range []int{1, 7, directory.MaxPageSize} {
				got, err := f.s.ListUsers(f.ctx, f.a, directory.UserFilter{OrgID: orgID, Offset: off, Limit: limit})
				if err != nil {
					t.Fatalf("ListUsers(org %d, offset %d): %v", orgID, off, err)
				}
				want := all[min(off, len(all)):min(off+limit, len(all))]
				if gotIDs := idsOf(got); !slices.Equal(gotIDs, want) {
					t.Fatalf("ListUsers(org %d, offset %d, limit %d) = %v, want %v", orgID, off, limit, gotIDs, want)
				}
			}
		}
		f.checkCounts(t, f.a, orgID)
	}
}

// idsOf returns the ids of users, in their order.
func idsOf(users []directory.User) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// CheckCountsMigrated writes, through s (migrated to the version before
// the user counts), a tenant with users in an org, then runs migrate and
// checks that CountUsers counts what was written before: the migration
// counts existing users, not only those written after it.
func CheckCountsMigrated(t *testing.T, s directory.Store, migrate func() error) {
	t.Helper()
	f := &fixture{s: s, ctx: t.Context()}
	tenant := f.createTenant(t, "counted").ID
	org := f.createOrg(t, tenant, "Eng", "eng", 0)
	batch := make([]directory.User, 10)
	for i := range batch {
		batch[i] = user(tenant, "old"+strconv.Itoa(i))
		if i%2 == 0 {
			batch[i].Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
		}
	}
	if _, err := s.CreateUsers(f.ctx, batch, event(tenant, "user.import", "")); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	if err := migrate(); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	for _, c := range []struct{ org, want int64 }{{0, 10}, {org.ID, 5}} {
		if n, err := s.CountUsers(f.ctx, tenant, directory.UserFilter{OrgID: c.org}); err != nil || n != c.want {
			t.Errorf("CountUsers(org %d) after migrating = %d, %v; want %d", c.org, n, err, c.want)
		}
	}
}
