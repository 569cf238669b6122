package postgres

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/userd/userd/internal/directory"
)

// UserByLogin returns the user of tenantID whose username, or else whose
// email, is login ignoring case. Each comparison reads its unique index.
func (s *Store) UserByLogin(ctx context.Context, tenantID int64, login string) (directory.User, error) {
	var sc userScanner
	u, err := sc.queryUser(ctx, s.pool, userSelect+`WHERE u.tenant_id = $1 AND lower(u.username) = lower($2)`, tenantID, login)
	if directory.KindOf(err) == directory.NotFound {
		sc = userScanner{}
		u, err = sc.queryUser(ctx, s.pool, userSelect+`WHERE u.tenant_id = $1 AND lower(u.email) = lower($2)`, tenantID, login)
	}
	return u, storeError("read user by login", err)
}

// ConsoleRole returns the user's console role, or "".
func (s *Store) ConsoleRole(ctx context.Context, tenantID, userID int64) (directory.Role, error) {
	var role string
	err := s.pool.QueryRow(ctx, `SELECT role FROM console_roles WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID).Scan(&role)
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.RoleNone, nil
	}
	return directory.Role(role), storeError("read console role", err)
}

// SetConsoleRole sets or removes the user's console role.
func (s *Store) SetConsoleRole(ctx context.Context, tenantID, userID int64, role directory.Role, ev directory.Event) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var one int
		if err := tx.QueryRow(ctx, `SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2 FOR KEY SHARE`, tenantID, userID).Scan(&one); err != nil {
			return notFound(err, "user")
		}
		var err error
		if role == directory.RoleNone {
			_, err = tx.Exec(ctx, `DELETE FROM console_roles WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
		} else {
			_, err = tx.Exec(ctx, `INSERT INTO console_roles (tenant_id, user_id, role) VALUES ($1, $2, $3)
				ON CONFLICT (tenant_id, user_id) DO UPDATE SET role = excluded.role`, tenantID, userID, string(role))
		}
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	return storeError("set console role", err)
}

// CountConsoleRoles returns how many users of tenantID hold role.
func (s *Store) CountConsoleRoles(ctx context.Context, tenantID int64, role directory.Role) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM console_roles WHERE tenant_id = $1 AND role = $2`, tenantID, string(role)).Scan(&n)
	return n, storeError("count console roles", err)
}

// CreateSession inserts a session, clearing the user's expired and surplus
// ones.
func (s *Store) CreateSession(ctx context.Context, ss directory.Session, keep int, ev directory.Event) (directory.Session, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO sessions (tenant_id, user_id, hash, created_at, last_seen_at, expires_at, client_ip)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, ss.TenantID, ss.UserID, ss.Hash, ss.CreatedAt, ss.LastSeenAt,
			ss.ExpiresAt, ss.ClientIP).Scan(&ss.ID)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code == foreignKeyViolation {
			return directory.Errorf(directory.NotFound, "", "no such user")
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND (expires_at <= $3 OR id NOT IN
			(SELECT id FROM sessions WHERE tenant_id = $1 AND user_id = $2 ORDER BY created_at DESC, id DESC LIMIT $4))`,
			ss.TenantID, ss.UserID, ss.CreatedAt, keep); err != nil {
			return err
		}
		ev.ObjectID = strconv.FormatInt(ss.ID, 10)
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.Session{}, storeError("create session", err)
	}
	return ss, nil
}

