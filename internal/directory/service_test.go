package directory_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/sqlite"
)

// countingHasher counts the passwords hashed by the real hasher it wraps,
// and remembers the tenant the last one was hashed for.
type countingHasher struct {
	*auth.Hasher
	n          atomic.Int64
	lastTenant atomic.Int64
}

func (h *countingHasher) HashPassword(ctx context.Context, pw string) (string, error) {
	h.n.Add(1)
	h.lastTenant.Store(directory.TenantOf(ctx))
	return h.Hasher.HashPassword(ctx, pw)
}

type fixture struct {
	ctx    context.Context
	svc    *directory.Service
	hasher *countingHasher
	a, b   directory.Principal // every scope in tenants a and b
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{ctx: ctx, hasher: &countingHasher{Hasher: h}}
	f.svc = directory.NewService(st, f.hasher)
	for name, p := range map[string]*directory.Principal{"tenant-a": &f.a, "tenant-b": &f.b} {
		tn, err := f.svc.CreateTenant(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		*p = directory.System(tn.ID)
	}
	return f
}

func (f *fixture) user(t *testing.T, p directory.Principal, patch directory.UserPatch) directory.User {
	t.Helper()
	u, err := f.svc.CreateUser(f.ctx, p, directory.OriginAPI, patch)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func ptr[T any](v T) *T { return &v }

// wantKind fails unless err is a *directory.Error of kind k about field.
func wantKind(t *testing.T, err error, k directory.Kind, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %s on %q", k, field)
	}
	e := directory.AsError(err)
	if e.Kind != k || e.Field != field {
		t.Fatalf("got %s on %q (%v), want %s on %q", e.Kind, e.Field, err, k, field)
	}
}

func TestScopes(t *testing.T) {
	f := newFixture(t)
	read := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersRead}}
	write := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeUsersWrite}}
	u := f.user(t, f.a, directory.UserPatch{Username: ptr("ada")})

	_, err := f.svc.CreateUser(f.ctx, read, directory.OriginAPI, directory.UserPatch{Username: ptr("bob")})
	wantKind(t, err, directory.Forbidden, "")
	_, err = f.svc.UpdateUser(f.ctx, read, u.ID, 0, directory.UserPatch{Name: ptr("x")})
	wantKind(t, err, directory.Forbidden, "")
	_, err = f.svc.User(f.ctx, write, u.ID)
	wantKind(t, err, directory.Forbidden, "")
	_, _, err = f.svc.CreateClient(f.ctx, read, "c", directory.Scopes{directory.ScopeUsersRead})
	wantKind(t, err, directory.Forbidden, "")
	if _, err := f.svc.User(f.ctx, read, u.ID); err != nil {
		t.Errorf("users:read reading a user: %v", err)
	}

	adminOnly := directory.Principal{TenantID: f.a.TenantID, Scopes: directory.Scopes{directory.ScopeAdmin}}
	_, _, err = f.svc.CreateAPIToken(f.ctx, adminOnly, "escalate", directory.Scopes{directory.ScopeUsersWrite}, 0)
	wantKind(t, err, directory.Forbidden, "scope")
	_, _, err = f.svc.CreateClient(f.ctx, adminOnly, "escalate", directory.Scopes{directory.ScopeAdmin, directory.ScopeUsersRead})
	wantKind(t, err, directory.Forbidden, "scope")
	if _, _, err := f.svc.CreateAPIToken(f.ctx, adminOnly, "peer", directory.Scopes{directory.ScopeAdmin}, 0); err != nil {
		t.Errorf("admin granting admin: %v", err)
	}
}

// TestRejectedUpdateHashesNothing checks that a password costs argon2id work
// only in an update that is otherwise valid.
func TestRejectedUpdateHashesNothing(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, f.a, directory.UserPatch{Username: ptr("ada")})
	_, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, directory.UserPatch{Email: ptr("not an address"), Password: ptr("correct horse battery")})
	wantKind(t, err, directory.Invalid, "email")
	if n := f.hasher.n.Load(); n != 0 {
		t.Errorf("a rejected update hashed %d passwords, want 0", n)
	}
}

func TestValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name  string
		patch directory.UserPatch
		field string
	}{
		{"no username", directory.UserPatch{}, "username"},
		{"username with a space", directory.UserPatch{Username: ptr("ada l")}, "username"},
		{"username of 65 characters", directory.UserPatch{Username: ptr(strings.Repeat("a", 65))}, "username"},
		{"email with a display name", directory.UserPatch{Username: ptr("a"), Email: ptr("Ada <ada@example.com>")}, "email"},
		{"email without a domain dot", directory.UserPatch{Username: ptr("a"), Email: ptr("ada@localhost")}, "email"},
		{"password of 7 characters", directory.UserPatch{Username: ptr("a"), Password: ptr("1234567")}, "password"},
		{"password of 257 characters", directory.UserPatch{Username: ptr("a"), Password: ptr(strings.Repeat("p", 257))}, "password"},
		{"extension over 16 KiB", directory.UserPatch{Username: ptr("a"), Extension: map[string]any{"k": strings.Repeat("x", 16<<10)}}, "extension"},
		{"two primary orgs", directory.UserPatch{Username: ptr("a"), Orgs: &[]directory.Membership{{OrgID: 1, Primary: true}, {OrgID: 2, Primary: true}}}, "orgs"},
		{"manager that does not exist", directory.UserPatch{Username: ptr("a"), ManagerID: ptr(int64(999))}, "manager_id"},
		{"org that does not exist", directory.UserPatch{Username: ptr("a"), Orgs: &[]directory.Membership{{OrgID: 999}}}, "orgs"},
		{"negative grade", directory.UserPatch{Username: ptr("a"), Grade: ptr(-1)}, "grade"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, tt.patch)
			wantKind(t, err, directory.Invalid, tt.field)
		})
	}
	if n := f.hasher.n.Load(); n != 0 {
		t.Errorf("invalid users hashed %d passwords, want 0", n)
	}
}

func TestReferencesStayInTheTenant(t *testing.T) {
	f := newFixture(t)
	foreign := f.user(t, f.b, directory.UserPatch{Username: ptr("carol")})
	foreignOrg, err := f.svc.CreateOrg(f.ctx, f.b, directory.OrgPatch{Name: ptr("Globex")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr("a"), ManagerID: &foreign.ID})
	wantKind(t, err, directory.Invalid, "manager_id")
	_, err = f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr("a"), Orgs: &[]directory.Membership{{OrgID: foreignOrg.ID}}})
	wantKind(t, err, directory.Invalid, "orgs")
	_, err = f.svc.CreateOrg(f.ctx, f.a, directory.OrgPatch{Name: ptr("Eng"), ParentID: &foreignOrg.ID})
	wantKind(t, err, directory.Invalid, "parent_id")
}

func TestUpdate(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, f.a, directory.UserPatch{Username: ptr("ada"), Name: ptr("Ada")})

	same, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, directory.UserPatch{Name: ptr("Ada")})
	if err != nil || same.Version != 1 {
		t.Errorf("a patch that changes nothing: got version %d, err %v; want version 1", same.Version, err)
	}
	_, err = f.svc.UpdateUser(f.ctx, f.a, u.ID, 7, directory.UserPatch{Name: ptr("Ada L")})
	if !errors.Is(err, directory.ErrVersionMismatch) {
		t.Errorf("update pinned to a stale version: got %v, want ErrVersionMismatch", err)
	}
	changed, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 1, directory.UserPatch{Name: ptr("Ada L"), Password: ptr("correct horse battery")})
	if err != nil {
		t.Fatal(err)
	}
	if changed.Version != 2 || changed.Name != "Ada L" || changed.PasswordChangedAt.IsZero() || !strings.HasPrefix(changed.PasswordHash, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("update with a password: got version %d, name %q, changed at %v, hash %.30q", changed.Version, changed.Name, changed.PasswordChangedAt, changed.PasswordHash)
	}
	if ok, err := f.hasher.VerifyPassword(f.ctx, "correct horse battery", changed.PasswordHash); !ok || err != nil {
		t.Errorf("the stored hash does not verify the new password: %v %v", ok, err)
	}
	if !changed.UpdatedAt.After(u.UpdatedAt) {
		t.Errorf("updated_at did not move: %v then %v", u.UpdatedAt, changed.UpdatedAt)
	}
}

