package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// CountUsers counts the tenant's users, or the members of f.OrgID, from
// the counts triggers maintain (migration 00008): the shard rows of a few
// hundred blocks for a million users, not the users themselves.
func (s *Store) CountUsers(ctx context.Context, tenantID int64, f directory.UserFilter) (int64, error) {
	counts, err := query(ctx, s, "count users", scanInt64,
		`SELECT coalesce(sum(n), 0)::bigint FROM user_counts WHERE tenant_id = $1 AND org_id = $2`, tenantID, f.OrgID)
	if err != nil || len(counts) == 0 {
		return 0, err
	}
	return counts[0], nil
}

// userBlockSQL finds the block of user ids holding a position (from 0) in
// id order among the tenant's users (org_id 0) or an org's members, and the
// position within it, by adding up the counts block by block. $1 tenant,
// $2 org, $3 position. userBeforeSQL and memberBeforeSQL then skip only
// that block's index entries (an index-only scan) to the user at the
// position. One statement, so one snapshot: the counts and the index agree.
const (
	userBlockSQL = `WITH blocks AS (
			SELECT first_id, sum(n)::bigint AS n FROM user_counts WHERE tenant_id = $1 AND org_id = $2 GROUP BY first_id),
		upto AS (SELECT first_id, n, (sum(n) OVER (ORDER BY first_id))::bigint AS upto FROM blocks),
		at AS (SELECT first_id, $3::bigint - (upto - n) AS skip FROM upto WHERE upto > $3::bigint ORDER BY first_id LIMIT 1)`
	userBeforeSQL = userBlockSQL + `
		SELECT id FROM users WHERE tenant_id = $1 AND id >= (SELECT first_id FROM at)
		ORDER BY id LIMIT 1 OFFSET coalesce((SELECT skip FROM at), 0)`
	memberBeforeSQL = userBlockSQL + `
		SELECT user_id FROM user_orgs WHERE tenant_id = $1 AND org_id = $2 AND user_id >= (SELECT first_id FROM at)
		ORDER BY user_id LIMIT 1 OFFSET coalesce((SELECT skip FROM at), 0)`
)

// userBefore returns the id of the last user an offset skips: the one at
// position offset-1 in id order among the tenant's users, or orgID's
// members when it is not 0. ok is false when there are no more than
// offset-1 of them.
func (s *Store) userBefore(ctx context.Context, tenantID, orgID int64, offset int) (id int64, ok bool, err error) {
	q := userBeforeSQL
	if orgID != 0 {
		q = memberBeforeSQL
	}
	ids, err := query(ctx, s, "find a page's position", scanInt64, q, tenantID, orgID, int64(offset-1))
	if err != nil || len(ids) == 0 {
		return 0, false, err
	}
	return ids[0], true, nil
}

// scanInt64 reads a row of one bigint.
func scanInt64(row pgx.Row) (int64, error) {
	var n int64
	return n, row.Scan(&n)
}
