package directorytest

import (
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// signInTests are the cases about signing in: console roles, sessions,
// one-time links and failure counts.
var signInTests = []struct {
	name string
	fn   func(t *testing.T, f *fixture)
}{
	{"UserByLogin", testUserByLogin},
	{"ConsoleRoles", testConsoleRoles},
	{"Sessions", testSessions},
	{"SessionHolder", testSessionHolder},
	{"SessionsBounded", testSessionsBounded},
	{"SessionsGoWithUser", testSessionsGoWithUser},
	{"SignInLinks", testSignInLinks},
	{"SignInFailures", testSignInFailures},
}

func testUserByLogin(t *testing.T, f *fixture) {
	ada := user(f.a, "Ada")
	ada.Email = "ada@example.com"
	ada = f.createUser(t, ada)
	// A user whose email is another's username: the username wins.
	bob := user(f.a, "bob")
	bob.Email = "ADA@example.org"
	bob = f.createUser(t, bob)
	other := user(f.b, "carol")
	other.Email = "carol@example.com"
	f.createUser(t, other)

	for _, tc := range []struct {
		login string
		want  int64
	}{
		{"ada", ada.ID}, {"ADA", ada.ID}, {"Ada@Example.COM", ada.ID}, {"bob", bob.ID}, {"ada@example.org", bob.ID},
	} {
		got, err := f.s.UserByLogin(f.ctx, f.a, tc.login)
		if err != nil {
			t.Errorf("UserByLogin(%q): %v", tc.login, err)
			continue
		}
		if got.ID != tc.want {
			t.Errorf("UserByLogin(%q): got user %d, want %d", tc.login, got.ID, tc.want)
		}
	}
	for _, login := range []string{"carol", "carol@example.com", "ad", ""} {
		_, err := f.s.UserByLogin(f.ctx, f.a, login)
		checkError(t, "UserByLogin("+login+")", err, directory.NotFound, "")
	}
}

func testConsoleRoles(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "ada"))
	v := f.createUser(t, user(f.a, "bob"))
	role := func(tenant, id int64) directory.Role {
		t.Helper()
		r, err := f.s.ConsoleRole(f.ctx, tenant, id)
		if err != nil {
			t.Fatalf("ConsoleRole(%d, %d): %v", tenant, id, err)
		}
		return r
	}
	count := func(r directory.Role) int {
		t.Helper()
		n, err := f.s.CountConsoleRoles(f.ctx, f.a, r)
		if err != nil {
			t.Fatalf("CountConsoleRoles: %v", err)
		}
		return n
	}
	if got := role(f.a, u.ID); got != directory.RoleNone {
		t.Errorf("role of a new user: got %q, want none", got)
	}
	ev := event(f.a, "user.role", "", "console_role")
	for _, step := range []struct {
		id   int64
		role directory.Role
	}{{u.ID, directory.RoleViewer}, {u.ID, directory.RoleAdmin}, {v.ID, directory.RoleViewer}} {
		ev.ObjectID = userObject(step.id)
		if err := f.s.SetConsoleRole(f.ctx, f.a, step.id, step.role, ev); err != nil {
			t.Fatalf("SetConsoleRole(%d, %q): %v", step.id, step.role, err)
		}
		f.checkLastEvent(t, f.a, ev)
		if got := role(f.a, step.id); got != step.role {
			t.Errorf("after SetConsoleRole(%d, %q): got %q", step.id, step.role, got)
		}
	}
	if n := count(directory.RoleAdmin); n != 1 {
		t.Errorf("admins: got %d, want 1", n)
	}
	if err := f.s.SetConsoleRole(f.ctx, f.a, u.ID, directory.RoleNone, ev); err != nil {
		t.Fatalf("SetConsoleRole(none): %v", err)
	}
	if got, n := role(f.a, u.ID), count(directory.RoleAdmin); got != directory.RoleNone || n != 0 {
		t.Errorf("after removing the role: got %q and %d admins, want none and 0", got, n)
	}
	// Another tenant's user is a missing one.
	last := f.lastEventID(t, f.b)
	err := f.s.SetConsoleRole(f.ctx, f.b, u.ID, directory.RoleAdmin, event(f.b, "user.role", userObject(u.ID)))
	checkError(t, "SetConsoleRole of another tenant's user", err, directory.NotFound, "")
	f.checkNoEventsAfter(t, f.b, last)
	if got := role(f.b, v.ID); got != directory.RoleNone {
		t.Errorf("role seen through another tenant: got %q, want none", got)
	}
}

func userObject(id int64) string { return strconv.FormatInt(id, 10) }