// TestForeignUserCostsTheSame checks that an update of another tenant's user
// does what an update of a missing one does: answer NotFound before hashing.
func TestForeignUserCostsTheSame(t *testing.T) {
	f := newFixture(t)
	foreign := f.user(t, f.b, directory.UserPatch{Username: ptr("carol")})
	for _, id := range []int64{foreign.ID, foreign.ID + 100} {
		_, err := f.svc.UpdateUser(f.ctx, f.a, id, 0, directory.UserPatch{Password: ptr("correct horse battery")})
		wantKind(t, err, directory.NotFound, "")
	}
	if n := f.hasher.n.Load(); n != 0 {
		t.Errorf("updates of users outside the tenant hashed %d passwords, want 0", n)
	}
	if got, _ := f.svc.User(f.ctx, f.b, foreign.ID); got.Version != 1 {
		t.Errorf("the foreign user changed: version %d", got.Version)
	}
}

func TestUsersByIDKeepsTheOrderAsked(t *testing.T) {
	f := newFixture(t)
	u1 := f.user(t, f.a, directory.UserPatch{Username: ptr("u1")})
	u2 := f.user(t, f.a, directory.UserPatch{Username: ptr("u2")})
	foreign := f.user(t, f.b, directory.UserPatch{Username: ptr("u3")})
	got, err := f.svc.UsersByID(f.ctx, f.a, []int64{u2.ID, foreign.ID, u1.ID, 12345, u2.ID})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, u := range got {
		names = append(names, u.Username)
	}
	if strings.Join(names, ",") != "u2,u1" {
		t.Errorf("got %v, want [u2 u1]: asked order, each once, others left out", names)
	}
}

func (f *fixture) org(t *testing.T, name string, parent int64) directory.Org {
	t.Helper()
	o, err := f.svc.CreateOrg(f.ctx, f.a, directory.OrgPatch{Name: &name, ParentID: &parent})
	if err != nil {
		t.Fatalf("create org %q: %v", name, err)
	}
	return o
}

func TestOrgTreeHasNoCycles(t *testing.T) {
	f := newFixture(t)
	root := f.org(t, "Root", 0)
	child := f.org(t, "Child", root.ID)
	grandchild := f.org(t, "Grandchild", child.ID)
	for _, parent := range []int64{root.ID, child.ID, grandchild.ID} {
		_, err := f.svc.UpdateOrg(f.ctx, f.a, root.ID, 0, directory.OrgPatch{ParentID: &parent})
		wantKind(t, err, directory.Invalid, "parent_id")
	}
	if got, _ := f.svc.Org(f.ctx, f.a, root.ID); got.ParentID != 0 || got.Version != 1 {
		t.Errorf("root after refused moves: parent %d, version %d; want a root at version 1", got.ParentID, got.Version)
	}
}

// TestOrgTreeDepth checks the depth limit counts the levels below a moved
// org as well as those above its new parent.
func TestOrgTreeDepth(t *testing.T) {
	f := newFixture(t)
	var bottom directory.Org
	for i := range directory.MaxOrgLevels - 1 {
		bottom = f.org(t, "level "+strconv.Itoa(i+1), bottom.ID)
	}
	last := f.org(t, "the last level", bottom.ID)
	_, err := f.svc.CreateOrg(f.ctx, f.a, directory.OrgPatch{Name: ptr("one too deep"), ParentID: &last.ID})
	wantKind(t, err, directory.Invalid, "parent_id")

	top := f.org(t, "top of two levels", 0)
	f.org(t, "below it", top.ID)
	_, err = f.svc.UpdateOrg(f.ctx, f.a, top.ID, 0, directory.OrgPatch{ParentID: &bottom.ID})
	wantKind(t, err, directory.Invalid, "parent_id")
	if got, _ := f.svc.Org(f.ctx, f.a, top.ID); got.ParentID != 0 {
		t.Errorf("a refused move changed the parent to %d", got.ParentID)
	}
}

