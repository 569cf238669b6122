package directory_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/userd/userd/internal/directory"
)

// clock is a settable time for the Service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signInFixture is a fixture with a settable clock and an administrator
// "ada" (password "correct horse") in tenant a.
type signInFixture struct {
	*fixture
	clock *clock
	ada   directory.User
}

const adaPassword = "correct horse"

func newSignInFixture(t *testing.T, limits directory.SignInLimits) *signInFixture {
	t.Helper()
	f := &signInFixture{fixture: newFixture(t), clock: &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}}
	directory.SetClock(f.svc, f.clock.now)
	f.svc.SetSignInLimits(limits)
	f.ada = f.user(t, f.a, directory.UserPatch{Username: ptr("ada"), Email: ptr("ada@example.com"), Password: ptr(adaPassword)})
	if err := f.svc.SetConsoleRole(f.ctx, f.a, f.ada.ID, directory.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *signInFixture) tenantName(t *testing.T) string {
	t.Helper()
	ts, err := f.svc.Tenants(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tn := range ts {
		if tn.ID == f.a.TenantID {
			return tn.Name
		}
	}
	t.Fatal("tenant a not found")
	return ""
}

func (f *signInFixture) signIn(t *testing.T, login, password string) (directory.SignedIn, directory.SessionSecret) {
	t.Helper()
	in, secret, err := f.svc.SignIn(f.ctx, f.tenantName(t), login, password, "192.0.2.1")
	if err != nil {
		t.Fatalf("SignIn(%q): %v", login, err)
	}
	return in, secret
}

// wantSignedOut fails unless the session with secret has ended.
func (f *signInFixture) wantSignedOut(t *testing.T, secret directory.SessionSecret, why string) {
	t.Helper()
	if _, err := f.svc.Session(f.ctx, secret, "192.0.2.1"); directory.KindOf(err) != directory.Unauthenticated {
		t.Errorf("session after %s: got %v, want it ended (unauthenticated)", why, err)
	}
}

func (f *signInFixture) wantSignedIn(t *testing.T, secret directory.SessionSecret) directory.SignedIn {
	t.Helper()
	in, err := f.svc.Session(f.ctx, secret, "192.0.2.1")
	if err != nil {
		t.Fatalf("Session: %v", err)
	}
	return in
}

func TestSignInSession(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	for _, login := range []string{"ada", "ADA", "ada@example.com"} {
		in, secret := f.signIn(t, login, adaPassword)
		if in.User.ID != f.ada.ID || in.Role != directory.RoleAdmin {
			t.Errorf("SignIn(%q): got user %d role %q, want %d admin", login, in.User.ID, in.Role, f.ada.ID)
		}
		if !strings.HasPrefix(secret.Reveal(), directory.SessionSecretPrefix) || secret.String() != "[REDACTED]" {
			t.Errorf("session secret: got prefix of %q and String %q", secret.Reveal()[:8], secret.String())
		}
		if ev := f.lastEvent(t); ev.Action != "signin" || ev.ObjectID != itoa(in.Session.ID) || ev.Actor != "user:"+itoa(f.ada.ID) {
			t.Errorf("audit of a sign-in: got %+v, want signin of session %d", ev, in.Session.ID)
		}
		got := f.wantSignedIn(t, secret)
		if !got.Principal.Scopes.Contains(directory.AllScopes) || got.Principal.Actor != "user:"+itoa(f.ada.ID) {
			t.Errorf("principal of an admin session: got %+v", got.Principal)
		}
		// The principal acts through the same Service rules as the APIs.
		if _, err := f.svc.User(f.ctx, got.Principal, f.ada.ID); err != nil {
			t.Errorf("the session reading a user: %v", err)
		}
		if err := f.svc.SignOut(f.ctx, secret, "192.0.2.1"); err != nil {
			t.Fatalf("SignOut: %v", err)
		}
		f.wantSignedOut(t, secret, "sign out")
		if err := f.svc.SignOut(f.ctx, secret, "192.0.2.1"); err != nil {
			t.Errorf("SignOut of an ended session: %v", err)
		}
	}
	f.wantSignedOut(t, "udsess_made-up", "nothing")
	f.wantSignedOut(t, directory.SessionSecret(strings.Repeat("x", 10000)), "nothing")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestSignInFailsUniformly(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	tenant := f.tenantName(t)
	noRole := f.user(t, f.a, directory.UserPatch{Username: ptr("bob"), Password: ptr("bob's password")})
	disabled := f.user(t, f.a, directory.UserPatch{Username: ptr("carol"), Password: ptr("carol's pw"), Active: ptr(false)})
	noPassword := f.user(t, f.a, directory.UserPatch{Username: ptr("dave")})
	for _, id := range []int64{disabled.ID, noPassword.ID} {
		if err := f.svc.SetConsoleRole(f.ctx, f.a, id, directory.RoleAdmin); err != nil {
			t.Fatal(err)
		}
	}
	before := f.auditCount(t)
	for _, tc := range []struct{ name, tenant, login, password, reason string }{
		{"unknown user", tenant, "nobody", "whatever1", "unknown_user"},
		{"wrong password", tenant, "ada", "wrong password", "wrong_password"},
		{"no role", tenant, "bob", "bob's password", "no_console_role"},
		{"disabled", tenant, "carol", "carol's pw", "disabled"},
		{"no password", tenant, "dave", "anything1", "no_password"},
		{"unknown tenant", "no-such-tenant", "ada", adaPassword, ""},
		{"other tenant", "tenant-b", "ada", adaPassword, ""},
	} {
		_, _, err := f.svc.SignIn(f.ctx, tc.tenant, tc.login, tc.password, "192.0.2.1")
		if !errors.Is(err, directory.ErrSignInFailed) {
			t.Errorf("%s: got %v, want ErrSignInFailed", tc.name, err)
		}
		if tc.reason == "" || tc.tenant != tenant {
			continue
		}
		ev := f.lastEvent(t)
		if ev.Action != "signin.failed" || len(ev.Fields) != 1 || ev.Fields[0] != tc.reason || ev.ClientIP != "192.0.2.1" {
			t.Errorf("%s: audit event %+v, want signin.failed with reason %q", tc.name, ev, tc.reason)
		}
		if strings.Contains(strings.Join(ev.Fields, " "), tc.password) {
			t.Errorf("%s: the audit event holds the password", tc.name)
		}
	}
	if got := f.auditCount(t) - before; got != 5 {
		t.Errorf("audit events of 5 failed sign-ins in the tenant: got %d", got)
	}
	_ = noRole
}

func (f *signInFixture) events(t *testing.T) []directory.Event {
	t.Helper()
	evs, err := directory.Collect(func(after int64) ([]directory.Event, int64, error) {
		return f.svc.AuditEvents(f.ctx, f.a, after, directory.MaxPageSize)
	})
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func (f *signInFixture) auditCount(t *testing.T) int { t.Helper(); return len(f.events(t)) }

func (f *signInFixture) lastEvent(t *testing.T) directory.Event {
	t.Helper()
	evs := f.events(t)
	return evs[len(evs)-1]
}

func TestSignInLockout(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{MaxAccountFailures: 3, MaxAddressFailures: 1000})
	_, secret := f.signIn(t, "ada", adaPassword)
	for i := range 3 {
		_, _, err := f.svc.SignIn(f.ctx, f.tenantName(t), "ada", "wrong password", "192.0.2.1")
		if !errors.Is(err, directory.ErrSignInFailed) {
			t.Fatalf("failure %d: got %v", i+1, err)
		}
	}
	u, err := f.svc.User(f.ctx, f.a, f.ada.ID)
	if err != nil || !u.Locked {
		t.Fatalf("after 3 failures: locked %v (%v), want locked", u.Locked, err)
	}
	f.wantSignedOut(t, secret, "the lockout")
	if _, _, err := f.svc.SignIn(f.ctx, f.tenantName(t), "ada", adaPassword, "192.0.2.1"); !errors.Is(err, directory.ErrSignInFailed) {
		t.Errorf("the right password on a locked account: got %v, want ErrSignInFailed", err)
	}
	if ev := f.lastEvent(t); ev.Action != "signin.failed" || ev.Fields[0] != "locked" {
		t.Errorf("audit of the locked sign-in: got %+v", ev)
	}
	// The documented unlock path: an administrator clears locked.
	if _, err := f.svc.UpdateUser(f.ctx, f.a, f.ada.ID, 0, directory.UserPatch{Locked: ptr(false)}); err != nil {
		t.Fatal(err)
	}
	// Unlocking forgets the failures: one more does not lock again.
	f.svc.SignIn(f.ctx, f.tenantName(t), "ada", "wrong password", "192.0.2.1")
	f.signIn(t, "ada", adaPassword)
	// A success starts the count again: two failures do not lock.
	for range 2 {
		f.svc.SignIn(f.ctx, f.tenantName(t), "ada", "wrong password", "192.0.2.1")
	}
	f.signIn(t, "ada", adaPassword)
	// Failures further apart than the window do not add up.
	for range 5 {
		f.svc.SignIn(f.ctx, f.tenantName(t), "ada", "wrong password", "192.0.2.1")
		f.clock.advance(directory.DefaultSignInWindow + time.Second)
	}
	f.signIn(t, "ada", adaPassword)
}

func TestSignInAddressLimit(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{MaxAddressFailures: 3})
	tenant := f.tenantName(t)
	for range 3 {
		f.svc.SignIn(f.ctx, tenant, "nobody", "wrong password", "198.51.100.9")
	}
	_, _, err := f.svc.SignIn(f.ctx, tenant, "ada", adaPassword, "198.51.100.9")
	if directory.KindOf(err) != directory.TooMany {
		t.Fatalf("4th attempt from a failing address: got %v, want too_many", err)
	}
	// Other addresses are not held up.
	if _, _, err := f.svc.SignIn(f.ctx, tenant, "ada", adaPassword, "198.51.100.10"); err != nil {
		t.Errorf("another address: %v", err)
	}
	// An IPv6 host is counted by its /64.
	for _, addr := range []string{"2001:db8:1:2::1", "2001:db8:1:2::2", "2001:db8:1:2:ffff::3"} {
		f.svc.SignIn(f.ctx, tenant, "nobody", "wrong password", addr)
	}
	if _, _, err := f.svc.SignIn(f.ctx, tenant, "ada", adaPassword, "2001:db8:1:2::99"); directory.KindOf(err) != directory.TooMany {
		t.Errorf("another address of a failing /64: got %v, want too_many", err)
	}
	f.clock.advance(directory.DefaultSignInWindow)
	if _, _, err := f.svc.SignIn(f.ctx, tenant, "ada", adaPassword, "198.51.100.9"); err != nil {
		t.Errorf("the address once its failures left the window: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{SessionIdle: 10 * time.Minute, SessionMaxAge: time.Hour})
	_, idle := f.signIn(t, "ada", adaPassword)
	_, active := f.signIn(t, "ada", adaPassword)
	for range 5 {
		f.clock.advance(9 * time.Minute)
		f.wantSignedIn(t, active)
	}
	f.wantSignedOut(t, idle, "45 idle minutes")
	f.clock.advance(9 * time.Minute) // 54 minutes
	f.wantSignedIn(t, active)
	f.clock.advance(6 * time.Minute) // 60 minutes
	f.wantSignedOut(t, active, "the absolute expiry")
}

func TestSessionRevocation(t *testing.T) {
	for _, tc := range []struct {
		name   string
		revoke func(t *testing.T, f *signInFixture) error
	}{
		{"disabled", func(t *testing.T, f *signInFixture) error {
			_, err := f.svc.UpdateUser(f.ctx, f.a, f.ada.ID, 0, directory.UserPatch{Active: ptr(false)})
			return err
		}},
		{"locked", func(t *testing.T, f *signInFixture) error {
			_, err := f.svc.UpdateUser(f.ctx, f.a, f.ada.ID, 0, directory.UserPatch{Locked: ptr(true)})
			return err
		}},
		{"password changed", func(t *testing.T, f *signInFixture) error {
			_, err := f.svc.UpdateUser(f.ctx, f.a, f.ada.ID, 0, directory.UserPatch{Password: ptr("a new password")})
			return err
		}},
		{"deleted", func(t *testing.T, f *signInFixture) error { return f.svc.DeleteUser(f.ctx, f.a, f.ada.ID, 0) }},
		{"role removed", func(t *testing.T, f *signInFixture) error {
			return f.svc.SetConsoleRole(f.ctx, f.a, f.ada.ID, directory.RoleNone)
		}},
		{"role lowered", func(t *testing.T, f *signInFixture) error {
			return f.svc.SetConsoleRole(f.ctx, f.a, f.ada.ID, directory.RoleViewer)
		}},
		{"signed out everywhere", func(t *testing.T, f *signInFixture) error {
			_, other := f.signIn(t, "ada", adaPassword)
			return f.svc.SignOutEverywhere(f.ctx, other, "192.0.2.1")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newSignInFixture(t, directory.SignInLimits{})
			_, s1 := f.signIn(t, "ada", adaPassword)
			_, s2 := f.signIn(t, "ada", adaPassword)
			if err := tc.revoke(t, f); err != nil {
				t.Fatal(err)
			}
			f.wantSignedOut(t, s1, tc.name)
			f.wantSignedOut(t, s2, tc.name)
		})
	}
}

func TestMustChangePassword(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	if _, err := f.svc.UpdateUser(f.ctx, f.a, f.ada.ID, 0, directory.UserPatch{MustChangePassword: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	in, secret := f.signIn(t, "ada", adaPassword)
	if !in.MustChangePassword || len(in.Principal.Scopes) != 0 {
		t.Fatalf("a must-change session: got must %v scopes %v, want true and none", in.MustChangePassword, in.Principal.Scopes)
	}
	if _, err := f.svc.User(f.ctx, in.Principal, f.ada.ID); directory.KindOf(err) != directory.Forbidden {
		t.Errorf("a must-change session reading a user: got %v, want forbidden", err)
	}
	_, _, err := f.svc.ChangeSessionPassword(f.ctx, secret, "not it", "brand new password", "192.0.2.1")
	wantKind(t, err, directory.Invalid, "current_password")
	_, _, err = f.svc.ChangeSessionPassword(f.ctx, secret, adaPassword, "short", "192.0.2.1")
	wantKind(t, err, directory.Invalid, "password")
	_, _, err = f.svc.ChangeSessionPassword(f.ctx, secret, adaPassword, adaPassword, "192.0.2.1")
	wantKind(t, err, directory.Invalid, "password")
	next, nextSecret, err := f.svc.ChangeSessionPassword(f.ctx, secret, adaPassword, "brand new password", "192.0.2.1")
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if next.MustChangePassword || !next.Principal.Scopes.Contains(directory.AllScopes) {
		t.Errorf("after the change: got must %v scopes %v", next.MustChangePassword, next.Principal.Scopes)
	}
	f.wantSignedOut(t, secret, "the password change")
	f.wantSignedIn(t, nextSecret)
	f.signIn(t, "ada", "brand new password")
}

func TestSetupLink(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	// Tenant b has no administrator yet.
	secret, expires, ok, err := f.svc.CreateSetupLink(f.ctx, f.b.TenantID)
	if err != nil || !ok {
		t.Fatalf("CreateSetupLink: %v, ok %v", err, ok)
	}
	if want := f.clock.now().Add(directory.DefaultSetupLinkTTL); !expires.Equal(want) {
		t.Errorf("expiry: got %v, want %v", expires, want)
	}
	if secret.String() != "[REDACTED]" || !strings.HasPrefix(secret.Reveal(), directory.SetupSecretPrefix) {
		t.Errorf("setup secret: String %q", secret.String())
	}
	// A bad username does not use the link up.
	_, _, err = f.svc.CompleteSetup(f.ctx, secret, "", "first admin pw", "192.0.2.1")
	wantKind(t, err, directory.Invalid, "username")
	in, session, err := f.svc.CompleteSetup(f.ctx, secret, "root", "first admin pw", "192.0.2.1")
	if err != nil {
		t.Fatalf("CompleteSetup: %v", err)
	}
	if in.Role != directory.RoleAdmin || in.User.TenantID != f.b.TenantID {
		t.Errorf("CompleteSetup: got role %q tenant %d", in.Role, in.User.TenantID)
	}
	f.wantSignedIn(t, session)
	if _, _, err := f.svc.CompleteSetup(f.ctx, secret, "root2", "first admin pw", "192.0.2.1"); directory.KindOf(err) != directory.Unauthenticated {
		t.Errorf("the link a second time: got %v, want unauthenticated", err)
	}
	if _, _, ok, err := f.svc.CreateSetupLink(f.ctx, f.b.TenantID); ok || err != nil {
		t.Errorf("CreateSetupLink with an admin: got ok %v, %v; want no link", ok, err)
	}

	// An expired link does nothing.
	if err := f.svc.SetConsoleRole(f.ctx, f.b, in.User.ID, directory.RoleNone); err != nil {
		t.Fatal(err)
	}
	late, _, _, err := f.svc.CreateSetupLink(f.ctx, f.b.TenantID)
	if err != nil {
		t.Fatal(err)
	}
	f.clock.advance(directory.DefaultSetupLinkTTL)
	if _, _, err := f.svc.CompleteSetup(f.ctx, late, "late", "first admin pw", "192.0.2.1"); directory.KindOf(err) != directory.Unauthenticated {
		t.Errorf("an expired link: got %v, want unauthenticated", err)
	}
}

func TestImportedHashUpgradedAtSignIn(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	hash, err := bcrypt.GenerateFromPassword([]byte("imported pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	users, err := f.svc.ImportUsers(f.ctx, f.a, []directory.UserPatch{{Username: ptr("imp"), PasswordHash: ptr(string(hash))}})
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetConsoleRole(f.ctx, f.a, users[0].ID, directory.RoleViewer); err != nil {
		t.Fatal(err)
	}
	in, secret := f.signIn(t, "imp", "imported pw")
	if !strings.HasPrefix(in.User.PasswordHash, "$argon2id$") {
		t.Errorf("hash after sign-in: got %.10s..., want argon2id", in.User.PasswordHash)
	}
	if got := f.lastEventBefore(t, "signin"); got.Action != "user.password_upgrade" {
		t.Errorf("event before the sign-in: got %q, want user.password_upgrade", got.Action)
	}
	// The upgrade is not a password change: the session lives on.
	viewer := f.wantSignedIn(t, secret)
	if !viewer.Principal.Scopes.Has(directory.ScopeUsersRead) || viewer.Principal.Scopes.Has(directory.ScopeUsersWrite) {
		t.Errorf("viewer scopes: got %v", viewer.Principal.Scopes)
	}
	if _, err := f.svc.UpdateUser(f.ctx, viewer.Principal, users[0].ID, 0, directory.UserPatch{Name: ptr("x")}); directory.KindOf(err) != directory.Forbidden {
		t.Errorf("a viewer changing a user: got %v, want forbidden", err)
	}
	f.signIn(t, "imp", "imported pw")
}

// lastEventBefore returns the event before the newest one of action.
func (f *signInFixture) lastEventBefore(t *testing.T, action string) directory.Event {
	t.Helper()
	evs := f.events(t)
	for i := len(evs) - 1; i > 0; i-- {
		if evs[i].Action == action {
			return evs[i-1]
		}
	}
	t.Fatalf("no %s event", action)
	return directory.Event{}
}

func TestSetConsoleRoleScopes(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	bob := f.user(t, f.a, directory.UserPatch{Username: ptr("bob")})
	writer := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersWrite, directory.ScopeUsersRead}}
	wantKind(t, f.svc.SetConsoleRole(f.ctx, writer, bob.ID, directory.RoleViewer), directory.Forbidden, "")
	noAuth := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersWrite, directory.ScopeUsersRead, directory.ScopeAdmin}}
	wantKind(t, f.svc.SetConsoleRole(f.ctx, noAuth, bob.ID, directory.RoleAdmin), directory.Forbidden, "scope")
	if err := f.svc.SetConsoleRole(f.ctx, noAuth, bob.ID, directory.RoleViewer); err != nil {
		t.Errorf("granting viewer: %v", err)
	}
	wantKind(t, f.svc.SetConsoleRole(f.ctx, f.a, bob.ID, "owner"), directory.Invalid, "role")
	wantKind(t, f.svc.SetConsoleRole(f.ctx, f.b, bob.ID, directory.RoleViewer), directory.NotFound, "")
	if r, err := f.svc.ConsoleRole(f.ctx, f.a, bob.ID); err != nil || r != directory.RoleViewer {
		t.Errorf("ConsoleRole: got %q, %v", r, err)
	}
}

func TestAuthenticate(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{MaxAccountFailures: 2})
	checker := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersAuthenticate}, Actor: "client:app", ClientIP: "203.0.113.5"}
	plain := f.user(t, f.a, directory.UserPatch{Username: ptr("erin"), Password: ptr("erin's password")})
	u, err := f.svc.Authenticate(f.ctx, checker, "erin", "erin's password", "198.51.100.1")
	if err != nil || u.ID != plain.ID {
		t.Fatalf("Authenticate: got %d, %v", u.ID, err)
	}
	if ev := f.lastEvent(t); ev.Action != "user.authenticate" || ev.ClientIP != "198.51.100.1" || ev.Actor != "client:app" {
		t.Errorf("audit of a success: %+v", ev)
	}
	_, err = f.svc.Authenticate(f.ctx, directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersRead, directory.ScopeUsersWrite, directory.ScopeAdmin}}, "erin", "erin's password", "")
	wantKind(t, err, directory.Forbidden, "")
	for range 2 {
		if _, err := f.svc.Authenticate(f.ctx, checker, "erin", "nope nope", ""); !errors.Is(err, directory.ErrSignInFailed) {
			t.Errorf("wrong password: got %v", err)
		}
	}
	if ev := f.lastEvent(t); ev.Action != "user.lock" || ev.Actor != "signin" {
		t.Errorf("after 2 failures: last event %+v, want user.lock by signin", ev)
	}
	if _, err := f.svc.Authenticate(f.ctx, checker, "erin", "erin's password", ""); !errors.Is(err, directory.ErrSignInFailed) {
		t.Errorf("the right password once locked: got %v", err)
	}
}