func session(tenant, userID int64, secret string, created time.Time) directory.Session {
	return directory.Session{TenantID: tenant, UserID: userID, Hash: directory.HashSecret(secret), CreatedAt: created,
		LastSeenAt: created, ExpiresAt: created.Add(12 * time.Hour), ClientIP: "192.0.2.7"}
}

func (f *fixture) createSession(t *testing.T, s directory.Session, keep int) directory.Session {
	t.Helper()
	got, err := f.s.CreateSession(f.ctx, s, keep, event(s.TenantID, "session.create", ""))
	if err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return got
}

func testSessions(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "ada"))
	want := session(f.a, u.ID, "one", at(1))
	got := f.createSession(t, want, 10)
	if got.ID == 0 {
		t.Fatal("CreateSession returned id 0")
	}
	want.ID = got.ID
	f.checkLastEvent(t, f.a, event(f.a, "session.create", strconv.FormatInt(got.ID, 10)))
	read, err := f.s.SessionByHash(f.ctx, directory.HashSecret("one"))
	if err != nil {
		t.Fatalf("SessionByHash: %v", err)
	}
	checkEqual(t, "session", read.Session, want)
	_, err = f.s.SessionByHash(f.ctx, directory.HashSecret("two"))
	checkError(t, "SessionByHash(unknown)", err, directory.NotFound, "")

	if err := f.s.TouchSession(f.ctx, f.a, got.ID, at(2)); err != nil {
		t.Fatalf("TouchSession: %v", err)
	}
	// Touching through another tenant changes nothing.
	if err := f.s.TouchSession(f.ctx, f.b, got.ID, at(5)); err != nil {
		t.Fatalf("TouchSession(other tenant): %v", err)
	}
	read, _ = f.s.SessionByHash(f.ctx, directory.HashSecret("one"))
	if !read.Session.LastSeenAt.Equal(at(2)) {
		t.Errorf("LastSeenAt after touch: got %v, want %v", read.Session.LastSeenAt, at(2))
	}

	second := f.createSession(t, session(f.a, u.ID, "two", at(3)), 10)
	third := f.createSession(t, session(f.a, u.ID, "three", at(4)), 10)
	last := f.lastEventID(t, f.a)
	if err := f.s.DeleteSession(f.ctx, f.a, got.ID, directory.Event{}); err != nil {
		t.Fatalf("DeleteSession: %v", err)
	}
	f.checkNoEventsAfter(t, f.a, last)
	_, err = f.s.SessionByHash(f.ctx, directory.HashSecret("one"))
	checkError(t, "SessionByHash after DeleteSession", err, directory.NotFound, "")

	ev := event(f.a, "session.revoke", userObject(u.ID), "sign_out_everywhere")
	n, err := f.s.DeleteUserSessions(f.ctx, f.a, u.ID, third.ID, ev)
	if err != nil || n != 1 {
		t.Fatalf("DeleteUserSessions(except the third): got %d, %v; want 1", n, err)
	}
	f.checkLastEvent(t, f.a, ev)
	if _, err := f.s.SessionByHash(f.ctx, directory.HashSecret("three")); err != nil {
		t.Errorf("the session kept: %v", err)
	}
	_, err = f.s.SessionByHash(f.ctx, second.Hash)
	checkError(t, "SessionByHash of a deleted session", err, directory.NotFound, "")
	// Another tenant cannot delete them.
	if n, err := f.s.DeleteUserSessions(f.ctx, f.b, u.ID, 0, event(f.b, "session.revoke", "")); err != nil || n != 0 {
		t.Errorf("DeleteUserSessions from another tenant: got %d, %v; want 0", n, err)
	}
	last = f.lastEventID(t, f.a)
	if n, err := f.s.DeleteUserSessions(f.ctx, f.a, u.ID, 0, ev); err != nil || n != 1 {
		t.Errorf("DeleteUserSessions(all): got %d, %v; want 1", n, err)
	}
	if n, err := f.s.DeleteUserSessions(f.ctx, f.a, u.ID, 0, ev); err != nil || n != 0 {
		t.Errorf("DeleteUserSessions with none left: got %d, %v; want 0", n, err)
	}
	if evs, _ := f.s.AuditEvents(f.ctx, f.a, last, 10); len(evs) != 1 {
		t.Errorf("events of two DeleteUserSessions, the second deleting none: got %d, want 1", len(evs))
	}
	_, err = f.s.CreateSession(f.ctx, session(f.a, 1<<40, "ghost", at(1)), 10, event(f.a, "session.create", ""))
	checkError(t, "CreateSession for a missing user", err, directory.NotFound, "")
}

