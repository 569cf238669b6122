package directorytest

import (
	"reflect"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testListUserSummaries checks that ListUserSummaries selects and orders
// exactly as ListUsers, each user as its Summary: under every kind of
// filter, position and offset, with flags, memberships, profile and
// extension set so a column read too many or too few shows.
func testListUserSummaries(t *testing.T, f *fixture) {
	org := f.createOrg(t, f.a, "Summary", "summary", 0)
	mk := func(username, email, name string, edit func(u *directory.User)) directory.User {
		u := user(f.a, username)
		u.Email, u.Name, u.NickName, u.City = email, name, "nick "+username, "Springfield"
		u.Extension = map[string]any{"role_id": "2"}
		u.GivenName = "Given"
		if edit != nil {
			edit(&u)
		}
		return f.createUser(t, u)
	}
	alice := mk("Alice", "alice@example.com", "Alice Liddell", func(u *directory.User) {
		u.Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
	})
	mk("alfred", "ALFRED@Example.org", "Al", func(u *directory.User) { u.Locked, u.Active = true, false })
	mk("al", "", "Al", func(u *directory.User) {
		u.MustChangePassword = true
		u.Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
	})
	mk("bob", "bob@example.com", "Al", nil)
	mk("alice2", "alice2@example.com", "Alice", func(u *directory.User) { u.TenantID = f.b })

	for _, filter := range []directory.UserFilter{
		{Limit: 10},
		{AfterID: alice.ID, Limit: 2},
		{Offset: 1, Limit: 10},
		{Offset: 99, Limit: 10},
		{Username: "AL", Limit: 10},
		{Username: "al", AfterKey: "alfred", AfterID: 1, Limit: 10},
		{Email: "al", Limit: 10},
		{Name: "al", Limit: 2},
		{Name: "al", AfterKey: "al", AfterID: alice.ID, Limit: 10},
		{Query: "al", Limit: 10},
		{OrgID: org.ID, Limit: 10},
		{OrgID: org.ID, AfterID: alice.ID, Limit: 10},
		{OrgID: org.ID, Name: "al", Limit: 10},
	} {
		want, err := f.s.ListUsers(f.ctx, f.a, filter)
		if err != nil {
			t.Fatalf("ListUsers(%+v): %v", filter, err)
		}
		for i := range want {
			want[i] = directory.Summary(want[i])
		}
		got, err := f.s.ListUserSummaries(f.ctx, f.a, filter)
		if err != nil {
			t.Fatalf("ListUserSummaries(%+v): %v", filter, err)
		}
		if len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
			t.Errorf("ListUserSummaries(%+v):\ngot  %+v\nwant %+v", filter, got, want)
		}
	}
}