// TestLegacyHashesUpgradedAtSignIn checks each imported hash form of other
// systems through the password check: it verifies, is replaced by argon2id,
// and the new hash verifies the same password.
func TestLegacyHashesUpgradedAtSignIn(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	checker := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersAuthenticate}, Actor: "client:app"}
	for i, v := range []struct{ hash, password string }{
		{"pbkdf2_sha256$1000$seasalt$JgZryXe2Ga8ysg6XbzkLpTdyPQrHqsinbL9BnnhgX4A=", "lètmein"},
		{"pbkdf2:sha256:1000$PMr8sdnH$52699a2eaeb20d9218931b9a93bf00e66acb7764e38b379ffd3510cc254f4cf8", "werkzeug pw"},
		{"$P$9IQRaTwmfeRo7ud9Fh4E2PdI0S3r.L0", "test12345"},
		{"$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/", "password"},
	} {
		name := "legacy" + strconv.Itoa(i)
		if _, err := f.svc.ImportUsers(f.ctx, f.a, []directory.UserPatch{{Username: &name, PasswordHash: ptr(v.hash)}}); err != nil {
			t.Fatalf("import %s: %v", v.hash, err)
		}
		if _, err := f.svc.Authenticate(f.ctx, checker, name, v.password+"!", ""); !errors.Is(err, directory.ErrSignInFailed) {
			t.Errorf("%s with a wrong password: got %v", v.hash, err)
		}
		u, err := f.svc.Authenticate(f.ctx, checker, name, v.password, "")
		if err != nil {
			t.Fatalf("%s: %v", v.hash, err)
		}
		if !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
			t.Errorf("%s after a check: got %.12s..., want argon2id", v.hash, u.PasswordHash)
		}
		if _, err := f.svc.Authenticate(f.ctx, checker, name, v.password, ""); err != nil {
			t.Errorf("%s upgraded: %v", v.hash, err)
		}
	}
}

