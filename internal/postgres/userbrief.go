package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// userBriefSQL reads the columns of a directory.Brief of one user of a
// tenant: no lateral join of memberships, no profile, no extension.
const userBriefSQL = `SELECT id, tenant_id, COALESCE(email, ''), nick_name, phone, active, origin, client_ip,
	enterprise_id, created_at FROM users WHERE tenant_id = $1 AND id = $2`

// UserBrief returns the directory.Brief of one user of tenantID.
func (s *Store) UserBrief(ctx context.Context, tenantID, id int64) (directory.Brief, error) {
	var u directory.Brief
	err := s.readPoint(ctx, userBriefSQL, []any{tenantID, id}, func(rows pgx.Rows) error {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return notFound(pgx.ErrNoRows, "user")
		}
		return rows.Scan(&u.ID, &u.TenantID, &u.Email, &u.NickName, &u.Phone,
			&u.Active, &u.Origin, &u.ClientIP, &u.EnterpriseID, &u.CreatedAt)
	})
	if err != nil {
		return directory.Brief{}, storeError("read user", err)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	return u, nil
}
