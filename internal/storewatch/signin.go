package storewatch

import (
	"context"
	"time"

	"github.com/userd/userd/internal/directory"
)

// The operations of directory.SignInStore.

func (s *store) UserByLogin(ctx context.Context, tenantID int64, login string) (directory.User, error) {
	return timed(ctx, s, "UserByLogin", func(ctx context.Context) (directory.User, error) { return s.next.UserByLogin(ctx, tenantID, login) })
}

func (s *store) ConsoleRole(ctx context.Context, tenantID, userID int64) (directory.Role, error) {
	return timed(ctx, s, "ConsoleRole", func(ctx context.Context) (directory.Role, error) { return s.next.ConsoleRole(ctx, tenantID, userID) })
}

func (s *store) SetConsoleRole(ctx context.Context, tenantID, userID int64, role directory.Role, ev directory.Event) error {
	return run(ctx, s, "SetConsoleRole", func(ctx context.Context) error { return s.next.SetConsoleRole(ctx, tenantID, userID, role, ev) })
}

func (s *store) CountConsoleRoles(ctx context.Context, tenantID int64, role directory.Role) (int, error) {
	return timed(ctx, s, "CountConsoleRoles", func(ctx context.Context) (int, error) { return s.next.CountConsoleRoles(ctx, tenantID, role) })
}

func (s *store) CreateSession(ctx context.Context, ss directory.Session, keep int, ev directory.Event) (directory.Session, error) {
	return timed(ctx, s, "CreateSession", func(ctx context.Context) (directory.Session, error) { return s.next.CreateSession(ctx, ss, keep, ev) })
}

func (s *store) SessionByHash(ctx context.Context, hash []byte) (directory.HeldSession, error) {
	return timed(ctx, s, "SessionByHash", func(ctx context.Context) (directory.HeldSession, error) { return s.next.SessionByHash(ctx, hash) })
}

func (s *store) TouchSession(ctx context.Context, tenantID, id int64, at time.Time) error {
	return run(ctx, s, "TouchSession", func(ctx context.Context) error { return s.next.TouchSession(ctx, tenantID, id, at) })
}

func (s *store) DeleteSession(ctx context.Context, tenantID, id int64, ev directory.Event) error {
	return run(ctx, s, "DeleteSession", func(ctx context.Context) error { return s.next.DeleteSession(ctx, tenantID, id, ev) })
}

func (s *store) DeleteUserSessions(ctx context.Context, tenantID, userID, exceptID int64, ev directory.Event) (int, error) {
	return timed(ctx, s, "DeleteUserSessions", func(ctx context.Context) (int, error) {
		return s.next.DeleteUserSessions(ctx, tenantID, userID, exceptID, ev)
	})
}

func (s *store) CreateSignInLink(ctx context.Context, l directory.SignInLink, ev directory.Event) error {
	return run(ctx, s, "CreateSignInLink", func(ctx context.Context) error { return s.next.CreateSignInLink(ctx, l, ev) })
}

func (s *store) TakeSignInLink(ctx context.Context, hash []byte, at time.Time) (directory.SignInLink, error) {
	return timed(ctx, s, "TakeSignInLink", func(ctx context.Context) (directory.SignInLink, error) { return s.next.TakeSignInLink(ctx, hash, at) })
}

func (s *store) SignInFailed(ctx context.Context, tenantID, userID int64, at time.Time, window time.Duration, ev directory.Event) (int, error) {
	return timed(ctx, s, "SignInFailed", func(ctx context.Context) (int, error) {
		return s.next.SignInFailed(ctx, tenantID, userID, at, window, ev)
	})
}

func (s *store) ClearSignInFailures(ctx context.Context, tenantID, userID int64, ev directory.Event) error {
	return run(ctx, s, "ClearSignInFailures", func(ctx context.Context) error { return s.next.ClearSignInFailures(ctx, tenantID, userID, ev) })
}
