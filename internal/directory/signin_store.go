package directory

import (
	"context"
	"time"
)

// SignInStore persists what signing in needs: the users' console roles,
// console sessions, one-time sign-in links and the count of an account's
// failed sign-ins. It is part of Store; like the rest of Store it only
// stores, and the Service holds every rule.
type SignInStore interface {
	// UserByLogin returns the user of tenantID whose username, or else whose
	// email, equals login ignoring case; NotFound when there is none.
	UserByLogin(ctx context.Context, tenantID int64, login string) (User, error)

	// ConsoleRole returns the console role of a user of tenantID, or "" when
	// it has none (or does not exist).
	ConsoleRole(ctx context.Context, tenantID, userID int64) (Role, error)
	// SetConsoleRole gives the user role, or takes its role away when role
	// is "", and writes ev. NotFound when the user does not exist. The role
	// goes with the user when it is deleted.
	SetConsoleRole(ctx context.Context, tenantID, userID int64, role Role, ev Event) error
	// CountConsoleRoles returns how many users of tenantID hold role.
	CountConsoleRoles(ctx context.Context, tenantID int64, role Role) (int, error)

	// CreateSession inserts s and returns it with ID set. In the same
	// transaction it deletes the user's sessions that expire by
	// s.CreatedAt and, beyond the newest keep (s included), the oldest
	// ones; it writes ev with ObjectID set to the new session's id.
	CreateSession(ctx context.Context, s Session, keep int, ev Event) (Session, error)
	// SessionByHash returns the session whose secret hashes to hash, of
	// any tenant, with its user as SessionUser keeps it and the user's
	// console role, in one read; NotFound when there is none.
	SessionByHash(ctx context.Context, hash []byte) (HeldSession, error)
	// TouchSession sets the session's LastSeenAt to at. A session that is
	// gone is not an error.
	TouchSession(ctx context.Context, tenantID, id int64, at time.Time) error
	// DeleteSession deletes one session; it writes ev unless ev.Action is
	// "" (an expired session cleared away). A session that is gone is not an
	// error.
	DeleteSession(ctx context.Context, tenantID, id int64, ev Event) error
	// DeleteUserSessions deletes every session of the user but exceptID
	// (0: all) and returns how many it deleted; it writes ev when it
	// deleted any.
	DeleteUserSessions(ctx context.Context, tenantID, userID, exceptID int64, ev Event) (int, error)

	// CreateSignInLink stores a one-time sign-in link and writes ev; in the
	// same transaction it deletes every link expired at l.CreatedAt.
	CreateSignInLink(ctx context.Context, l SignInLink, ev Event) error
	// TakeSignInLink deletes the link whose secret hashes to hash and
	// returns it, so it can be used once; NotFound when there is none. In
	// the same transaction it deletes every link expired at at.
	TakeSignInLink(ctx context.Context, hash []byte, at time.Time) (SignInLink, error)

	// SignInFailed counts a failed sign-in of the user at at, writes ev,
	// and returns the user's failures in a row: the count restarts at 1
	// when the previous failure is older than window.
	SignInFailed(ctx context.Context, tenantID, userID int64, at time.Time, window time.Duration, ev Event) (int, error)
	// ClearSignInFailures forgets the user's failed sign-ins and, unless
	// ev.Action is "", writes ev in the same transaction: a right password
	// is recorded with one write.
	ClearSignInFailures(ctx context.Context, tenantID, userID int64, ev Event) error
}

// Session is a person's console session: the server-side half of a signed
// in browser. Only a hash of its secret is stored, so a copy of the
// database cannot be used to sign in.
type Session struct {
	ID       int64
	TenantID int64
	UserID   int64
	// Hash is SHA-256 of the session's secret.
	Hash       []byte
	CreatedAt  time.Time
	LastSeenAt time.Time
	// ExpiresAt is the absolute end of the session, however active it is.
	ExpiresAt time.Time
	// ClientIP is the address the session was signed in from.
	ClientIP string
}

// SignInLink is a one-time link that lets whoever holds it set the first
// administrator's password (Service.CreateSetupLink).
type SignInLink struct {
	// Hash is SHA-256 of the link's secret.
	Hash      []byte
	TenantID  int64
	CreatedAt time.Time
	ExpiresAt time.Time
}
