package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/userd/userd/internal/directory"
)

// CountUsers counts the tenant's users, or the members of f.OrgID, from
// the counts triggers maintain (migration 00007): a few hundred rows for a
// million users, not the users themselves.
func (s *Store) CountUsers(ctx context.Context, tenantID int64, f directory.UserFilter) (int64, error) {
	var n int64
	err := s.rq.QueryRowContext(ctx, `SELECT coalesce(sum(n), 0) FROM user_counts WHERE tenant_id = ? AND org_id = ?`,
		tenantID, f.OrgID).Scan(&n)
	return n, storeError(err)
}

// userBeforeSQL finds the id of the user at a position (from 0) in id order
// among the tenant's users (org_id 0) or an org's members: it adds up the
// counts block by block to the block holding that position, then skips
// only that block's index entries before it. ?1 tenant, ?2 org, ?3
// position. One statement, so one snapshot: the counts and the index
// agree.
const (
	userBlockSQL = `WITH blocks AS (
			SELECT first_id, sum(n) AS n FROM user_counts WHERE tenant_id = ?1 AND org_id = ?2 GROUP BY first_id),
		upto AS (SELECT first_id, n, sum(n) OVER (ORDER BY first_id) AS upto FROM blocks),
		at AS (SELECT first_id, ?3 - (upto - n) AS skip FROM upto WHERE upto > ?3 ORDER BY first_id LIMIT 1)`
	userBeforeSQL = userBlockSQL + `
		SELECT id FROM users WHERE tenant_id = ?1 AND id >= (SELECT first_id FROM at)
		ORDER BY id LIMIT 1 OFFSET coalesce((SELECT skip FROM at), 0)`
	memberBeforeSQL = userBlockSQL + `
		SELECT user_id FROM memberships WHERE tenant_id = ?1 AND org_id = ?2 AND user_id >= (SELECT first_id FROM at)
		ORDER BY user_id LIMIT 1 OFFSET coalesce((SELECT skip FROM at), 0)`
)

// userBefore returns the id of the last user an offset skips: the one at
// position offset-1 in id order among the tenant's users, or orgID's
// members when it is not 0. ok is false when there are no more than
// offset-1 of them.
func (s *Store) userBefore(ctx context.Context, tenantID, orgID int64, offset int) (id int64, ok bool, err error) {
	query := userBeforeSQL
	if orgID != 0 {
		query = memberBeforeSQL
	}
	err = s.rq.QueryRowContext(ctx, query, tenantID, orgID, offset-1).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return id, err == nil, storeError(err)
}
