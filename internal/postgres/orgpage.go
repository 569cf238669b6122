package postgres

import (
	"context"

	"github.com/userd/userd/internal/directory"
)

// CountOrgs counts the orgs of span sp from the counts triggers keep with
// the tree (migration 00011): a row per level and block of 1024 org ids,
// not the orgs themselves.
func (s *Store) CountOrgs(ctx context.Context, tenantID int64, sp directory.OrgSpan) (int64, error) {
	counts, err := query(ctx, s, "count orgs", scanInt64,
		`SELECT coalesce(sum(n), 0)::bigint FROM org_counts WHERE tenant_id = $1 AND ancestor_id = $2 AND depth BETWEEN $3 AND $4`,
		tenantID, sp.Top, sp.From, sp.To)
	if err != nil || len(counts) == 0 {
		return 0, err
	}
	return counts[0], nil
}

// The page queries add the counts up in the span's order to the block
// holding the offset (at), then skip only that block's index entries (an
// index-only scan) before it. They also find the block holding the page's
// last org (til) and read no further, so whichever plan the planner picks,
// it reads the page's blocks and no more of the tree. One statement each,
// so one snapshot: the counts and the tree agree.
const (
	// orgsBelowSQL pages the orgs below an org level by level: $1 tenant,
	// $2 top, $3 and $4 the levels, $5 offset, $6 limit.
	orgsBelowSQL = `WITH upto AS (
			SELECT depth, first_id, n, (sum(n) OVER (ORDER BY depth, first_id))::bigint AS upto FROM org_counts
			WHERE tenant_id = $1 AND ancestor_id = $2 AND depth BETWEEN $3 AND $4),
		at AS (SELECT depth, first_id, $5::bigint - (upto - n) AS skip FROM upto WHERE upto > $5::bigint ORDER BY depth, first_id LIMIT 1),
		til AS (SELECT depth, end_id FROM (
				SELECT 0 AS last, depth, first_id + 1024 AS end_id FROM upto WHERE upto >= $5::bigint + $6
				UNION ALL SELECT 1, $4 + 1, 0) AS ends
			ORDER BY last, depth, end_id LIMIT 1),
		page AS (SELECT t.depth, t.org_id FROM org_tree t
			WHERE t.tenant_id = $1 AND t.ancestor_id = $2
			AND (t.depth, t.org_id) >= ((SELECT depth FROM at), (SELECT first_id FROM at))
			AND (t.depth, t.org_id) < ((SELECT depth FROM til), (SELECT end_id FROM til))
			ORDER BY t.depth, t.org_id LIMIT $6 OFFSET coalesce((SELECT skip FROM at), 0))
		SELECT o.id, o.tenant_id, o.name, COALESCE(o.code, ''), COALESCE(o.parent_id, 0), o.created_at, o.updated_at, o.version
		FROM page JOIN orgs o ON o.tenant_id = $1 AND o.id = page.org_id
		ORDER BY page.depth, page.org_id`
	// orgsOfTenantSQL pages the tenant's orgs between two levels by id:
	// $1 tenant, $2 and $3 the levels, $4 offset, $5 limit. The levels are
	// compared as an expression (depth + 0) so that the planner cannot
	// pick the primary key's (ancestor, depth) range, which holds the
	// tenant's every org out of id order, over the partial index in it.
	orgsOfTenantSQL = `WITH blocks AS (
			SELECT first_id, sum(n)::bigint AS n FROM org_counts
			WHERE tenant_id = $1 AND ancestor_id = 0 AND depth BETWEEN $2 AND $3 GROUP BY first_id),
		upto AS (SELECT first_id, n, (sum(n) OVER (ORDER BY first_id))::bigint AS upto FROM blocks),
		at AS (SELECT first_id, $4::bigint - (upto - n) AS skip FROM upto WHERE upto > $4::bigint ORDER BY first_id LIMIT 1),
		til AS (SELECT first_id + 1024 AS end_id FROM upto WHERE upto >= $4::bigint + $5 ORDER BY first_id LIMIT 1),
		page AS (SELECT t.org_id FROM org_tree t
			WHERE t.tenant_id = $1 AND t.ancestor_id = 0 AND t.depth + 0 BETWEEN $2 AND $3
			AND t.org_id >= (SELECT first_id FROM at) AND t.org_id < coalesce((SELECT end_id FROM til), 9007199254740992)
			ORDER BY t.org_id LIMIT $5 OFFSET coalesce((SELECT skip FROM at), 0))
		SELECT o.id, o.tenant_id, o.name, COALESCE(o.code, ''), COALESCE(o.parent_id, 0), o.created_at, o.updated_at, o.version
		FROM page JOIN orgs o ON o.tenant_id = $1 AND o.id = page.org_id
		ORDER BY page.org_id`
)

// OrgsInSpan returns up to limit orgs of span sp from position offset.
func (s *Store) OrgsInSpan(ctx context.Context, tenantID int64, sp directory.OrgSpan, offset, limit int) ([]directory.Org, error) {
	if sp.Top == 0 {
		return query(ctx, s, "list orgs", scanOrg, orgsOfTenantSQL, tenantID, sp.From, sp.To, int64(offset), limit)
	}
	return query(ctx, s, "list orgs", scanOrg, orgsBelowSQL, tenantID, sp.Top, sp.From, sp.To, int64(offset), limit)
}

// OrgByCode returns the tenant's org with code, from the unique index on
// codes.
func (s *Store) OrgByCode(ctx context.Context, tenantID int64, code string) (directory.Org, error) {
	var o directory.Org
	err := s.read(ctx, func(q querier) (err error) {
		o, err = scanOrg(q.QueryRow(ctx, orgSelect+`WHERE tenant_id = $1 AND code = $2`, tenantID, code))
		return err
	})
	return o, storeError("read org", err)
}
