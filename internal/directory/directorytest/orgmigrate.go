package directorytest

import (
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// CheckOrgTreeMigrated writes, through s (migrated to the version before
// the org tree's ancestry), two tenants' org trees with a move and a
// delete, then runs migrate and checks every page of OrgsByPage: the
// migration fills the ancestry and its counts for the orgs that exist,
// not only for those written after it.
func CheckOrgTreeMigrated(t *testing.T, s directory.Store, migrate func() error) {
	t.Helper()
	f := &fixture{s: s, ctx: t.Context()}
	f.a = f.createTenant(t, "treed").ID
	f.b = f.createTenant(t, "other").ID
	foreign := f.createOrg(t, f.b, "Elsewhere", "", 0)
	f.createOrg(t, f.b, "Elsewhere below", "", foreign.ID)
	ids := []int64{0}
	for i := range 20 {
		parent := ids[(i*7)%len(ids)]
		ids = append(ids, f.createOrg(t, f.a, "o"+strconv.Itoa(i), "", parent).ID)
	}
	moved := f.readOrg(t, f.a, ids[3])
	moved.ParentID = ids[7] // a root; org 3 has a subtree below it
	if _, err := s.UpdateOrg(f.ctx, moved, event(f.a, "org.update", strconv.FormatInt(moved.ID, 10), "parent_id")); err != nil {
		t.Fatalf("UpdateOrg: %v", err)
	}
	gone := f.createOrg(t, f.a, "gone", "", ids[1])
	if err := s.DeleteOrg(f.ctx, f.a, gone.ID, 0, event(f.a, "org.delete", strconv.FormatInt(gone.ID, 10))); err != nil {
		t.Fatalf("DeleteOrg: %v", err)
	}
	if err := migrate(); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	f.checkOrgPages(t, directory.NewService(s, nil), foreign.ID, 1, 4, directory.MaxPageSize)
}
