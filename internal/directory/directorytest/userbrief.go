package directorytest

import (
	"context"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// testUserBrief checks Store.UserBrief reads each field of a Brief as User
// reads it, of a user with every field set (memberships, profile, extension,
// a creation time with microseconds, inactive), of an active user without
// email or phone, and of a plain one, and answers NotFound for a user of another tenant and for no user.
func testUserBrief(t *testing.T, f *fixture) {
	mgr := f.createUser(t, user(f.a, "grace"))
	org := f.createOrg(t, f.a, "Engineering", "eng", 0)
	full := fullUser(f.a, "Ada.Lovelace", mgr.ID, []directory.Membership{{OrgID: org.ID, Primary: true}})
	full.CreatedAt = at(2).Add(123456 * time.Microsecond)
	inactive := f.createUser(t, full)
	active := user(f.a, "active")
	active.Active, active.Email, active.Phone = true, "", ""
	active = f.createUser(t, active)
	foreign := f.createUser(t, user(f.b, "foreign"))

	for _, u := range []directory.User{inactive, active, mgr} {
		got, err := f.s.UserBrief(f.ctx, f.a, u.ID)
		if err != nil {
			t.Fatalf("UserBrief(%d): %v", u.ID, err)
		}
		whole := f.readUser(t, f.a, u.ID)
		checkEqual(t, "UserBrief", got, whole.Brief())
	}
	checkNoUserRead(t, f, "UserBrief", f.s.UserBrief, foreign.ID, active.ID+1000)
}

// checkNoUserRead checks that read, a Store method reading one user of
// tenant f.a, answers NotFound for foreign, a user of another tenant, and
// for missing, an id no user has.
func checkNoUserRead[T any](t *testing.T, f *fixture, what string, read func(ctx context.Context, tenantID, id int64) (T, error), foreign, missing int64) {
	t.Helper()
	for _, tc := range []struct {
		name string
		id   int64
	}{{"another tenant's user", foreign}, {"no user", missing}} {
		if _, err := read(f.ctx, f.a, tc.id); directory.KindOf(err) != directory.NotFound {
			t.Errorf("%s of %s: got %v, want NotFound", what, tc.name, err)
		}
	}
}