// verifyCounter counts the passwords verified by the hasher it wraps.
type verifyCounter struct {
	*countingHasher
	n atomic.Int64
}

func (h *verifyCounter) VerifyPassword(ctx context.Context, password, hash string) (bool, error) {
	h.n.Add(1)
	return h.countingHasher.VerifyPassword(ctx, password, hash)
}

// TestUnknownUserCostsAVerification checks that every failure reason costs
// exactly one argon2id verification, so timing does not tell an unknown
// user from a wrong password.
func TestUnknownUserCostsAVerification(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	h := &verifyCounter{countingHasher: f.hasher}
	svc := directory.NewService(f.svc.Store(), h)
	for _, tc := range []struct{ tenant, login string }{
		{f.tenantName(t), "ada"}, {f.tenantName(t), "nobody"}, {f.tenantName(t), "ada@example.com"},
		{"no-such-tenant", "ada"}, {f.tenantName(t), strings.Repeat("x", 300)},
	} {
		before := h.n.Load()
		svc.SignIn(f.ctx, tc.tenant, tc.login, "wrong password", "192.0.2.1")
		if got := h.n.Load() - before; got != 1 {
			t.Errorf("SignIn(%q, %.20q): %d verifications, want 1", tc.tenant, tc.login, got)
		}
	}
}

