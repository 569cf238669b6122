package directory

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Rehasher is implemented by a PasswordHasher that can tell an outdated
// hash: NeedsRehash reports whether hash is not in the hasher's current
// form and parameters, so that signing in with the right password (SignIn,
// Authenticate) hashes it again. Signing in also needs the hasher to be a
// PasswordVerifier.
type Rehasher interface {
	NeedsRehash(hash string) bool
}

// Prefixes of the sign-in secrets, so secret scanners find leaked ones.
const (
	SessionSecretPrefix = "udsess_"
	SetupSecretPrefix   = "udsetup_"
)

// Defaults of SignInLimits.
const (
	DefaultSessionIdle        = 30 * time.Minute
	DefaultSessionMaxAge      = 12 * time.Hour
	DefaultMaxAccountFailures = 10
	DefaultMaxAddressFailures = 100
	DefaultSignInWindow       = 15 * time.Minute
	DefaultMaxUserSessions    = 20
	DefaultSetupLinkTTL       = 15 * time.Minute
	// sessionTouchEvery is how stale a session's LastSeenAt may get before a
	// lookup writes it again: a write per click would make every page a
	// database write.
	sessionTouchEvery = time.Minute
)

// SignInLimits bound signing in. A zero field takes its default.
type SignInLimits struct {
	// SessionIdle ends a session nobody used for this long.
	SessionIdle time.Duration
	// SessionMaxAge ends a session this long after sign-in, however active.
	SessionMaxAge time.Duration
	// MaxAccountFailures failed sign-ins in a row, each within Window of
	// the previous one, lock the account (User.Locked) until an
	// administrator unlocks it.
	MaxAccountFailures int
	// MaxAddressFailures failed sign-ins from one address within Window
	// refuse further attempts from it until the oldest leaves the window.
	// Counted in each node's memory.
	MaxAddressFailures int
	// Window is the span failures are counted in.
	Window time.Duration
	// MaxUserSessions is how many sessions one user keeps; signing in once
	// more ends the oldest.
	MaxUserSessions int
	// SetupLinkTTL is how long a first-administrator link lasts.
	SetupLinkTTL time.Duration
}

func (l SignInLimits) withDefaults() SignInLimits {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	def(&l.SessionIdle, DefaultSessionIdle)
	def(&l.SessionMaxAge, DefaultSessionMaxAge)
	def(&l.Window, DefaultSignInWindow)
	def(&l.SetupLinkTTL, DefaultSetupLinkTTL)
	defInt(&l.MaxAccountFailures, DefaultMaxAccountFailures)
	defInt(&l.MaxAddressFailures, DefaultMaxAddressFailures)
	defInt(&l.MaxUserSessions, DefaultMaxUserSessions)
	return l
}

// signIn is the Service's sign-in state.
type signIn struct {
	once      sync.Once
	limits    SignInLimits
	addresses *addressLimiter
	// dummy is a hash of a random password made by the Service's hasher,
	// verified when the login names no user so an unknown user costs what
	// a known one does.
	dummyOnce sync.Once
	dummy     string
	dummyErr  error
}

// SetSignInLimits sets the limits of signing in; call it before serving.
func (s *Service) SetSignInLimits(l SignInLimits) {
	s.signin.limits = l.withDefaults()
	s.signin.addresses = newAddressLimiter(s.signin.limits.MaxAddressFailures, s.signin.limits.Window)
	s.signin.once.Do(func() {})
}

// signInState returns the sign-in state, with the default limits unless
// SetSignInLimits set others.
func (s *Service) signInState() *signIn {
	s.signin.once.Do(func() {
		s.signin.limits = SignInLimits{}.withDefaults()
		s.signin.addresses = newAddressLimiter(s.signin.limits.MaxAddressFailures, s.signin.limits.Window)
	})
	return &s.signin
}

// SessionSecret is the secret a signed-in browser holds (in a cookie). Its
// String and LogValue redact it.
type SessionSecret string

// String returns a redacted placeholder.
func (SessionSecret) String() string { return "[REDACTED]" }

