// Package dialecttest is what the tests of the API dialects share: a real
// directory.Service over a fresh store (SQLite, or PostgreSQL under
// OnPostgres, so one set of golden files holds what every engine must
// answer), real credentials from package auth, a fixed set of users and
// orgs, and golden-file checks of HTTP exchanges. Its own tests check that
// a change through one dialect is seen by the others.
package dialecttest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// Env is a directory with two tenants. Tenant "acme" holds orgs Eng and
// Research and users Ada (every field set) and Bob (few fields, values of
// the wrong type in his extension); tenant "globex" holds Carol. Created in
// this order in a fresh store, every id is the same on every run.
type Env struct {
	Service *directory.Service
	Authn   *auth.Authenticator
	// Tenant is "acme"; Other is "globex".
	Tenant, Other directory.Tenant
	Eng, Research directory.Org
	Ada, Bob      directory.User
	Carol         directory.User
	// Credentials holds bearer secrets by name, all of tenant acme unless
	// said otherwise: "rw" (API token, users:read users:write), "ro"
	// (users:read), "admin" (admin only), "revoked", "expired", "access" (a
	// client access token, users:read) and "other" (globex, users:read
	// users:write).
	Credentials map[string]string
	// DatabaseURL is the URL of the store's PostgreSQL database, "" on
	// SQLite: for a benchmark that measures the database's work too.
	DatabaseURL string
}

// New builds an Env on a fresh store: SQLite in t's temporary directory,
// or a PostgreSQL database of its own when t runs under OnPostgres.
func New(t testing.TB) *Env {
	t.Helper()
	ctx := context.Background()
	st, dbURL := openStore(t)
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	hasher, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		t.Fatalf("new hasher: %v", err)
	}
	authn, err := auth.NewAuthenticator(ctx, st, auth.Options{})
	if err != nil {
		t.Fatalf("new authenticator: %v", err)
	}
	e := &Env{Service: directory.NewService(st, hasher), Authn: authn, Credentials: map[string]string{}, DatabaseURL: dbURL}
	e.Service.WatchCredentials(authn)
	e.Tenant = e.tenant(t, "acme")
	e.Other = e.tenant(t, "globex")

	sys := directory.System(e.Tenant.ID)
	sys.ClientIP = "203.0.113.7"
	e.Eng = e.org(t, sys, "Engineering", "eng")
	e.Research = e.org(t, sys, "Research", "research")
	e.Ada = e.user(t, sys, directory.OriginAdmin, directory.UserPatch{
		Username: ptr("ada"), Name: ptr("Ada Lovelace"), NickName: ptr("ada"),
		Email: ptr("ada@example.com"), Phone: ptr("5550100"), PhoneCountryCode: ptr("+44"),
		EnterpriseID: ptr("ent-1"), Grade: ptr(3), EmployeeNumber: ptr("SO8T"),
		Address: ptr("12 St James's Square"), City: ptr("London"), Province: ptr("Greater London"),
		Country: ptr("GB"), Comment: ptr("first programmer"), MustChangePassword: ptr(true),
		Password: ptr("correct horse battery"),
		Extension: map[string]any{
			"role_id": json.Number("2"), "level_id": json.Number("6"), "server_id": "7",
			"login": json.Number("1001"), "send_email": true,
		},
		Orgs: &[]directory.Membership{{OrgID: e.Eng.ID, Primary: true}, {OrgID: e.Research.ID}},
	})
	e.Bob = e.user(t, directory.System(e.Tenant.ID), directory.OriginImport, directory.UserPatch{
		Username: ptr("bob"), Locked: ptr(true), Active: ptr(false), ManagerID: &e.Ada.ID,
		Extension: map[string]any{
			"role_id": "admin", "level_id": json.Number("2.5"), "send_email": "yes",
			"team": map[string]any{"name": "blue", "size": json.Number("4")},
		},
		Orgs: &[]directory.Membership{{OrgID: e.Research.ID}},
	})
	e.Carol = e.user(t, directory.System(e.Other.ID), directory.OriginAPI, directory.UserPatch{
		Username: ptr("carol"), Email: ptr("carol@example.net"),
	})

	e.token(t, e.Tenant.ID, "rw", directory.Scopes{directory.ScopeUsersRead, directory.ScopeUsersWrite}, 0)
	e.token(t, e.Tenant.ID, "ro", directory.Scopes{directory.ScopeUsersRead}, 0)
	e.token(t, e.Tenant.ID, "admin", directory.Scopes{directory.ScopeAdmin}, 0)
	e.token(t, e.Other.ID, "other", directory.Scopes{directory.ScopeUsersRead, directory.ScopeUsersWrite}, 0)
	revoked := e.token(t, e.Tenant.ID, "revoked", directory.Scopes{directory.ScopeUsersRead}, 0)
	if _, err := e.Service.RevokeAPIToken(ctx, directory.System(e.Tenant.ID), revoked.ID); err != nil {
		t.Fatalf("revoke token: %v", err)
	}
	e.expiredToken(t, st, "expired", directory.Scopes{directory.ScopeUsersRead})
	e.Credentials["access"] = accessToken(t, e, directory.Scopes{directory.ScopeUsersRead})
	return e
}