func TestSignInSecretsRedacted(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, nil))
	session, setup := directory.SessionSecret("udsess_very-secret"), directory.SetupSecret("udsetup_very-secret")
	logger.Info("x", "session", session, "setup", setup)
	fmt.Fprint(&buf, session, setup, fmt.Sprintf("%v %s", session, setup))
	if strings.Contains(buf.String(), "very-secret") {
		t.Errorf("a secret leaked: %s", buf.String())
	}
}

// TestViewerReadsEverything checks the viewer role: it reads users, orgs,
// clients, tokens and the audit log, and changes none of them.
func TestViewerReadsEverything(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{})
	bob := f.user(t, f.a, directory.UserPatch{Username: ptr("bob"), Password: ptr("bob's password")})
	if err := f.svc.SetConsoleRole(f.ctx, f.a, bob.ID, directory.RoleViewer); err != nil {
		t.Fatal(err)
	}
	in, _ := f.signIn(t, "bob", "bob's password")
	p := in.Principal
	if _, err := f.svc.User(f.ctx, p, f.ada.ID); err != nil {
		t.Errorf("viewer reading a user: %v", err)
	}
	if _, _, err := f.svc.AuditEvents(f.ctx, p, 0, 10); err != nil {
		t.Errorf("viewer reading the audit log: %v", err)
	}
	if _, _, err := f.svc.Clients(f.ctx, p, 0, 10); err != nil {
		t.Errorf("viewer listing clients: %v", err)
	}
	if _, _, err := f.svc.APITokens(f.ctx, p, 0, 10); err != nil {
		t.Errorf("viewer listing tokens: %v", err)
	}
	_, _, err := f.svc.CreateClient(f.ctx, p, "x", directory.Scopes{directory.ScopeAdminRead})
	wantKind(t, err, directory.Forbidden, "")
	_, err = f.svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: ptr("x")})
	wantKind(t, err, directory.Forbidden, "")
	wantKind(t, f.svc.SetConsoleRole(f.ctx, p, bob.ID, directory.RoleAdmin), directory.Forbidden, "")
}