// LogValue redacts the secret in log/slog output.
func (SessionSecret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// Reveal returns the secret's plain text.
func (s SessionSecret) Reveal() string { return string(s) }

// SignedIn is who a session belongs to and what it may do.
type SignedIn struct {
	Session Session
	// User is the session's user: the whole user from SignIn,
	// CompleteSetup and ChangeSessionPassword, and from Session only the
	// fields SessionUser keeps.
	User User
	Role Role
	// Principal acts for the session in every other Service method. It
	// holds the role's scopes, or none while MustChangePassword.
	Principal Principal
	// MustChangePassword means the session may only change the password
	// (Service.ChangePassword) until it does.
	MustChangePassword bool
}

// ErrSignInFailed is the one answer to a failed sign-in or password check,
// whatever the reason (no such user, wrong password, no role, disabled or
// locked account), so the answer reveals nothing; the audit log records
// the reason.
var ErrSignInFailed = Errorf(Unauthenticated, "", "wrong username or password, or the account may not sign in")

// errNoSession answers a session secret that names no live session.
var errNoSession = Errorf(Unauthenticated, "", "not signed in, or the session has ended; sign in again")

// The reasons a sign-in fails, as recorded in the audit event's fields.
const (
	reasonUnknownUser   = "unknown_user"
	reasonWrongPassword = "wrong_password"
	reasonNoRole        = "no_console_role"
	reasonDisabled      = "disabled"
	reasonLocked        = "locked"
	reasonNoPassword    = "no_password"
)

// verifier returns the Service's hasher as a PasswordVerifier.
func (s *Service) verifier() (PasswordVerifier, error) {
	v, ok := s.hasher.(PasswordVerifier)
	if !ok {
		return nil, Errorf(Internal, "", "directory: the password hasher cannot verify passwords")
	}
	return v, nil
}

// attempt is one sign-in or password check, for checkPassword.
type attempt struct {
	tenantID                  int64
	login, password, clientIP string
	// user, when set, is the user whose password is checked, found by
	// the caller: login is not looked up.
	user *User
	// action names the attempt in the audit log ("signin",
	// "user.authenticate"; a failure adds ".failed").
	action string
	// by is who the audit event names; its Actor "" stands for the user
	// once known, else "signin".
	by Principal
	// recordSuccess has checkPassword write the audit event of a right
	// password (action) with the forgetting of the account's failures, in
	// one write. SignIn's success is recorded by its session instead.
	recordSuccess bool
}

// principal returns who the audit event of the attempt names, for user u
// (ID 0 when unknown).
func (a attempt) principal(u User) Principal {
	p := a.by
	p.TenantID, p.ClientIP = a.tenantID, a.clientIP
	if p.Actor == "" {
		p.Actor = "signin"
		if u.ID != 0 {
			p.Actor = userActor(u.ID)
		}
	}
	return p
}

// checkPassword finds the user login names in tenantID and checks password,
// with the failure limits: it returns the user when the password is right
// and the account active and unlocked, ErrSignInFailed (and the reason, for
// the audit log) otherwise. An unknown user costs one verification and one
// write (its audit event) as a known one does: a wrong password's event is
// written here, with the failure count, in one transaction, and so is a
// right one's with the clearing of the count when a.recordSuccess; the
// caller records the other reasons. Right passwords in an old hash form
// are hashed again.
func (s *Service) checkPassword(ctx context.Context, a attempt) (User, string, error) {
	tenantID, login, password, clientIP := a.tenantID, a.login, a.password, a.clientIP
	st := s.signInState()
	v, err := s.verifier()
	if err != nil {
		return User{}, "", err
	}
	now := s.clock()
	if retry := st.addresses.begin(clientIP, now); retry > 0 {
		return User{}, "", Errorf(TooMany, "", "too many failed sign-ins from this address; try again in %s", retry.Round(time.Second))
	}
	failed := true
	defer func() { st.addresses.end(clientIP, failed, s.clock()) }()

	ctx = WithTenant(ctx, tenantID)
	var u User
	if a.user != nil {
		u = *a.user
	} else if tenantID == 0 || CheckText("username", login) != nil || len(login) > MaxEmailLen || len(password) > MaxPasswordLen {
		err = Errorf(NotFound, "", "no such user")
	} else {
		u, err = s.store.UserByLogin(ctx, tenantID, login)
	}
	if err != nil && KindOf(err) != NotFound {
		return User{}, "", err
	}
	if err != nil || u.PasswordHash == "" {
		if _, err := v.VerifyPassword(ctx, password, s.dummyHash(ctx)); err != nil && KindOf(err) == Unavailable {
			return User{}, "", err
		}
		if err != nil {
			return User{}, reasonUnknownUser, ErrSignInFailed
		}
		if u.ID != 0 {
			return u, reasonNoPassword, ErrSignInFailed
		}
		return User{}, reasonUnknownUser, ErrSignInFailed
	}
	// A known user's password longer than any stored one is wrong without
	// hashing it.
	ok := false
	if len(password) <= MaxPasswordLen {
		ok, err = v.VerifyPassword(ctx, password, u.PasswordHash)
	}
	if err != nil {
		if KindOf(err) == Unavailable {
			return User{}, "", err
		}
		return User{}, "", Wrap(Internal, err, "the stored password hash of user "+strconv.FormatInt(u.ID, 10)+" cannot be read")
	}
	if !ok {
		ev := s.event(a.principal(u), a.action+".failed", u.ID, []string{reasonWrongPassword})
		n, err := s.store.SignInFailed(ctx, tenantID, u.ID, now, st.limits.Window, ev)
		if err != nil {
			return User{}, "", err
		}
		if n >= st.limits.MaxAccountFailures && !u.Locked {
			if err := s.lockAfterFailures(ctx, u, clientIP); err != nil {
				return User{}, "", err
			}
		}
		return u, reasonWrongPassword, ErrSignInFailed
	}
	// The password is right: the address is not failing.
	failed = false
	switch {
	case !u.Active:
		return u, reasonDisabled, ErrSignInFailed
	case u.Locked:
		return u, reasonLocked, ErrSignInFailed
	}
	var ev Event
	if a.recordSuccess {
		ev = s.event(a.principal(u), a.action, u.ID, nil)
	}
	if err := s.store.ClearSignInFailures(ctx, tenantID, u.ID, ev); err != nil {
		return User{}, "", err
	}
	if r, ok := s.hasher.(Rehasher); ok && r.NeedsRehash(u.PasswordHash) {
		u = s.upgradeHash(ctx, u, password, clientIP)
	}
	return u, "", nil
}

// dummyHash returns the hash verified for unknown users.
func (s *Service) dummyHash(ctx context.Context) string {
	st := s.signInState()
	st.dummyOnce.Do(func() {
		st.dummy, st.dummyErr = s.hasher.HashPassword(context.WithoutCancel(ctx), string(NewSecret("")))
	})
	if st.dummyErr != nil {
		// A malformed hash still refuses every password; only the timing
		// of unknown users would differ, and the hasher failing is rare.
		return "$argon2id$"
	}
	return st.dummy
}

// lockAfterFailures locks u's account after too many failed sign-ins and
// ends its sessions.
func (s *Service) lockAfterFailures(ctx context.Context, u User, clientIP string) error {
	p := Principal{TenantID: u.TenantID, Actor: "signin", ClientIP: clientIP}
	for range maxUpdateAttempts {
		u.Locked = true
		ev := s.event(p, "user.lock", u.ID, []string{"locked"})
		ev.Changes = []Change{{TenantID: u.TenantID, Type: ObjectUser, ObjectID: u.ID, Op: OpUpdate, Fields: []string{"locked"}, Time: ev.Time}}
		u.UpdatedAt = ev.Time
		_, err := s.store.UpdateUser(handlingMismatch(ctx, true), u, ev)
		s.changed(u.TenantID, err)
		if !errors.Is(err, ErrVersionMismatch) {
			if err != nil {
				return err
			}
			_, err = s.store.DeleteUserSessions(ctx, u.TenantID, u.ID, 0, s.event(p, "session.revoke", u.ID, []string{"locked"}))
			return err
		}
		if u, err = s.store.User(ctx, u.TenantID, u.ID, WholeUser); err != nil || u.Locked {
			return ignoreNotFound(err)
		}
	}
	return errContended
}

func ignoreNotFound(err error) error {
	if KindOf(err) == NotFound {
		return nil
	}
	return err
}

// upgradeHash stores a new argon2id hash of u's (right) password in place
// of an imported or outdated one. It is best effort: when it fails the old
// hash keeps working and the next sign-in tries again.
func (s *Service) upgradeHash(ctx context.Context, u User, password, clientIP string) User {
	// Hashed directly, not through setPassword: an imported password that
	// today's rules would refuse (too short) still gets the stronger hash.
	hash, err := s.hasher.HashPassword(ctx, password)
	if err != nil {
		return u
	}
	p := Principal{TenantID: u.TenantID, Actor: "signin", ClientIP: clientIP}
	ev := s.event(p, "user.password_upgrade", u.ID, []string{"password_hash"})
	// In the change log, the public name: a consumer sees only that the
	// password changed (its version moves).
	ev.Changes = []Change{{TenantID: u.TenantID, Type: ObjectUser, ObjectID: u.ID, Op: OpUpdate, Fields: []string{"password"}, Time: ev.Time}}
	next := u
	next.PasswordHash, next.UpdatedAt = hash, ev.Time
	updated, err := s.store.UpdateUser(handlingMismatch(ctx, true), next, ev)
	s.changed(u.TenantID, err)
	if err != nil {
		return u
	}
	return updated
}

// recordFailure writes the audit event of a failed attempt of user u (ID 0
// when unknown), the reason as its field, unless checkPassword wrote it
// (a wrong password) or there is no tenant to write it in. Recording is
// part of the attempt, so a failure to record fails it.
func (s *Service) recordFailure(ctx context.Context, a attempt, u User, reason string) error {
	if reason == reasonWrongPassword || a.tenantID == 0 {
		return nil
	}
	return s.store.RecordEvent(ctx, s.event(a.principal(u), a.action+".failed", u.ID, []string{reason}))
}

// SignIn checks login (a username or an email) and password in the tenant
// named tenant (a name; "" is DefaultTenant) and, when they are right and the
// user holds a console role, starts a session. It answers ErrSignInFailed
// whatever went wrong, and TooMany once clientIP has failed too often. A
// user whose password must change gets a session that can only change it.
func (s *Service) SignIn(ctx context.Context, tenant, login, password, clientIP string) (SignedIn, SessionSecret, error) {
	a := attempt{tenantID: s.tenantID(ctx, tenant), login: login, password: password, clientIP: clientIP, action: "signin"}
	tenantID := a.tenantID
	u, reason, err := s.checkPassword(ctx, a)
	if reason == "" && err != nil {
		return SignedIn{}, "", err
	}
	var role Role
	if err == nil {
		if role, err = s.store.ConsoleRole(ctx, tenantID, u.ID); err != nil {
			return SignedIn{}, "", err
		}
		if role == RoleNone {
			reason, err = reasonNoRole, ErrSignInFailed
		}
	}
	if err != nil {
		if rerr := s.recordFailure(ctx, a, u, reason); rerr != nil {
			return SignedIn{}, "", rerr
		}
		return SignedIn{}, "", err
	}
	// A success is recorded by the session's creation, in its transaction:
	// one write fewer on the path whose cost should be the hash's alone.
	return s.startSession(ctx, u, role, clientIP, "signin")
}

// tenantID returns the id of the tenant named name ("" is DefaultTenant),
// or 0 when there is none.
func (s *Service) tenantID(ctx context.Context, name string) int64 {
	if name == "" {
		name = DefaultTenant
	}
	if CheckText("tenant", name) != nil {
		return 0
	}
	t, err := s.store.TenantByName(ctx, name)
	if err != nil {
		return 0
	}
	return t.ID
}

func userActor(id int64) string { return "user:" + strconv.FormatInt(id, 10) }

// startSession creates a session for u, recorded as action.
func (s *Service) startSession(ctx context.Context, u User, role Role, clientIP, action string) (SignedIn, SessionSecret, error) {
	st := s.signInState()
	secret := SessionSecret(NewSecret(SessionSecretPrefix).Reveal())
	now := s.clock()
	sess := Session{TenantID: u.TenantID, UserID: u.ID, Hash: HashSecret(secret.Reveal()), CreatedAt: now, LastSeenAt: now,
		ExpiresAt: now.Add(st.limits.SessionMaxAge), ClientIP: clientIP}
	p := Principal{TenantID: u.TenantID, Actor: userActor(u.ID), ClientIP: clientIP}
	sess, err := s.store.CreateSession(ctx, sess, st.limits.MaxUserSessions, s.event(p, action, 0, nil))
	if err != nil {
		return SignedIn{}, "", err
	}
	return signedIn(sess, u, role, clientIP), secret, nil
}

func signedIn(sess Session, u User, role Role, clientIP string) SignedIn {
	in := SignedIn{Session: sess, User: u, Role: role, MustChangePassword: u.MustChangePassword,
		Principal: Principal{TenantID: u.TenantID, Actor: userActor(u.ID), ClientIP: clientIP}}
	if !u.MustChangePassword {
		in.Principal.Scopes = role.Scopes()
	}
	return in
}

// Session returns who the session with secret belongs to, for a request
// from clientIP, and keeps it alive. A session ends (errNoSession, an
// Unauthenticated error) when it has been idle or lived too long, or when
// its user was deleted, disabled or locked, lost its console role, or
// changed password since it began.
func (s *Service) Session(ctx context.Context, secret SessionSecret, clientIP string) (SignedIn, error) {
	st := s.signInState()
	if CheckText("session", secret.Reveal()) != nil || len(secret) > 128 {
		return SignedIn{}, errNoSession
	}
	held, err := s.store.SessionByHash(ctx, HashSecret(secret.Reveal()))
	if KindOf(err) == NotFound {
		return SignedIn{}, errNoSession
	}
	if err != nil {
		return SignedIn{}, err
	}
	sess, u, role := held.Session, held.User, held.Role
	now := s.clock()
	end := func() (SignedIn, error) {
		if err := s.store.DeleteSession(ctx, sess.TenantID, sess.ID, Event{}); err != nil {
			return SignedIn{}, err
		}
		return SignedIn{}, errNoSession
	}
	if !now.Before(sess.ExpiresAt) || !now.Before(sess.LastSeenAt.Add(st.limits.SessionIdle)) {
		return end()
	}
	// A deleted user's sessions are deleted with it (contract case
	// SessionsGoWithUser), so a session found has its user.
	if !u.Active || u.Locked || u.PasswordChangedAt.After(sess.CreatedAt) || role == RoleNone {
		return end()
	}
	if now.Sub(sess.LastSeenAt) >= sessionTouchEvery {
		if err := s.store.TouchSession(ctx, sess.TenantID, sess.ID, now); err != nil {
			return SignedIn{}, err
		}
		sess.LastSeenAt = now
	}
	return signedIn(sess, u, role, clientIP), nil
}

// SignOut ends the session with secret. Signing out of a session that has
// already ended is not an error.
func (s *Service) SignOut(ctx context.Context, secret SessionSecret, clientIP string) error {
	in, err := s.Session(ctx, secret, clientIP)
	if errors.Is(err, errNoSession) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.store.DeleteSession(ctx, in.Session.TenantID, in.Session.ID, s.event(in.Principal, "session.revoke", in.User.ID, []string{"sign_out"}))
}

// SignOutEverywhere ends every session of the user the session with secret
// belongs to, that one included.
func (s *Service) SignOutEverywhere(ctx context.Context, secret SessionSecret, clientIP string) error {
	in, err := s.Session(ctx, secret, clientIP)
	if err != nil {
		return err
	}
	_, err = s.store.DeleteUserSessions(ctx, in.Session.TenantID, in.User.ID, 0, s.event(in.Principal, "session.revoke", in.User.ID, []string{"sign_out_everywhere"}))
	return err
}

// ChangeSessionPassword sets a new password for the user of the session
// with secret, who proves it by giving the current one (counted by the
// sign-in limits and lockout), clears must_change_password, ends every
// session of the user and starts a new one, returned with its secret.
func (s *Service) ChangeSessionPassword(ctx context.Context, secret SessionSecret, current, next, clientIP string) (SignedIn, SessionSecret, error) {
	in, err := s.Session(ctx, secret, clientIP)
	if err != nil {
		return SignedIn{}, "", err
	}
	if err := ValidatePassword(next); err != nil {
		return SignedIn{}, "", err
	}
	a := attempt{tenantID: in.User.TenantID, login: in.User.Username, password: current, clientIP: clientIP, action: "password_change"}
	if _, reason, err := s.checkPassword(ctx, a); err != nil {
		if rerr := s.recordFailure(ctx, a, in.User, reason); reason != "" && rerr != nil {
			return SignedIn{}, "", rerr
		}
		if errors.Is(err, ErrSignInFailed) {
			return SignedIn{}, "", Errorf(Invalid, "current_password", "is not the account's password")
		}
		return SignedIn{}, "", err
	}
	if current == next {
		return SignedIn{}, "", Errorf(Invalid, "password", "must differ from the current password")
	}
	no := false
	p := in.Principal
	p.Scopes = Scopes{ScopeUsersWrite}
	u, err := s.UpdateUser(ctx, p, in.User.ID, 0, UserPatch{Password: &next, MustChangePassword: &no})
	if err != nil {
		return SignedIn{}, "", err
	}
	return s.startSession(ctx, u, in.Role, clientIP, "session.create")
}

// afterUserUpdate ends the sessions of a user whose update took away the
// right to them (disabled, locked, or given a new password), and forgets
// the failed sign-ins of a user being unlocked, so the next failure does
// not lock it again.
func (s *Service) afterUserUpdate(ctx context.Context, p Principal, before, after User, fields []string) error {
	if before.Locked && !after.Locked {
		if err := s.store.ClearSignInFailures(ctx, after.TenantID, after.ID, Event{}); err != nil {
			return err
		}
	}
	why := ""
	switch {
	case before.Active && !after.Active:
		why = "active"
	case !before.Locked && after.Locked:
		why = "locked"
	case slices.Contains(fields, "password"):
		why = "password"
	default:
		return nil
	}
	_, err := s.store.DeleteUserSessions(ctx, after.TenantID, after.ID, 0, s.event(p, "session.revoke", after.ID, []string{why}))
	return err
}

// UserByLogin returns the user of the principal's tenant whose username, or
// else whose email, is login ignoring case.
func (s *Service) UserByLogin(ctx context.Context, p Principal, login string) (User, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return User{}, err
	}
	if CheckText("login", login) != nil || len(login) > MaxEmailLen {
		return User{}, Errorf(NotFound, "", "no such user")
	}
	return s.store.UserByLogin(ctx, p.TenantID, login)
}

