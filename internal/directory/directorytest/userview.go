package directorytest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// testUserViews checks that every read taking a directory.UserView (User,
// ListUsers in each of its orders and by offset, UserByUsername,
// QueryUsers by a unique key and by a page) returns for each view exactly
// the fields UserView.Of keeps of the whole user: of a user with every
// field set (two memberships out of id order, a manager, other emails
// and phones, an extension), of an active user without email or phone,
// and of a plain one.
func testUserViews(t *testing.T, f *fixture) {
	mgr := f.createUser(t, user(f.a, "grace"))
	o1 := f.createOrg(t, f.a, "Engineering", "eng", 0)
	o2 := f.createOrg(t, f.a, "Research", "", 0)
	full := fullUser(f.a, "Ada.Lovelace", mgr.ID, []directory.Membership{{OrgID: o2.ID}, {OrgID: o1.ID, Primary: true}})
	full.CreatedAt = at(2).Add(123456 * time.Microsecond)
	full = f.createUser(t, full)
	bare := user(f.a, "bare")
	bare.Email, bare.Phone = "", ""
	bare.Orgs = []directory.Membership{{OrgID: o1.ID}}
	bare = f.createUser(t, bare)
	foreign := f.createUser(t, user(f.b, "foreign"))
	users := []directory.User{mgr, full, bare}
	whole := map[int64]directory.User{}
	for _, u := range users {
		whole[u.ID] = f.readUser(t, f.a, u.ID)
	}

	// check holds got, read with view, to the whole users wantIDs names.
	check := func(t *testing.T, what string, view directory.UserView, got []directory.User, err error, wantIDs ...int64) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if len(got) != len(wantIDs) {
			t.Fatalf("%s: got %d users, want %d", what, len(got), len(wantIDs))
		}
		for i, u := range got {
			if u.ID != wantIDs[i] {
				t.Fatalf("%s: user %d is %d, want %d", what, i, u.ID, wantIDs[i])
			}
			checkEqual(t, what, u, view.Of(whole[u.ID]))
		}
	}
	for _, view := range []directory.UserView{directory.WholeUser, directory.AccountView, directory.ResourceView, directory.WithoutOrgsView} {
		t.Run(fmt.Sprintf("view %d", view), func(t *testing.T) {
			byID := func(ctx context.Context, tenantID, id int64) (directory.User, error) {
				return f.s.User(ctx, tenantID, id, view)
			}
			for _, u := range users {
				one, err := byID(f.ctx, f.a, u.ID)
				check(t, "User", view, []directory.User{one}, err, u.ID)
			}
			checkNoUserRead(t, f, "User", byID, foreign.ID, full.ID+1000)

			got, err := f.s.ListUsers(f.ctx, f.a, directory.UserFilter{Limit: 10, View: view})
			check(t, "ListUsers by id", view, got, err, mgr.ID, full.ID, bare.ID)
			got, err = f.s.ListUsers(f.ctx, f.a, directory.UserFilter{Email: "ada", Limit: 10, View: view})
			check(t, "ListUsers by email", view, got, err, full.ID)
			got, err = f.s.ListUsers(f.ctx, f.a, directory.UserFilter{OrgID: o1.ID, Limit: 10, View: view})
			check(t, "ListUsers of an org", view, got, err, full.ID, bare.ID)
			got, err = f.s.ListUsers(f.ctx, f.a, directory.UserFilter{OrgID: o1.ID, Username: "b", Limit: 10, View: view})
			check(t, "ListUsers of an org by username", view, got, err, bare.ID)
			got, err = f.s.ListUsers(f.ctx, f.a, directory.UserFilter{Offset: 1, Limit: 10, View: view})
			check(t, "ListUsers by offset", view, got, err, full.ID, bare.ID)

			for _, u := range users {
				one, err := f.s.UserByUsername(f.ctx, f.a, u.Username, view)
				check(t, "UserByUsername", view, []directory.User{one}, err, u.ID)
			}
			if _, err := f.s.UserByUsername(f.ctx, f.a, "foreign", view); directory.KindOf(err) != directory.NotFound {
				t.Errorf("UserByUsername of another tenant's user: got %v, want NotFound", err)
			}

			byName := &directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldUsername, Value: "ada.lovelace"}
			got, err = f.s.QueryUsers(f.ctx, f.a, byName, directory.UserSort{}, 0, 0, 2, view)
			check(t, "QueryUsers by username", view, got, err, full.ID)
			got, err = f.s.QueryUsers(f.ctx, f.a, nil, directory.UserSort{}, 0, 0, 10, view)
			check(t, "QueryUsers", view, got, err, mgr.ID, full.ID, bare.ID)
			// Ties by id, descending too: the last two were created at once.
			byCreation := directory.UserSort{Field: directory.FieldCreatedAt, Descending: true}
			got, err = f.s.QueryUsers(f.ctx, f.a, nil, byCreation, 0, 1, 10, view)
			check(t, "QueryUsers sorted", view, got, err, bare.ID, mgr.ID)
		})
	}
}
