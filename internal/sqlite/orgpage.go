package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/userd/userd/internal/directory"
)

// CountOrgs counts the orgs of span s from the counts triggers keep with
// the tree (migration 00009): a row per level and block of 1024 org ids,
// not the orgs themselves.
func (s *Store) CountOrgs(ctx context.Context, tenantID int64, sp directory.OrgSpan) (int64, error) {
	var n int64
	err := s.rq.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM org_counts
		WHERE tenant_id = ? AND ancestor_id = ? AND depth BETWEEN ? AND ?`, tenantID, sp.Top, sp.From, sp.To).Scan(&n)
	return n, storeError(err)
}

// The page queries add the counts up in the span's order to the block
// holding the offset, then skip only that block's index entries before it.
// One statement each, so one snapshot: the counts and the tree agree.
const (
	// orgsBelowSQL pages the orgs below an org level by level: ?1 tenant,
	// ?2 top, ?3 and ?4 the levels, ?5 offset, ?6 limit. The page starts
	// in the block's level and may run on into the levels below; the two
	// are separate index ranges merged in order, as SQLite seeks a row
	// value (depth, org_id) by its depth alone and would skip the level's
	// rows before the block.
	orgsBelowSQL = `WITH upto AS (
			SELECT depth, first_id, n, sum(n) OVER (ORDER BY depth, first_id) AS upto FROM org_counts
			WHERE tenant_id = ?1 AND ancestor_id = ?2 AND depth BETWEEN ?3 AND ?4),
		at AS (SELECT depth, first_id, ?5 - (upto - n) AS skip FROM upto WHERE upto > ?5 ORDER BY depth, first_id LIMIT 1),
		page AS (
			SELECT depth, org_id FROM org_tree
			WHERE tenant_id = ?1 AND ancestor_id = ?2 AND depth = (SELECT depth FROM at) AND org_id >= (SELECT first_id FROM at)
			UNION ALL
			SELECT depth, org_id FROM org_tree
			WHERE tenant_id = ?1 AND ancestor_id = ?2 AND depth > (SELECT depth FROM at) AND depth <= ?4
			ORDER BY depth, org_id LIMIT ?6 OFFSET coalesce((SELECT skip FROM at), 0))
		SELECT ` + orgColumns + ` FROM page JOIN orgs ON orgs.tenant_id = ?1 AND orgs.id = page.org_id
		ORDER BY page.depth, page.org_id`
	// orgsOfTenantSQL pages the tenant's orgs between two levels by id:
	// ?1 tenant, ?2 and ?3 the levels, ?4 offset, ?5 limit.
	orgsOfTenantSQL = `WITH blocks AS (
			SELECT first_id, sum(n) AS n FROM org_counts
			WHERE tenant_id = ?1 AND ancestor_id = 0 AND depth BETWEEN ?2 AND ?3 GROUP BY first_id),
		upto AS (SELECT first_id, n, sum(n) OVER (ORDER BY first_id) AS upto FROM blocks),
		at AS (SELECT first_id, ?4 - (upto - n) AS skip FROM upto WHERE upto > ?4 ORDER BY first_id LIMIT 1),
		page AS (SELECT org_id FROM org_tree INDEXED BY org_tree_tenant
			WHERE tenant_id = ?1 AND ancestor_id = 0 AND org_id >= (SELECT first_id FROM at) AND depth BETWEEN ?2 AND ?3
			ORDER BY org_id LIMIT ?5 OFFSET coalesce((SELECT skip FROM at), 0))
		SELECT ` + orgColumns + ` FROM page JOIN orgs ON orgs.tenant_id = ?1 AND orgs.id = page.org_id
		ORDER BY page.org_id`
)

// OrgsInSpan returns up to limit orgs of span s from position offset.
func (s *Store) OrgsInSpan(ctx context.Context, tenantID int64, sp directory.OrgSpan, offset, limit int) ([]directory.Org, error) {
	if sp.Top == 0 {
		return queryAll(ctx, s.rq, scanOrg, orgsOfTenantSQL, tenantID, sp.From, sp.To, offset, limit)
	}
	return queryAll(ctx, s.rq, scanOrg, orgsBelowSQL, tenantID, sp.Top, sp.From, sp.To, offset, limit)
}

// OrgByCode returns the tenant's org with code, from the unique index on
// codes.
func (s *Store) OrgByCode(ctx context.Context, tenantID int64, code string) (directory.Org, error) {
	o, err := scanOrg(s.rq.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE tenant_id = ? AND code = ?`, tenantID, code))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Org{}, notFound("org")
	}
	return o, storeError(err)
}
