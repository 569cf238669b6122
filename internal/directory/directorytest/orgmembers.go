package directorytest

import (
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func testListUsersByOrg(t *testing.T, f *fixture) {
	eng := f.createOrg(t, f.a, "Engineering", "", 0)
	ops := f.createOrg(t, f.a, "Operations", "", 0)
	var members []int64
	for i, name := range []string{"ann", "ben", "cid", "dee", "eve"} {
		u := user(f.a, name)
		switch i % 3 {
		case 0:
			u.Orgs = []directory.Membership{{OrgID: eng.ID, Primary: true}}
		case 1:
			u.Orgs = []directory.Membership{{OrgID: ops.ID, Primary: true}, {OrgID: eng.ID}}
		}
		created := f.createUser(t, u)
		if i%3 != 2 {
			members = append(members, created.ID)
		}
	}
	other := user(f.b, "ann")
	f.createUser(t, other)
	userID := func(u directory.User) int64 { return u.ID }
	tests := []struct {
		name   string
		filter directory.UserFilter
		want   []int64
	}{
		{"members, primary or not", directory.UserFilter{OrgID: eng.ID}, members},
		{"a page", directory.UserFilter{OrgID: eng.ID, Limit: 2}, members[:2]},
		{"after a member", directory.UserFilter{OrgID: eng.ID, AfterID: members[1]}, members[2:]},
		{"members matching q", directory.UserFilter{OrgID: eng.ID, Query: "DE"}, members[2:3]},
		{"an org without members", directory.UserFilter{OrgID: f.createOrg(t, f.a, "Empty", "", 0).ID}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.filter.Limit == 0 {
				tc.filter.Limit = directory.MaxPageSize
			}
			got, err := f.s.ListUsers(f.ctx, f.a, tc.filter)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if g := ids(got, userID); !slices.Equal(g, tc.want) {
				t.Errorf("ListUsers(%+v): got ids %v, want %v", tc.filter, g, tc.want)
			}
		})
	}
}