// Authenticate checks a password for another system that delegates
// passwords to userd: it returns the user of the principal's tenant whose
// username or email is login when password is right and the account active
// and unlocked, and ErrSignInFailed otherwise, whatever the reason. The
// limits and lockout of SignIn apply, per account and per clientIP (the
// address of the person signing in, when the caller passes it, else the
// caller's). Every attempt is recorded in the audit log. It needs scope
// users:authenticate.
func (s *Service) Authenticate(ctx context.Context, p Principal, login, password, clientIP string) (User, error) {
	if err := p.require(ScopeUsersAuthenticate); err != nil {
		return User{}, err
	}
	if clientIP == "" {
		clientIP = p.ClientIP
	}
	a := attempt{tenantID: p.TenantID, login: login, password: password, clientIP: clientIP, action: "user.authenticate", by: p, recordSuccess: true}
	u, reason, err := s.checkPassword(ctx, a)
	if reason == "" && err != nil {
		return User{}, err
	}
	if err != nil {
		if rerr := s.recordFailure(ctx, a, u, reason); rerr != nil {
			return User{}, rerr
		}
		return User{}, err
	}
	return u, nil
}

// SetupSecret is the secret of a one-time first-administrator link. Its
// String and LogValue redact it.
type SetupSecret string

// String returns a redacted placeholder.
func (SetupSecret) String() string { return "[REDACTED]" }

