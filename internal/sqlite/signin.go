package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

// UserByLogin returns the user of the tenant whose username, or else whose
// email, is login ignoring case.
func (s *Store) UserByLogin(ctx context.Context, tenantID int64, login string) (directory.User, error) {
	key := strings.ToLower(login)
	// Both are unique indexes: at most two rows.
	users, err := s.queryUsers(ctx, 2, directory.WholeUser, bounded, `SELECT `+userColumns+` FROM users WHERE tenant_id = ? AND username_lower = ?
		UNION ALL SELECT `+userColumns+` FROM users WHERE tenant_id = ? AND email_lower = ?`, tenantID, key, tenantID, key)
	if err != nil {
		return directory.User{}, err
	}
	for _, u := range users {
		if strings.ToLower(u.Username) == key {
			return u, nil
		}
	}
	if len(users) == 0 {
		return directory.User{}, notFound("user")
	}
	return users[0], nil
}

// ConsoleRole returns the user's console role, or "".
func (s *Store) ConsoleRole(ctx context.Context, tenantID, userID int64) (directory.Role, error) {
	var role string
	err := s.rq.QueryRowContext(ctx, `SELECT role FROM console_roles WHERE tenant_id = ? AND user_id = ?`, tenantID, userID).Scan(&role)
	if errors.Is(err, sql.ErrNoRows) {
		return directory.RoleNone, nil
	}
	return directory.Role(role), storeError(err)
}

// SetConsoleRole sets or removes the user's console role.
func (s *Store) SetConsoleRole(ctx context.Context, tenantID, userID int64, role directory.Role, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error {
		found, err := exists(ctx, tx, `SELECT 1 FROM users WHERE tenant_id = ? AND id = ?`, tenantID, userID)
		if err != nil {
			return err
		}
		if !found {
			return notFound("user")
		}
		if role == directory.RoleNone {
			_, err = tx.ExecContext(ctx, `DELETE FROM console_roles WHERE tenant_id = ? AND user_id = ?`, tenantID, userID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO console_roles (tenant_id, user_id, role) VALUES (?, ?, ?)
				ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role`, tenantID, userID, string(role))
		}
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// CountConsoleRoles returns how many users of the tenant hold role.
func (s *Store) CountConsoleRoles(ctx context.Context, tenantID int64, role directory.Role) (int, error) {
	var n int
	err := s.rq.QueryRowContext(ctx, `SELECT count(*) FROM console_roles WHERE tenant_id = ? AND role = ?`, tenantID, string(role)).Scan(&n)
	return n, storeError(err)
}

// CreateSession inserts a session, clearing the user's expired and surplus
// ones.
func (s *Store) CreateSession(ctx context.Context, ss directory.Session, keep int, ev directory.Event) (directory.Session, error) {
	err := s.write(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO sessions (tenant_id, user_id, hash, created_at, last_seen_at, expires_at, client_ip)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, ss.TenantID, ss.UserID, ss.Hash, micros(ss.CreatedAt), micros(ss.LastSeenAt),
			micros(ss.ExpiresAt), ss.ClientIP).Scan(&ss.ID)
		if isForeignKeyViolation(err) {
			return notFound("user")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND (expires_at <= ? OR id NOT IN
			(SELECT id FROM sessions WHERE tenant_id = ? AND user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?))`,
			ss.TenantID, ss.UserID, micros(ss.CreatedAt), ss.TenantID, ss.UserID, keep); err != nil {
			return err
		}
		ev.ObjectID = strconv.FormatInt(ss.ID, 10)
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.Session{}, err
	}
	return ss, nil
}

// TouchSession sets the session's last_seen_at.
func (s *Store) TouchSession(ctx context.Context, tenantID, id int64, at time.Time) error {
	return s.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE tenant_id = ? AND id = ?`, micros(at), tenantID, id)
		return err
	})
}

// DeleteSession deletes one session.
func (s *Store) DeleteSession(ctx context.Context, tenantID, id int64, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND id = ?`, tenantID, id); err != nil {
			return err
		}
		if ev.Action == "" {
			return nil
		}
		return insertEvent(ctx, tx, ev)
	})
}

// DeleteUserSessions deletes the user's sessions but exceptID.
func (s *Store) DeleteUserSessions(ctx context.Context, tenantID, userID, exceptID int64, ev directory.Event) (int, error) {
	var n int64
	err := s.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE tenant_id = ? AND user_id = ? AND id != ?`, tenantID, userID, exceptID)
		if err != nil {
			return err
		}
		if n, err = res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	return int(n), err
}

// CreateSignInLink stores a one-time sign-in link.
func (s *Store) CreateSignInLink(ctx context.Context, l directory.SignInLink, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_links WHERE expires_at <= ?`, micros(l.CreatedAt)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO signin_links (hash, tenant_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			l.Hash, l.TenantID, micros(l.CreatedAt), micros(l.ExpiresAt)); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
}

// TakeSignInLink deletes and returns the link whose secret hashes to hash.
func (s *Store) TakeSignInLink(ctx context.Context, hash []byte, at time.Time) (directory.SignInLink, error) {
	var l directory.SignInLink
	err := s.write(ctx, func(tx querier) error {
		var created, expires sql.NullInt64
		err := tx.QueryRowContext(ctx, `DELETE FROM signin_links WHERE hash = ? RETURNING hash, tenant_id, created_at, expires_at`, hash).
			Scan(&l.Hash, &l.TenantID, &created, &expires)
		l.CreatedAt, l.ExpiresAt = fromMicros(created), fromMicros(expires)
		if errors.Is(err, sql.ErrNoRows) {
			err = notFound("sign-in link")
		}
		if _, derr := tx.ExecContext(ctx, `DELETE FROM signin_links WHERE expires_at <= ?`, micros(at)); derr != nil {
			return derr
		}
		return err
	})
	if err != nil {
		return directory.SignInLink{}, err
	}
	return l, nil
}

// SignInFailed counts a failed sign-in and returns the failures in a row.
func (s *Store) SignInFailed(ctx context.Context, tenantID, userID int64, at time.Time, window time.Duration, ev directory.Event) (int, error) {
	var n int
	err := s.write(ctx, func(tx querier) error {
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO signin_failures (tenant_id, user_id, failures, last_failed_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (tenant_id, user_id) DO UPDATE SET
				failures = CASE WHEN last_failed_at > ? THEN failures + 1 ELSE 1 END,
				last_failed_at = excluded.last_failed_at
			RETURNING failures`, tenantID, userID, micros(at), micros(at.Add(-window))).Scan(&n)
	})
	return n, err
}

// ClearSignInFailures forgets the user's failed sign-ins and writes ev,
// when it has an action, in the same transaction.
func (s *Store) ClearSignInFailures(ctx context.Context, tenantID, userID int64, ev directory.Event) error {
	if ev.Action != "" {
		return s.write(ctx, func(tx querier) error {
			if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE tenant_id = ? AND user_id = ?`, tenantID, userID); err != nil {
				return err
			}
			return insertEvent(ctx, tx, ev)
		})
	}
	// Most sign-ins follow no failure: a read on the reader pool spares
	// them a turn at the single writer.
	some, err := exists(ctx, s.rq, `SELECT 1 FROM signin_failures WHERE tenant_id = ? AND user_id = ?`, tenantID, userID)
	if err != nil || !some {
		return storeError(err)
	}
	return s.write(ctx, func(tx querier) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE tenant_id = ? AND user_id = ?`, tenantID, userID)
		return err
	})
}
