package directory

// HeldSession is a session with what deciding whether it goes on needs,
// read together (Store.SessionByHash): every console request checks its
// session, and one read of the few columns the rules look at costs it a
// third of the three reads (session, whole user, role) it took.
type HeldSession struct {
	Session Session
	// User is the session's user as SessionUser keeps it.
	User User
	// Role is the user's console role, RoleNone when it has none.
	Role Role
}

// SessionUser returns u with only the fields Store.SessionByHash reads,
// every other field zero: the id, tenant and username, the active, locked
// and must-change-password flags, and when the password last changed.
// They are what Service.Session's rules look at and what a signed-in page
// shows of who is signed in.
func SessionUser(u User) User {
	return User{
		ID: u.ID, TenantID: u.TenantID, Username: u.Username, Active: u.Active, Locked: u.Locked,
		MustChangePassword: u.MustChangePassword, PasswordChangedAt: u.PasswordChangedAt,
	}
}
