package postgres

import (
	"context"

	"github.com/userd/userd/internal/directory"
)

// userBriefSQL reads the columns of a directory.Brief of one user of a
// tenant: no lateral join of memberships, no profile, no extension.
const userBriefSQL = `SELECT id, tenant_id, COALESCE(email, ''), nick_name, phone, active, origin, client_ip,
	enterprise_id, created_at FROM users WHERE tenant_id = $1 AND id = $2`

// UserBrief returns one user of tenantID as a directory.Brief.
func (s *Store) UserBrief(ctx context.Context, tenantID, id int64) (directory.User, error) {
	var u directory.User
	err := s.read(ctx, func(q querier) error {
		err := q.QueryRow(ctx, userBriefSQL, tenantID, id).Scan(&u.ID, &u.TenantID, &u.Email, &u.NickName, &u.Phone,
			&u.Active, &u.Origin, &u.ClientIP, &u.EnterpriseID, &u.CreatedAt)
		return notFound(err, "user")
	})
	if err != nil {
		return directory.User{}, storeError("read user", err)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}