// Deps returns what an API dialect is built from over this Env: its
// Service and authenticator, a discarding logger and the default body limit.
func (e *Env) Deps() server.Deps {
	return server.Deps{Service: e.Service, Authn: e.Authn}.WithDefaults()
}

// Principal returns a principal with every scope in tenant acme, for tests
// that read the Service directly.
func (e *Env) Principal() directory.Principal { return directory.System(e.Tenant.ID) }

func (e *Env) tenant(t testing.TB, name string) directory.Tenant {
	t.Helper()
	tn, err := e.Service.CreateTenant(context.Background(), name)
	if err != nil {
		t.Fatalf("create tenant %s: %v", name, err)
	}
	return tn
}

func (e *Env) org(t testing.TB, p directory.Principal, name, code string) directory.Org {
	t.Helper()
	o, err := e.Service.CreateOrg(context.Background(), p, directory.OrgPatch{Name: &name, Code: &code})
	if err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return o
}

func (e *Env) user(t testing.TB, p directory.Principal, origin string, patch directory.UserPatch) directory.User {
	t.Helper()
	u, err := e.Service.CreateUser(context.Background(), p, origin, patch)
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	return u
}

func (e *Env) token(t testing.TB, tenantID int64, name string, scopes directory.Scopes, ttl time.Duration) directory.APIToken {
	t.Helper()
	tok, secret, err := e.Service.CreateAPIToken(context.Background(), directory.System(tenantID), name, scopes, ttl)
	if err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	e.Credentials[name] = secret.Reveal()
	return tok
}

// expiredToken stores an API token of tenant acme that expired an hour
// before it was made, as no API can make one, so no test waits for a
// clock.
func (e *Env) expiredToken(t testing.TB, st directory.Store, name string, scopes directory.Scopes) {
	t.Helper()
	secret := directory.NewSecret(directory.APITokenPrefix)
	now := time.Now().UTC()
	tok := directory.APIToken{TenantID: e.Tenant.ID, Name: name, Scopes: scopes,
		Hash: directory.HashSecret(secret.Reveal()), CreatedAt: now, ExpiresAt: now.Add(-time.Hour)}
	ev := directory.Event{TenantID: e.Tenant.ID, Time: now, Actor: "test", Action: "token.create", Fields: []string{"name", "scope", "expires_at"}}
	if _, err := st.CreateAPIToken(context.Background(), tok, ev); err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	e.Credentials[name] = secret.Reveal()
}

func ptr[T any](v T) *T { return &v }

// BrokenAuthenticator fails every call the way an unexpected fault does:
// with an error that is not a *directory.Error. Dialects must answer it as
// an internal error (500) without showing its text.
type BrokenAuthenticator struct{}

// Authenticate returns a plain error.
func (BrokenAuthenticator) Authenticate(context.Context, string) (directory.Principal, error) {
	return directory.Principal{}, errors.New("signing key unavailable")
}
