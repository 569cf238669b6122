package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres/pgtest"
)

// openService opens the database db as the commands do, for a test to
// check what a command left there.
func openService(t *testing.T, db string) *directory.Service {
	t.Helper()
	var out bytes.Buffer
	c := newFlags("test", noEnv, streams{stdout: &out, stderr: &out})
	c.db = db
	st, err := c.openStore(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	return directory.NewService(st, h)
}

var setupLink = regexp.MustCompile(`(http://\S+)/console/setup#(udsetup_\S+)`)

// TestServeFirstStartLink follows the newcomer: the first start prints the
// console's address and a one-time link; the link makes the first
// administrator, who can then sign in; later starts print no link.
func TestServeFirstStartLink(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			s := startServer(t, db)
			var m []string
			for deadline := time.Now().Add(10 * time.Second); m == nil && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				m = setupLink.FindStringSubmatch(s.stdout.String())
			}
			if m == nil {
				t.Fatalf("first start printed no setup link; stdout:\n%s", s.stdout)
			}
			if m[1] != s.base || !strings.Contains(s.stdout.String(), s.base+"/console/") {
				t.Errorf("console address: got %q, want %s/console/", m[1], s.base)
			}
			secret := directory.SetupSecret(m[2])
			if strings.Contains(s.stderr.String(), m[2]) {
				t.Errorf("the setup secret is in the log")
			}
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			svc := openService(t, db)
			ctx := context.Background()
			in, session, err := svc.CompleteSetup(ctx, secret, "root", "first admin password", "127.0.0.1")
			if err != nil {
				t.Fatalf("CompleteSetup with the printed link: %v", err)
			}
			if in.Role != directory.RoleAdmin {
				t.Errorf("role: got %q, want admin", in.Role)
			}
			if _, err := svc.Session(ctx, session, "127.0.0.1"); err != nil {
				t.Errorf("the new session: %v", err)
			}
			if _, _, err := svc.SignIn(ctx, "", "root", "first admin password", "127.0.0.1"); err != nil {
				t.Errorf("sign in as the first administrator: %v", err)
			}
			if _, _, err := svc.CompleteSetup(ctx, secret, "root2", "first admin password", "127.0.0.1"); directory.KindOf(err) != directory.Unauthenticated {
				t.Errorf("the link a second time: got %v, want unauthenticated", err)
			}
			again := startServer(t, db)
			time.Sleep(200 * time.Millisecond)
			if out := again.stdout.String(); strings.Contains(out, "/console/setup#") {
				t.Errorf("a start with an administrator printed a link:\n%s", out)
			}
		})
	}
}

// TestUserRoleCommands gives roles through the CLI: at creation with a
// password from stdin, then on the existing user, and unlocks an account.
func TestUserRoleCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "userd.db")
	env := map[string]string{"USERD_DB": db}
	mustRunBin(t, "", env, "", "migrate")
	mustRunBin(t, "", env, "", "tenant", "create", "--name", "acme")
	mustRunBin(t, "", env, "operator password\n", "user", "create", "--username", "op", "--role", "admin", "--password-stdin")
	mustRunBin(t, "", env, "", "user", "create", "--username", "vi")
	if res := mustRunBin(t, "", env, "", "user", "role", "vi", "viewer"); res.stdout != "user \"vi\" (id 2) now has console role viewer\n" {
		t.Errorf("user role: got %q", res.stdout)
	}
	if res := runBin(t, "", env, "", "user", "role", "vi", "owner"); res.code != 2 || !strings.Contains(res.stderr, "admin, viewer and none") {
		t.Errorf("user role with an unknown role: got exit %d, %q", res.code, res.stderr)
	}
	if res := runBin(t, "", env, "", "user", "create", "--username", "x", "--role", "root"); res.code != 2 {
		t.Errorf("user create --role root: got exit %d, want 2", res.code)
	}
	svc := openService(t, db)
	ctx := context.Background()
	tn, err := svc.Store().TenantByName(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	p := directory.System(tn.ID)
	for _, want := range []struct {
		user string
		role directory.Role
	}{{"op", directory.RoleAdmin}, {"vi", directory.RoleViewer}} {
		u, err := svc.UserByLogin(ctx, p, want.user)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.ConsoleRole(ctx, p, u.ID); got != want.role {
			t.Errorf("role of %s: got %q, want %q", want.user, got, want.role)
		}
	}
	if _, _, err := svc.SignIn(ctx, "acme", "op", "operator password", "127.0.0.1"); err != nil {
		t.Errorf("sign in with the password from stdin: %v", err)
	}
	locked := true
	op, _ := svc.UserByLogin(ctx, p, "op")
	if _, err := svc.UpdateUser(ctx, p, op.ID, 0, directory.UserPatch{Locked: &locked}); err != nil {
		t.Fatal(err)
	}
	if res := mustRunBin(t, "", env, "", "user", "unlock", "op"); res.stdout != "user \"op\" (id 1) is unlocked\n" {
		t.Errorf("user unlock: got %q", res.stdout)
	}
	if _, _, err := svc.SignIn(ctx, "acme", "op", "operator password", "127.0.0.1"); err != nil {
		t.Errorf("sign in after unlock: %v", err)
	}
	if res := runBin(t, "", env, "", "user", "unlock", "nobody"); res.code == 0 {
		t.Errorf("unlock of a missing user: got exit 0")
	}
}
