package directory_test

import (
	"fmt"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestQueryUsersKeptCounts checks that a page of every user, or of an
// org's members, counts them all exactly from the kept counts: past
// MaxQueryCount, where a counted query stops, and within its tenant.
func TestQueryUsersKeptCounts(t *testing.T) {
	f := newFixture(t)
	n := directory.MaxQueryCount + 5
	patches := make([]directory.UserPatch, n)
	for i := range patches {
		patches[i].Username = ptrTo(fmt.Sprintf("k%05d", i))
	}
	users, err := f.svc.ImportUsers(f.ctx, f.a, patches)
	if err != nil {
		t.Fatal(err)
	}
	org, err := f.svc.CreateOrg(f.ctx, f.a, directory.OrgPatch{Name: ptrTo("kept")})
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users[:3] {
		if _, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, directory.UserPatch{Orgs: &[]directory.Membership{{OrgID: org.ID, Primary: true}}}); err != nil {
			t.Fatal(err)
		}
	}
	members := &directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldOrg, Value: org.ID}
	tests := []struct {
		name  string
		p     directory.Principal
		pg    directory.UserQueryPage
		total int
	}{
		{"every user", f.a, directory.UserQueryPage{Limit: 10, Count: true}, n},
		{"every user, deep page", f.a, directory.UserQueryPage{Offset: 50, Limit: 10, Count: true}, n},
		{"every user, count only", f.a, directory.UserQueryPage{Count: true}, n},
		{"an org's members", f.a, directory.UserQueryPage{Query: members, Limit: 1, Count: true}, 3},
		{"another tenant", f.b, directory.UserQueryPage{Limit: 10, Count: true}, 0},
		{"another tenant's org", f.b, directory.UserQueryPage{Query: members, Limit: 10, Count: true}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := f.svc.QueryUsers(f.ctx, tt.p, tt.pg)
			if err != nil || res.Total != tt.total || res.Capped {
				t.Fatalf("got total %d capped %v (%v), want %d exactly", res.Total, res.Capped, err, tt.total)
			}
		})
	}
}