// testSessionHolder checks that SessionByHash reads, with the session,
// its user's SessionUser fields and console role as they are at the read:
// what Service.Session decides on.
func testSessionHolder(t *testing.T, f *fixture) {
	ada := user(f.a, "Ada")
	ada.Name, ada.Email, ada.City = "Ada Lovelace", "ada@example.com", "London"
	ada.MustChangePassword, ada.PasswordChangedAt, ada.PasswordHash = true, at(1), "$argon2id$v=19$m=1,t=1,p=1$c2FsdA$aGFzaA"
	ada.Extension = map[string]any{"k": "v"}
	ada = f.createUser(t, ada)
	// A user of the other tenant with the same role and a session of its
	// own: nothing of it shows through a's.
	bob := f.createUser(t, user(f.b, "bob"))
	if err := f.s.SetConsoleRole(f.ctx, f.b, bob.ID, directory.RoleAdmin, event(f.b, "user.role", userObject(bob.ID))); err != nil {
		t.Fatal(err)
	}
	f.createSession(t, session(f.b, bob.ID, "bob", at(2)), 10)
	want := f.createSession(t, session(f.a, ada.ID, "ada", at(2)), 10)

	check := func(step string, u directory.User, role directory.Role) {
		t.Helper()
		got, err := f.s.SessionByHash(f.ctx, directory.HashSecret("ada"))
		if err != nil {
			t.Fatalf("%s: SessionByHash: %v", step, err)
		}
		checkEqual(t, step+": session", got.Session, want)
		checkEqual(t, step+": user", got.User, directory.SessionUser(u))
		if got.Role != role {
			t.Errorf("%s: role: got %q, want %q", step, got.Role, role)
		}
	}
	check("no role", ada, directory.RoleNone)
	for _, role := range []directory.Role{directory.RoleViewer, directory.RoleAdmin} {
		if err := f.s.SetConsoleRole(f.ctx, f.a, ada.ID, role, event(f.a, "user.role", userObject(ada.ID))); err != nil {
			t.Fatal(err)
		}
		check("role "+string(role), ada, role)
	}
	changed := ada
	changed.Active, changed.Locked, changed.MustChangePassword, changed.PasswordChangedAt = false, true, false, at(3)
	changed.Username = "ada.l"
	updated, err := f.s.UpdateUser(f.ctx, changed, updateEvent(ada, changed))
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	check("after an update", updated, directory.RoleAdmin)
	if err := f.s.SetConsoleRole(f.ctx, f.a, ada.ID, directory.RoleNone, event(f.a, "user.role", userObject(ada.ID))); err != nil {
		t.Fatal(err)
	}
	check("role taken away", updated, directory.RoleNone)
}

func testSessionsBounded(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "ada"))
	expiring := session(f.a, u.ID, "expiring", at(0))
	expiring.ExpiresAt = at(2)
	f.createSession(t, expiring, 3)
	for i, secret := range []string{"s1", "s2", "s3", "s4"} {
		f.createSession(t, session(f.a, u.ID, secret, at(3+i)), 3)
	}
	for _, tc := range []struct {
		secret string
		kept   bool
	}{{"expiring", false}, {"s1", false}, {"s2", true}, {"s3", true}, {"s4", true}} {
		_, err := f.s.SessionByHash(f.ctx, directory.HashSecret(tc.secret))
		if kept := err == nil; kept != tc.kept {
			t.Errorf("session %q kept: got %v (%v), want %v", tc.secret, kept, err, tc.kept)
		}
	}
}

func testSessionsGoWithUser(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "ada"))
	f.createSession(t, session(f.a, u.ID, "one", at(1)), 10)
	if err := f.s.SetConsoleRole(f.ctx, f.a, u.ID, directory.RoleAdmin, event(f.a, "user.role", userObject(u.ID))); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.SignInFailed(f.ctx, f.a, u.ID, at(1), time.Hour, event(f.a, "signin.failed", "")); err != nil {
		t.Fatal(err)
	}
	if err := f.s.DeleteUser(f.ctx, f.a, u.ID, 0, event(f.a, "user.delete", userObject(u.ID))); err != nil {
		t.Fatalf("DeleteUser of a user with a session, a role and failures: %v", err)
	}
	_, err := f.s.SessionByHash(f.ctx, directory.HashSecret("one"))
	checkError(t, "SessionByHash after the user's deletion", err, directory.NotFound, "")
	if n, _ := f.s.CountConsoleRoles(f.ctx, f.a, directory.RoleAdmin); n != 0 {
		t.Errorf("admins after the user's deletion: got %d, want 0", n)
	}
}

