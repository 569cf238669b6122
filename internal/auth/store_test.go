package auth

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
	"github.com/userd/userd/internal/postgres/pgtest"
	"github.com/userd/userd/internal/sqlite"
)

// countingStore is the real SQLite store, counting the lookups the
// Authenticator's caches are meant to save.
type countingStore struct {
	directory.Store
	clientLookups atomic.Int32
	tokenLookups  atomic.Int32
}

func (s *countingStore) ClientByClientID(ctx context.Context, clientID string) (directory.Client, error) {
	s.clientLookups.Add(1)
	return s.Store.ClientByClientID(ctx, clientID)
}

func (s *countingStore) APITokenByHash(ctx context.Context, hash []byte) (directory.APIToken, error) {
	s.tokenLookups.Add(1)
	return s.Store.APITokenByHash(ctx, hash)
}

// env is a migrated SQLite store with one tenant, the service over it and
// an Authenticator on a fake clock.
type env struct {
	store  *countingStore
	svc    *directory.Service
	authn  *Authenticator
	clock  *fakeClock
	tenant directory.Tenant
	admin  directory.Principal
}

const testCacheTTL = 10 * time.Second

func newEnv(t testing.TB) *env {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatalf("sqlite.Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return newEnvOn(t, st)
}

// engines returns, by name, functions that open a fresh migrated store on
// each engine: SQLite always, PostgreSQL when pgtest.URLVar is set.
func engines() map[string]func(t testing.TB) *env {
	out := map[string]func(t testing.TB) *env{"sqlite": newEnv}
	if base := os.Getenv(pgtest.URLVar); base != "" {
		out["postgres"] = func(t testing.TB) *env {
			st, err := postgres.Open(context.Background(), pgtest.Fresh(t, base))
			if err != nil {
				t.Fatalf("postgres.Open: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			return newEnvOn(t, st)
		}
	}
	return out
}

// migrator is a store whose schema Migrate creates.
type migrator interface {
	directory.Store
	Migrate(ctx context.Context) error
}

// newEnvOn builds an env on st, an empty store it migrates.
func newEnvOn(t testing.TB, st migrator) *env {
	t.Helper()
	ctx := context.Background()
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	store := &countingStore{Store: st}
	hasher, err := NewHasher(HashParams{}, 0)
	if err != nil {
		t.Fatalf("NewHasher: %v", err)
	}
	svc := directory.NewService(store, hasher)
	tenant, err := svc.CreateTenant(ctx, "acme")
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	clock := newFakeClock()
	authn, err := NewAuthenticator(ctx, store, Options{CacheTTL: testCacheTTL, Now: clock.now})
	if err != nil {
		t.Fatalf("NewAuthenticator: %v", err)
	}
	t.Cleanup(authn.failures.wg.Wait) // before the store closes
	return &env{store: store, svc: svc, authn: authn, clock: clock, tenant: tenant, admin: directory.System(tenant.ID)}
}

// client creates a client holding scopes and returns it with its secret.
func (e *env) client(t testing.TB, scopes ...directory.Scope) (directory.Client, directory.Secret) {
	t.Helper()
	c, secret, err := e.svc.CreateClient(context.Background(), e.admin, "app", scopes)
	if err != nil {
		t.Fatalf("CreateClient: %v", err)
	}
	return c, secret
}

// apiToken creates an API token expiring after ttl (0: never).
func (e *env) apiToken(t *testing.T, ttl time.Duration, scopes ...directory.Scope) (directory.APIToken, directory.Secret) {
	t.Helper()
	tok, secret, err := e.svc.CreateAPIToken(context.Background(), e.admin, "ci", scopes, ttl)
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	return tok, secret
}

func (e *env) disable(t *testing.T, clientID string, disabled bool) {
	t.Helper()
	if _, err := e.svc.SetClientDisabled(context.Background(), e.admin, clientID, disabled); err != nil {
		t.Fatalf("SetClientDisabled: %v", err)
	}
}
