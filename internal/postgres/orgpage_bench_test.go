package postgres

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory/directorytest"
)

// BenchmarkOrgPages measures ListOrganizations' pages on a tenant of
// 20,000 orgs in a fresh schema; it is skipped unless
// USERD_TEST_POSTGRES_URL is set. The orgs are inserted a level per
// statement: one at a time they take minutes on a shared machine.
func BenchmarkOrgPages(b *testing.B) {
	s := openFresh(b)
	directorytest.BenchOrgPages(b, s, func(ctx context.Context, tenantID int64, names []string, parents []int64) ([]int64, error) {
		rows, err := s.pool.Query(ctx, `INSERT INTO orgs (tenant_id, name, parent_id, created_at, updated_at, version)
			SELECT $1, n, NULLIF(p, 0), now(), now(), 1 FROM unnest($2::text[], $3::bigint[]) AS u (n, p) RETURNING id`,
			tenantID, names, parents)
		if err != nil {
			return nil, err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return nil, err
		}
		// As autovacuum would after a burst of writes: the counts' upserts
		// leave dead rows that the first reads would otherwise wade through.
		_, err = s.pool.Exec(ctx, `VACUUM ANALYZE`)
		return ids, err
	})
}
