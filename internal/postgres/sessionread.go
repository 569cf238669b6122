package postgres

import (
	"context"
	"time"

	"github.com/userd/userd/internal/directory"
)

// sessionByHashSQL reads a session, the columns of its user that
// directory.SessionUser keeps and the user's console role: one read per
// console request, where the session, the whole user and the role took
// three round trips.
const sessionByHashSQL = `SELECT s.id, s.tenant_id, s.user_id, s.hash, s.created_at, s.last_seen_at, s.expires_at, s.client_ip,
	u.username, u.active, u.locked, u.must_change_password, u.password_changed_at, COALESCE(r.role, '')
	FROM sessions s
	JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
	LEFT JOIN console_roles r ON r.tenant_id = s.tenant_id AND r.user_id = s.user_id
	WHERE s.hash = $1`

// SessionByHash returns the session whose secret hashes to hash, with its
// user's SessionUser fields and console role. It reads the primary: a
// session is used the moment it is made, before a replica may have it.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (directory.HeldSession, error) {
	var (
		held      directory.HeldSession
		ss        = &held.Session
		u         = &held.User
		role      string
		pwChanged *time.Time
	)
	err := s.pool.QueryRow(ctx, sessionByHashSQL, hash).Scan(&ss.ID, &ss.TenantID, &ss.UserID, &ss.Hash, &ss.CreatedAt,
		&ss.LastSeenAt, &ss.ExpiresAt, &ss.ClientIP, &u.Username, &u.Active, &u.Locked, &u.MustChangePassword, &pwChanged, &role)
	if err != nil {
		return directory.HeldSession{}, storeError("read session", notFound(err, "session"))
	}
	ss.CreatedAt, ss.LastSeenAt, ss.ExpiresAt = ss.CreatedAt.UTC(), ss.LastSeenAt.UTC(), ss.ExpiresAt.UTC()
	u.ID, u.TenantID, u.PasswordChangedAt, held.Role = ss.UserID, ss.TenantID, utc(pwChanged), directory.Role(role)
	return held, nil
}