// TouchSession sets the session's last_seen_at.
func (s *Store) TouchSession(ctx context.Context, tenantID, id int64, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE sessions SET last_seen_at = $3 WHERE tenant_id = $1 AND id = $2`, tenantID, id, at)
	return storeError("touch session", err)
}

// DeleteSession deletes one session.
func (s *Store) DeleteSession(ctx context.Context, tenantID, id int64, ev directory.Event) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return err
		}
		if ev.Action == "" {
			return nil
		}
		return insertEvent(ctx, tx, ev)
	})
	return storeError("delete session", err)
}

// DeleteUserSessions deletes the user's sessions but exceptID.
func (s *Store) DeleteUserSessions(ctx context.Context, tenantID, userID, exceptID int64, ev directory.Event) (int, error) {
	var n int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM sessions WHERE tenant_id = $1 AND user_id = $2 AND id != $3`, tenantID, userID, exceptID)
		if err != nil {
			return err
		}
		if n = tag.RowsAffected(); n == 0 {
			return nil
		}
		return insertEvent(ctx, tx, ev)
	})
	return int(n), storeError("delete user sessions", err)
}

// CreateSignInLink stores a one-time sign-in link.
func (s *Store) CreateSignInLink(ctx context.Context, l directory.SignInLink, ev directory.Event) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM signin_links WHERE expires_at <= $1`, l.CreatedAt); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO signin_links (hash, tenant_id, created_at, expires_at) VALUES ($1, $2, $3, $4)`,
			l.Hash, l.TenantID, l.CreatedAt, l.ExpiresAt); err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	return storeError("create sign-in link", err)
}

// TakeSignInLink deletes and returns the link whose secret hashes to hash.
func (s *Store) TakeSignInLink(ctx context.Context, hash []byte, at time.Time) (directory.SignInLink, error) {
	var l directory.SignInLink
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `DELETE FROM signin_links WHERE hash = $1 RETURNING hash, tenant_id, created_at, expires_at`, hash).
			Scan(&l.Hash, &l.TenantID, &l.CreatedAt, &l.ExpiresAt)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		if _, derr := tx.Exec(ctx, `DELETE FROM signin_links WHERE expires_at <= $1`, at); derr != nil {
			return derr
		}
		return notFound(err, "sign-in link")
	})
	if err != nil {
		return directory.SignInLink{}, storeError("take sign-in link", err)
	}
	l.CreatedAt, l.ExpiresAt = l.CreatedAt.UTC(), l.ExpiresAt.UTC()
	return l, nil
}

// SignInFailed counts a failed sign-in and returns the failures in a row.
func (s *Store) SignInFailed(ctx context.Context, tenantID, userID int64, at time.Time, window time.Duration, ev directory.Event) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `INSERT INTO signin_failures AS f (tenant_id, user_id, failures, last_failed_at) VALUES ($1, $2, 1, $3)
		ON CONFLICT (tenant_id, user_id) DO UPDATE SET
			failures = CASE WHEN f.last_failed_at > $4 THEN f.failures + 1 ELSE 1 END,
			last_failed_at = excluded.last_failed_at
		RETURNING failures`, tenantID, userID, at, at.Add(-window)).Scan(&n)
	})
	return n, storeError("count failed sign-in", err)
}

// ClearSignInFailures forgets the user's failed sign-ins and writes ev,
// when it has an action, in the same statement: one round trip.
func (s *Store) ClearSignInFailures(ctx context.Context, tenantID, userID int64, ev directory.Event) error {
	var err error
	if ev.Action == "" {
		_, err = s.pool.Exec(ctx, `DELETE FROM signin_failures WHERE tenant_id = $1 AND user_id = $2`, tenantID, userID)
	} else {
		_, err = s.pool.Exec(ctx, clearFailuresWithEventSQL, append([]any{tenantID, userID}, eventArgs(ev)...)...)
	}
	return storeError("clear failed sign-ins", err)
}

// clearFailuresWithEventSQL deletes the failed sign-ins of a tenant ($1)
// and user ($2) and inserts an event (eventArgs, after them) in one
// statement: a data-modifying WITH runs whether or not the INSERT reads it.
var clearFailuresWithEventSQL = `WITH cleared AS (DELETE FROM signin_failures WHERE tenant_id = $1 AND user_id = $2)
` + insertEventInto + `
	VALUES (` + shiftParams(eventValues, 2) + `)`
