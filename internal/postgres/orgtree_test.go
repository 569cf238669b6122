package postgres

import (
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory/directorytest"
)

// TestOrgTreeMigration pages through the orgs stored before the org tree's
// ancestry existed (migration 00011).
func TestOrgTreeMigration(t *testing.T) {
	old := openAtVersion(t, 10)
	directorytest.CheckOrgTreeMigrated(t, old, func() error { return old.Migrate(t.Context()) })
}

// TestOrgPagePlans checks, on a tree of 3,000 orgs with planner
// statistics, that a page of orgs is one index range of the ancestry in
// the page's order, never the tenant's whole ancestry sorted: below an
// org, the primary key's range; below the tenant, the partial index of
// the tenant's orgs in id order.
func TestOrgPagePlans(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	var tenant, root int64
	err := s.pool.QueryRow(ctx, `INSERT INTO tenants (name, created_at) VALUES ('plan', now()) RETURNING id`).Scan(&tenant)
	if err != nil {
		t.Fatal(err)
	}
	for _, insert := range []string{
		`INSERT INTO orgs (tenant_id, name, created_at, updated_at, version)
			SELECT $1, 'r' || g, now(), now(), 1 FROM generate_series(1, 5) g`,
		`INSERT INTO orgs (tenant_id, name, parent_id, created_at, updated_at, version)
			SELECT $1, 'a' || g, (SELECT min(id) FROM orgs WHERE tenant_id = $1) + g % 5, now(), now(), 1 FROM generate_series(1, 100) g`,
		`INSERT INTO orgs (tenant_id, name, parent_id, created_at, updated_at, version)
			SELECT $1, 'b' || g, (SELECT min(id) FROM orgs WHERE tenant_id = $1) + 5 + g % 100, now(), now(), 1 FROM generate_series(1, 2895) g`,
		`ANALYZE`,
	} {
		args := []any{tenant}
		if insert == `ANALYZE` {
			args = nil
		}
		if _, err := s.pool.Exec(ctx, insert, args...); err != nil {
			t.Fatalf("%s: %v", insert, err)
		}
	}
	if err := s.pool.QueryRow(ctx, `SELECT min(id) FROM orgs WHERE tenant_id = $1`, tenant).Scan(&root); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		query string
		args  []any
		scan  string
	}{
		{orgsOfTenantSQL, []any{tenant, 2, 64, int64(0), 10}, "Index Only Scan using org_tree_tenant_idx on org_tree t"},
		{orgsOfTenantSQL, []any{tenant, 2, 64, int64(2900), 10}, "Index Only Scan using org_tree_tenant_idx on org_tree t"},
		{orgsOfTenantSQL, []any{tenant, 1, 1, int64(0), 10}, "Index Only Scan using org_tree_tenant_idx on org_tree t"},
		{orgsBelowSQL, []any{tenant, root, 0, 64, int64(0), 10}, "Index Only Scan using org_tree_pkey on org_tree t"},
		{orgsBelowSQL, []any{tenant, root, 0, 64, int64(500), 10}, "Index Only Scan using org_tree_pkey on org_tree t"},
	} {
		rows, err := s.pool.Query(ctx, "EXPLAIN (COSTS OFF) "+c.query, c.args...)
		if err != nil {
			t.Fatalf("EXPLAIN: %v", err)
		}
		plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("read the plan: %v", err)
		}
		text := strings.Join(plan, "\n")
		if !strings.Contains(text, c.scan) || strings.Contains(text, "Sort Key: t.") {
			t.Errorf("%v: plan:\n%s\nwant %s and no sort of org_tree", c.args, text, c.scan)
		}
	}
}