// TestPasswordChecksShareLimits shows that the old-password check of
// ChangePassword, SignIn and Authenticate are counted by one limiter: wrong
// old passwords lock the account as failed sign-ins do, and fill the same
// address's allowance.
func TestPasswordChecksShareLimits(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{MaxAccountFailures: 3, MaxAddressFailures: 1000})
	app := f.a
	app.ClientIP = "198.51.100.20"
	wrong := "wrong password"
	for i := range 2 {
		_, err := f.svc.ChangePassword(f.ctx, app, f.ada.ID, directory.PasswordChange{Password: "a new password", OldPassword: &wrong})
		if !errors.Is(err, directory.ErrWrongPassword) {
			t.Fatalf("wrong old password #%d: got %v, want ErrWrongPassword", i+1, err)
		}
	}
	if ev := f.lastEvent(t); ev.Action != "user.password_verify.failed" || ev.ClientIP != app.ClientIP {
		t.Errorf("audit of a wrong old password: got %+v", ev)
	}
	if _, _, err := f.svc.SignIn(f.ctx, f.tenantName(t), "ada", wrong, "192.0.2.1"); !errors.Is(err, directory.ErrSignInFailed) {
		t.Fatalf("wrong sign-in: got %v", err)
	}
	if u, err := f.svc.User(f.ctx, f.a, f.ada.ID); err != nil || !u.Locked {
		t.Fatalf("after 2 wrong old passwords and 1 failed sign-in: locked %v (%v), want locked", u.Locked, err)
	}
	right := adaPassword
	_, err := f.svc.ChangePassword(f.ctx, app, f.ada.ID, directory.PasswordChange{Password: "a new password", OldPassword: &right})
	wantKind(t, err, directory.TooMany, "old_password")

	g := newSignInFixture(t, directory.SignInLimits{MaxAddressFailures: 2})
	app = g.a
	app.ClientIP = "198.51.100.20"
	for range 2 {
		g.svc.ChangePassword(g.ctx, app, g.ada.ID, directory.PasswordChange{Password: "a new password", OldPassword: &wrong})
	}
	if _, _, err := g.svc.SignIn(g.ctx, g.tenantName(t), "ada", adaPassword, app.ClientIP); directory.KindOf(err) != directory.TooMany {
		t.Errorf("sign-in from an address with 2 wrong old passwords: got %v, want too_many", err)
	}
	_, err = g.svc.ChangePassword(g.ctx, app, g.ada.ID, directory.PasswordChange{Password: "a new password", OldPassword: &right})
	wantKind(t, err, directory.TooMany, "old_password")
}

