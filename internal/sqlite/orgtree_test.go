package sqlite

import (
	"slices"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// TestOrgTreeMigration pages through the orgs stored before the org tree's
// ancestry existed (migration 00009).
func TestOrgTreeMigration(t *testing.T) {
	s := openAtVersion(t, 8)
	directorytest.CheckOrgTreeMigrated(t, s, func() error { return s.Migrate(t.Context()) })
}

// TestOrgPagePlans checks that a page of orgs seeks its block in the
// ancestry by index: below an org, within the block's level by org id (a
// row value would be sought by the level alone, skipping the level's rows
// before the block); below the tenant, by org id in the index of the
// tenant's orgs. Neither scans org_tree.
func TestOrgPagePlans(t *testing.T) {
	s := openTest(t, Options{})
	for _, c := range []struct {
		query string
		args  []any
		seek  string
	}{
		{orgsBelowSQL, []any{1, 2, 0, 64, 100, 10}, "SEARCH org_tree USING PRIMARY KEY (tenant_id=? AND ancestor_id=? AND depth=? AND org_id>?)"},
		{orgsOfTenantSQL, []any{1, 2, 64, 100, 10}, "SEARCH org_tree USING COVERING INDEX org_tree_tenant (tenant_id=? AND org_id>?)"},
	} {
		plan := queryPlan(t, s, c.query, c.args)
		if !slices.Contains(plan, c.seek) {
			t.Errorf("plan %q, want the step %q", plan, c.seek)
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN org_tree") {
				t.Errorf("plan %q scans org_tree (%s)", plan, step)
			}
		}
	}
}