func testSignInLinks(t *testing.T, f *fixture) {
	l := directory.SignInLink{Hash: directory.HashSecret("link"), TenantID: f.a, CreatedAt: at(1), ExpiresAt: at(2)}
	old := directory.SignInLink{Hash: directory.HashSecret("old"), TenantID: f.a, CreatedAt: at(0), ExpiresAt: at(1)}
	ev := event(f.a, "setup_link.create", "")
	for _, x := range []directory.SignInLink{l, old} {
		if err := f.s.CreateSignInLink(f.ctx, x, ev); err != nil {
			t.Fatalf("CreateSignInLink: %v", err)
		}
	}
	f.checkLastEvent(t, f.a, ev)
	got, err := f.s.TakeSignInLink(f.ctx, l.Hash, at(1))
	if err != nil {
		t.Fatalf("TakeSignInLink: %v", err)
	}
	checkEqual(t, "link", got, l)
	_, err = f.s.TakeSignInLink(f.ctx, l.Hash, at(1))
	checkError(t, "TakeSignInLink a second time", err, directory.NotFound, "")
	_, err = f.s.TakeSignInLink(f.ctx, old.Hash, at(1))
	checkError(t, "TakeSignInLink of a link expired when another was taken", err, directory.NotFound, "")

	// Creating a link clears the expired ones too.
	stale := directory.SignInLink{Hash: directory.HashSecret("stale"), TenantID: f.a, CreatedAt: at(3), ExpiresAt: at(4)}
	fresh := directory.SignInLink{Hash: directory.HashSecret("fresh"), TenantID: f.a, CreatedAt: at(5), ExpiresAt: at(6)}
	for _, x := range []directory.SignInLink{stale, fresh} {
		if err := f.s.CreateSignInLink(f.ctx, x, ev); err != nil {
			t.Fatalf("CreateSignInLink: %v", err)
		}
	}
	_, err = f.s.TakeSignInLink(f.ctx, stale.Hash, at(0))
	checkError(t, "TakeSignInLink of a link expired when another was created", err, directory.NotFound, "")
}

func testSignInFailures(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "ada"))
	v := f.createUser(t, user(f.a, "bob"))
	fail := func(id int64, when time.Time) int {
		t.Helper()
		ev := event(f.a, "signin.failed", strconv.FormatInt(id, 10), "wrong_password")
		n, err := f.s.SignInFailed(f.ctx, f.a, id, when, time.Hour, ev)
		f.checkLastEvent(t, f.a, ev)
		if err != nil {
			t.Fatalf("SignInFailed: %v", err)
		}
		return n
	}
	base := at(10)
	for i, want := range []int{1, 2, 3} {
		if got := fail(u.ID, base.Add(time.Duration(i)*time.Minute)); got != want {
			t.Errorf("failure %d: got count %d, want %d", i+1, got, want)
		}
	}
	if got := fail(v.ID, base); got != 1 {
		t.Errorf("another user's first failure: got %d, want 1", got)
	}
	// A failure more than the window after the previous one starts again.
	if got := fail(u.ID, base.Add(2*time.Minute+time.Hour+time.Second)); got != 1 {
		t.Errorf("failure after the window: got %d, want 1", got)
	}
	fail(u.ID, base.Add(3*time.Hour))
	// A right password's audit event is written with the clearing.
	success := event(f.a, "user.authenticate", strconv.FormatInt(u.ID, 10))
	if err := f.s.ClearSignInFailures(f.ctx, f.a, u.ID, success); err != nil {
		t.Fatalf("ClearSignInFailures: %v", err)
	}
	f.checkLastEvent(t, f.a, success)
	if got := fail(u.ID, base.Add(3*time.Hour)); got != 1 {
		t.Errorf("failure after clearing: got %d, want 1", got)
	}
	if got := fail(v.ID, base.Add(time.Minute)); got != 2 {
		t.Errorf("the other user's count after clearing the first: got %d, want 2", got)
	}
	// Without an action, clearing writes no event.
	if err := f.s.ClearSignInFailures(f.ctx, f.a, v.ID, directory.Event{}); err != nil {
		t.Fatalf("ClearSignInFailures without an event: %v", err)
	}
	f.checkLastEvent(t, f.a, event(f.a, "signin.failed", strconv.FormatInt(v.ID, 10), "wrong_password"))
	if got := fail(v.ID, base.Add(2*time.Minute)); got != 1 {
		t.Errorf("failure after clearing without an event: got %d, want 1", got)
	}
}