// TestManagerChains checks that no manager cycle can be made, however
// long, and that a chain of managers stays within MaxManagerLevels,
// counting the reports below a user whose manager changes.
func TestManagerChains(t *testing.T) {
	f := newFixture(t)
	setManager := func(id, manager int64) error {
		_, err := f.svc.UpdateUser(f.ctx, f.a, id, 0, directory.UserPatch{ManagerID: &manager})
		return err
	}
	a := f.user(t, f.a, directory.UserPatch{Username: ptr("a")})
	b := f.user(t, f.a, directory.UserPatch{Username: ptr("b"), ManagerID: &a.ID})
	c := f.user(t, f.a, directory.UserPatch{Username: ptr("c"), ManagerID: &b.ID})
	for _, manager := range []int64{a.ID, b.ID, c.ID} {
		wantKind(t, setManager(a.ID, manager), directory.Invalid, "manager_id")
	}
	if got, _ := f.svc.User(f.ctx, f.a, a.ID); got.ManagerID != 0 || got.Version != 1 {
		t.Errorf("a after refused changes: manager %d, version %d; want none at version 1", got.ManagerID, got.Version)
	}

	bottom := c
	for i := 4; i <= directory.MaxManagerLevels; i++ {
		bottom = f.user(t, f.a, directory.UserPatch{Username: ptr("level" + strconv.Itoa(i)), ManagerID: &bottom.ID})
	}
	_, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr("too-deep"), ManagerID: &bottom.ID})
	wantKind(t, err, directory.Invalid, "manager_id")

	boss := f.user(t, f.a, directory.UserPatch{Username: ptr("boss")})
	f.user(t, f.a, directory.UserPatch{Username: ptr("report"), ManagerID: &boss.ID})
	wantKind(t, setManager(boss.ID, bottom.ID), directory.Invalid, "manager_id")
	if err := setManager(boss.ID, c.ID); err != nil {
		t.Errorf("a move that stays within the limit: %v", err)
	}
}

func TestBootstrap(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	h, _ := auth.NewHasher(auth.HashParams{}, 0)
	svc := directory.NewService(st, h)
	c, secret, ok, err := svc.Bootstrap(ctx)
	if err != nil || !ok {
		t.Fatalf("first bootstrap: ok %v, err %v", ok, err)
	}
	if !c.Scopes.Contains(directory.AllScopes) || !directory.SecretMatches(secret.Reveal(), c.SecretHash) {
		t.Errorf("bootstrap client: scopes %v; its secret must match its hash", c.Scopes)
	}
	if _, _, ok, err := svc.Bootstrap(ctx); ok || err != nil {
		t.Errorf("second bootstrap: ok %v, err %v; want nothing done", ok, err)
	}
}

func TestSecretRedacts(t *testing.T) {
	s := directory.NewSecret(directory.APITokenPrefix)
	if strings.Contains(s.String(), "udt_") || !strings.HasPrefix(s.Reveal(), "udt_") || len(s.Reveal()) < 4+43 {
		t.Errorf("secret: String %q, Reveal %q; want a redacted String and 256 bits behind the prefix", s.String(), s.Reveal())
	}
}

// TestPasswordsHashedForTheirTenant checks that the Service tells the
// hasher whose password it hashes, so the hasher can serve tenants in turn
// (TestHasherFairAcrossTenants, internal/auth).
func TestPasswordsHashedForTheirTenant(t *testing.T) {
	f := newFixture(t)
	u := f.user(t, f.b, directory.UserPatch{Username: ptr("ada"), Password: ptr("correct horse battery")})
	if got := f.hasher.lastTenant.Load(); got != f.b.TenantID {
		t.Errorf("create: got the hash made for tenant %d, want %d", got, f.b.TenantID)
	}
	f.user(t, f.a, directory.UserPatch{Username: ptr("bob"), Password: ptr("correct horse battery")})
	if _, err := f.svc.UpdateUser(f.ctx, f.b, u.ID, 0, directory.UserPatch{Password: ptr("another good password")}); err != nil {
		t.Fatal(err)
	}
	if got := f.hasher.lastTenant.Load(); got != f.b.TenantID {
		t.Errorf("update: got the hash made for tenant %d, want %d", got, f.b.TenantID)
	}
}

// TestTenantNames checks the tenant-name rule, and that a name is never all
// digits: digits in --tenant (and in the APIs) are a tenant id, so a tenant
// named "2" would let credentials meant for it land in tenant id 2.
func TestTenantNames(t *testing.T) {
	f := newFixture(t)
	for name, ok := range map[string]bool{"acme": true, "2fa": true, "a-1": true, "0x1": true,
		"2": false, "0042": false, "-a": false, "Acme": false, "": false, strings.Repeat("a", 64): false} {
		_, err := f.svc.CreateTenant(f.ctx, name)
		if ok && err != nil {
			t.Errorf("tenant name %q: got %v, want it accepted", name, err)
		}
		if !ok && directory.KindOf(err) != directory.Invalid {
			t.Errorf("tenant name %q: got %v, want an invalid name", name, err)
		}
	}
}
