package sqlite

import (
	"context"
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// sessionByHashSQL reads a session, the columns of its user that
// directory.SessionUser keeps and the user's console role, in the order
// scanHeldSession takes them: one read per console request, where the
// session, the whole user and the role took three.
const sessionByHashSQL = `SELECT s.id, s.tenant_id, s.user_id, s.hash, s.created_at, s.last_seen_at, s.expires_at, s.client_ip,
	u.username, u.active, u.locked, u.must_change_password, u.password_changed_at, r.role
	FROM sessions s
	JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
	LEFT JOIN console_roles r ON r.tenant_id = s.tenant_id AND r.user_id = s.user_id
	WHERE s.hash = ?`

// heldSessionColumnCount is the number of columns sessionByHashSQL selects.
const heldSessionColumnCount = 14

// SessionByHash returns the session whose secret hashes to hash, with its
// user's SessionUser fields and console role.
func (s *Store) SessionByHash(ctx context.Context, hash []byte) (directory.HeldSession, error) {
	return readRow(ctx, s, "session", heldSessionColumnCount, scanHeldSession, sessionByHashSQL, hash)
}

// scanHeldSession converts a row of sessionByHashSQL.
func scanHeldSession(c columns) (directory.HeldSession, error) {
	ss := directory.Session{
		ID: c.int(0), TenantID: c.int(1), UserID: c.int(2), CreatedAt: c.time(4), LastSeenAt: c.time(5),
		ExpiresAt: c.time(6), ClientIP: c.text(7),
	}
	// The driver returns a BLOB as bytes that the next row overwrites.
	if b, ok := c.v[3].([]byte); ok {
		ss.Hash = append([]byte(nil), b...)
	} else {
		c.check(3)
	}
	held := directory.HeldSession{
		Session: ss,
		User: directory.User{
			ID: ss.UserID, TenantID: ss.TenantID, Username: c.text(8), Active: c.int(9) != 0, Locked: c.int(10) != 0,
			MustChangePassword: c.int(11) != 0, PasswordChangedAt: c.time(12),
		},
		Role: directory.Role(c.text(13)),
	}
	if err := c.err; err != nil {
		return held, fmt.Errorf("sqlite: session %d: %w", ss.ID, err)
	}
	return held, nil
}
