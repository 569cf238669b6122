package directorytest

import (
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testUsersByOffset checks the page-number listing: OrgID keeps an org's
// members, Offset skips users in id order, CountUsers counts the same
// selection, and another tenant's users and memberships never count.
func testUsersByOffset(t *testing.T, f *fixture) {
	eng := f.createOrg(t, f.a, "Eng", "eng", 0)
	var ids, members []int64
	for i, name := range []string{"u0", "u1", "u2", "u3", "u4"} {
		u := user(f.a, name)
		if i%2 == 0 {
			u.Orgs = []directory.Membership{{OrgID: eng.ID, Primary: true}}
		}
		u = f.createUser(t, u)
		ids = append(ids, u.ID)
		if i%2 == 0 {
			members = append(members, u.ID)
		}
	}
	otherOrg := f.createOrg(t, f.b, "Eng", "eng", 0)
	other := user(f.b, "u0")
	other.Orgs = []directory.Membership{{OrgID: otherOrg.ID, Primary: true}}
	f.createUser(t, other)

	tests := []struct {
		name   string
		filter directory.UserFilter
		want   []int64
		total  int64
	}{
		{"first page", directory.UserFilter{Limit: 2}, ids[:2], 5},
		{"second page", directory.UserFilter{Limit: 2, Offset: 2}, ids[2:4], 5},
		{"last page", directory.UserFilter{Limit: 2, Offset: 4}, ids[4:], 5},
		{"past the end", directory.UserFilter{Limit: 2, Offset: 6}, nil, 5},
		{"org members", directory.UserFilter{OrgID: eng.ID, Limit: 10}, members, 3},
		{"org members paged", directory.UserFilter{OrgID: eng.ID, Limit: 1, Offset: 1}, members[1:2], 3},
		{"org of another tenant", directory.UserFilter{OrgID: otherOrg.ID, Limit: 10}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.s.ListUsers(f.ctx, f.a, tt.filter)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			var gotIDs []int64
			for _, u := range got {
				gotIDs = append(gotIDs, u.ID)
			}
			if !slices.Equal(gotIDs, tt.want) {
				t.Errorf("ListUsers ids = %v, want %v", gotIDs, tt.want)
			}
			n, err := f.s.CountUsers(f.ctx, f.a, tt.filter)
			if err != nil {
				t.Fatalf("CountUsers: %v", err)
			}
			if n != tt.total {
				t.Errorf("CountUsers = %d, want %d", n, tt.total)
			}
		})
	}
}

// testUsersByPhone checks the exact phone filter: the users with that
// phone, of this tenant only, and none for a prefix or for "".
func testUsersByPhone(t *testing.T, f *fixture) {
	mk := func(tenant int64, name, phone string) directory.User {
		u := user(tenant, name)
		u.Phone = phone
		return f.createUser(t, u)
	}
	a := mk(f.a, "a", "5550100")
	b := mk(f.a, "b", "5550100")
	mk(f.a, "c", "55501")
	mk(f.a, "d", "")
	mk(f.b, "e", "5550100")
	for _, tt := range []struct {
		phone string
		want  []int64
	}{
		{"5550100", []int64{a.ID, b.ID}},
		{"555", nil},
		{"5550199", nil},
	} {
		got, err := f.s.ListUsers(f.ctx, f.a, directory.UserFilter{Phone: tt.phone, Limit: 10})
		if err != nil {
			t.Fatalf("ListUsers(phone %q): %v", tt.phone, err)
		}
		var ids []int64
		for _, u := range got {
			ids = append(ids, u.ID)
		}
		if !slices.Equal(ids, tt.want) {
			t.Errorf("ListUsers(phone %q) = %v, want %v", tt.phone, ids, tt.want)
		}
	}
}
