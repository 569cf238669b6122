package directory

import "context"

// Role is a user's console role: what the user may do once signed in to the
// console. A user without a role cannot sign in to the console; the
// password check API (Service.Authenticate) does not look at roles.
type Role string

// The console roles.
const (
	// RoleAdmin may do everything in its tenant: it holds every scope.
	RoleAdmin Role = "admin"
	// RoleViewer may read users, orgs, clients, tokens and the audit log,
	// and change nothing.
	RoleViewer Role = "viewer"
	// RoleNone is no role: the user cannot sign in to the console.
	RoleNone Role = ""
)

// ParseRole parses a role name; "" and "none" are RoleNone.
func ParseRole(s string) (Role, error) {
	switch s {
	case "admin":
		return RoleAdmin, nil
	case "viewer":
		return RoleViewer, nil
	case "", "none":
		return RoleNone, nil
	}
	return "", Errorf(Invalid, "role", "unknown role %q; the roles are admin, viewer and none", s)
}

// Scopes returns the scopes a session of a user with this role holds, so
// every console action passes the same checks as an API call with them.
func (r Role) Scopes() Scopes {
	switch r {
	case RoleAdmin:
		return append(Scopes(nil), AllScopes...)
	case RoleViewer:
		return Scopes{ScopeUsersRead, ScopeAdminRead}
	}
	return nil
}

// ConsoleRole returns the console role of a user of the principal's tenant
// (RoleNone when it has none).
func (s *Service) ConsoleRole(ctx context.Context, p Principal, userID int64) (Role, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return "", err
	}
	if _, err := s.findUser(ctx, p.TenantID, userID); err != nil {
		return "", err
	}
	return s.store.ConsoleRole(ctx, p.TenantID, userID)
}

// SetConsoleRole gives a user of the principal's tenant a console role, or
// takes it away with RoleNone. It needs users:write and admin, and every
// scope the role carries: a caller cannot make someone more powerful than
// itself. The user's sessions end at once when the role changes, so a
// demoted administrator keeps no admin session.
func (s *Service) SetConsoleRole(ctx context.Context, p Principal, userID int64, role Role) error {
	if err := p.require(ScopeUsersWrite); err != nil {
		return err
	}
	if err := p.require(ScopeAdmin); err != nil {
		return err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return err
	}
	if err := p.canGrant(role.Scopes()); err != nil {
		return err
	}
	if _, err := s.findUser(ctx, p.TenantID, userID); err != nil {
		return err
	}
	old, err := s.store.ConsoleRole(ctx, p.TenantID, userID)
	if err != nil || old == role {
		return err
	}
	if err := s.store.SetConsoleRole(ctx, p.TenantID, userID, role, s.event(p, "user.role", userID, []string{"console_role"})); err != nil {
		return err
	}
	_, err = s.store.DeleteUserSessions(ctx, p.TenantID, userID, 0, s.event(p, "session.revoke", userID, []string{"console_role"}))
	return err
}