// signInWrites counts the store's sign-in writes: clearing failures and
// recording an event on its own.
type signInWrites struct {
	directory.Store
	clears, records atomic.Int64
}

func (s *signInWrites) ClearSignInFailures(ctx context.Context, tenantID, userID int64, ev directory.Event) error {
	s.clears.Add(1)
	return s.Store.ClearSignInFailures(ctx, tenantID, userID, ev)
}

func (s *signInWrites) RecordEvent(ctx context.Context, ev directory.Event) error {
	s.records.Add(1)
	return s.Store.RecordEvent(ctx, ev)
}

// TestAuthenticateSuccessWritesOnce checks that a right password costs
// one write beside the hash: the audit event of the success, which forgets
// the account's failed attempts in the same statement, not a write of its
// own before it (on PostgreSQL a round trip and a statement per check).
// The failures are still forgotten: after a success, as many failures as
// the limit allows do not lock the account.
func TestAuthenticateSuccessWritesOnce(t *testing.T) {
	f := newSignInFixture(t, directory.SignInLimits{MaxAccountFailures: 2})
	counted := &signInWrites{Store: f.svc.Store()}
	svc := directory.NewService(counted, f.hasher)
	svc.SetSignInLimits(directory.SignInLimits{MaxAccountFailures: 2})
	checker := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersAuthenticate}, Actor: "client:app"}
	if _, err := svc.Authenticate(f.ctx, checker, "ada", adaPassword, "198.51.100.1"); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if c, r := counted.clears.Load(), counted.records.Load(); c+r != 1 {
		t.Errorf("a success wrote %d times (%d clears of failures, %d events on their own), want once", c+r, c, r)
	}
	if ev := f.lastEvent(t); ev.Action != "user.authenticate" || ev.Actor != "client:app" || ev.ClientIP != "198.51.100.1" {
		t.Errorf("audit of the success: %+v", ev)
	}
	for range 3 {
		if _, err := svc.Authenticate(f.ctx, checker, "ada", "nope nope", ""); !errors.Is(err, directory.ErrSignInFailed) {
			t.Fatalf("wrong password: got %v", err)
		}
		if _, err := svc.Authenticate(f.ctx, checker, "ada", adaPassword, ""); err != nil {
			t.Fatalf("the right password after one failure: %v (the failures were not forgotten)", err)
		}
	}
}