// LogValue redacts the secret in log/slog output.
func (SetupSecret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// Reveal returns the secret's plain text.
func (s SetupSecret) Reveal() string { return string(s) }

// CreateSetupLink makes a one-time link secret that lets whoever holds it
// create the first console administrator of tenantID (CompleteSetup), and
// returns it with its expiry. It makes none, returning ok false, when the
// tenant already has an administrator. For userd serve's first start.
func (s *Service) CreateSetupLink(ctx context.Context, tenantID int64) (secret SetupSecret, expires time.Time, ok bool, err error) {
	n, err := s.store.CountConsoleRoles(ctx, tenantID, RoleAdmin)
	if err != nil || n > 0 {
		return "", time.Time{}, false, err
	}
	secret = SetupSecret(NewSecret(SetupSecretPrefix).Reveal())
	now := s.clock()
	l := SignInLink{Hash: HashSecret(secret.Reveal()), TenantID: tenantID, CreatedAt: now, ExpiresAt: now.Add(s.signInState().limits.SetupLinkTTL)}
	p := Principal{TenantID: tenantID, Actor: "bootstrap"}
	if err := s.store.CreateSignInLink(ctx, l, s.event(p, "setup_link.create", 0, nil)); err != nil {
		return "", time.Time{}, false, err
	}
	return secret, l.ExpiresAt, true, nil
}

var errBadSetupLink = Errorf(Unauthenticated, "", "this sign-in link is unknown, used or expired; restart userd serve for a new one, or run userd user create --role admin")

// CompleteSetup uses the one-time link secret: it creates the user
// username with password as a console administrator of the link's tenant
// and signs it in. The link works once, before it expires, and only while
// the tenant has no administrator.
func (s *Service) CompleteSetup(ctx context.Context, secret SetupSecret, username, password, clientIP string) (SignedIn, SessionSecret, error) {
	if CheckText("secret", secret.Reveal()) != nil || len(secret) > 128 {
		return SignedIn{}, "", errBadSetupLink
	}
	if err := ValidatePassword(password); err != nil {
		return SignedIn{}, "", err
	}
	// Check the username before the link is used up, so a typo does not
	// cost the operator the link.
	candidate := User{Username: username, Active: true, Origin: OriginAdmin, Extension: map[string]any{}}
	if err := candidate.Validate(); err != nil {
		return SignedIn{}, "", err
	}
	now := s.clock()
	l, err := s.store.TakeSignInLink(ctx, HashSecret(secret.Reveal()), now)
	if KindOf(err) == NotFound {
		return SignedIn{}, "", errBadSetupLink
	}
	if err != nil {
		return SignedIn{}, "", err
	}
	if !now.Before(l.ExpiresAt) {
		return SignedIn{}, "", errBadSetupLink
	}
	if n, err := s.store.CountConsoleRoles(ctx, l.TenantID, RoleAdmin); err != nil || n > 0 {
		if err == nil {
			err = errBadSetupLink
		}
		return SignedIn{}, "", err
	}
	p := System(l.TenantID)
	p.Actor, p.ClientIP = "setup_link", clientIP
	u, err := s.CreateUser(ctx, p, OriginAdmin, UserPatch{Username: &username, Password: &password})
	if err != nil {
		return SignedIn{}, "", err
	}
	if err := s.SetConsoleRole(ctx, p, u.ID, RoleAdmin); err != nil {
		return SignedIn{}, "", err
	}
	return s.startSession(ctx, u, RoleAdmin, clientIP, "session.create")
}
