package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/storewatch"

	"github.com/userd/userd/internal/apidoc/apidoctest"
	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/console"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/metrics"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/sqlite"
)

var update = flag.Bool("update", false, "rewrite golden files")

// credential is one kind of caller: the bearer string it presents to the
// APIs, the tenant it says it acts in (user-info v1's x-api-tenantId), and,
// where it has them, client credentials for the token endpoint.
type credential struct {
	bearer       string
	tenantID     int64
	clientID     string
	clientSecret string
}

// credentialKinds are the callers every route is tried with, in the order
// the matrix rows list their statuses.
var credentialKinds = []string{"none", "garbage", "expired", "revoked", "disabled", "other-tenant", "users:read", "users:write", "admin"}

// authzEnv is the whole server as cmd/userd wires it (newHandler), over a
// real SQLite store and the real password hasher, both counted, with two
// tenants: acme, whose objects every request names, and globex.
type authzEnv struct {
	// t is the test that built the env; do checks exchanges against the
	// OpenAPI document on it.
	t       testing.TB
	dbPath  string
	store   directory.Store // the real store, its calls recorded in calls
	calls   *callLog
	hasher  *countingHasher
	svc     *directory.Service
	handler *server.Server

	acme, globex directory.Tenant
	// ada is read and changed; victim is deleted.
	ada, victim directory.User
	// eng is read and changed; old is deleted.
	eng, old directory.Org
	// target is the client changed; victimToken the token revoked.
	target      directory.Client
	victimToken directory.APIToken
	// hook is the webhook subscription read, changed and deleted.
	hook  directory.Subscription
	creds map[string]credential
}

// newAuthzEnv builds an authzEnv in t's temporary directory.
func newAuthzEnv(t *testing.T) *authzEnv {
	t.Helper()
	ctx := context.Background()
	e := &authzEnv{t: t, dbPath: filepath.Join(t.TempDir(), "userd.db"), creds: map[string]credential{}}
	st, err := sqlite.Open(ctx, e.dbPath, sqlite.Options{})
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	h, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		t.Fatalf("new hasher: %v", err)
	}
	e.calls, e.hasher = &callLog{}, &countingHasher{PasswordHasher: h}
	e.store = storewatch.Wrap(st, e.calls)
	e.svc = directory.NewService(e.store, e.hasher)

	c := newFlags("serve", noEnv, streams{stdout: io.Discard, stderr: io.Discard})
	var cfg serveConfig
	cfg.define(c)
	if err := c.parse([]string{"--metrics-addr", metricsOnAPI}); err != nil {
		t.Fatalf("default serve flags: %v", err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if e.handler, _, err = newHandler(ctx, cfg, time.UTC, logger, e.store, e.svc, metrics.New(dialectOf), nil); err != nil {
		t.Fatalf("newHandler: %v", err)
	}

	e.acme, e.globex = e.tenant(t, "acme"), e.tenant(t, "globex")
	sys := directory.System(e.acme.ID)
	e.ada = e.user(t, sys, "ada")
	e.victim = e.user(t, sys, "victim")
	e.user(t, directory.System(e.globex.ID), "carol")
	e.eng = e.org(t, sys, "Engineering", "eng")
	e.old = e.org(t, sys, "Old", "old")
	e.target, _ = e.client(t, sys, "target", directory.Scopes{directory.ScopeUsersRead})
	e.victimToken, _ = e.apiToken(t, sys, "victim")
	if e.hook, err = e.svc.CreateSubscription(ctx, sys, directory.SubscriptionInput{URL: "https://93.184.216.34/hook"}); err != nil {
		t.Fatalf("create webhook: %v", err)
	}

	all := directory.AllScopes
	e.creds["none"] = credential{tenantID: e.acme.ID}
	e.creds["garbage"] = credential{bearer: "garbage-credential", tenantID: e.acme.ID, clientID: "udc_garbage", clientSecret: "uds_garbage"}

	expired, secret := e.client(t, sys, "expired", all)
	past, err := auth.NewAuthenticator(ctx, e.store, auth.Options{Now: func() time.Time { return time.Now().Add(-2 * time.Hour) }})
	if err != nil {
		t.Fatalf("new authenticator: %v", err)
	}
	e.creds["expired"] = credential{bearer: grant(t, auth.TokenHandler(past), expired.ClientID, secret), tenantID: e.acme.ID}

	revoked, token := e.apiToken(t, sys, "revoked")
	if _, err := e.svc.RevokeAPIToken(ctx, sys, revoked.ID); err != nil {
		t.Fatalf("revoke token: %v", err)
	}
	e.creds["revoked"] = credential{bearer: token, tenantID: e.acme.ID}

	// The disabled client's token is issued and the client disabled before
	// any request uses the token, so no cached status lets it through.
	disabled := e.clientCredential(t, sys, "disabled", all)
	if _, err := e.svc.SetClientDisabled(ctx, sys, disabled.clientID, true); err != nil {
		t.Fatalf("disable client: %v", err)
	}
	e.creds["disabled"] = disabled

	e.creds["other-tenant"] = e.clientCredential(t, directory.System(e.globex.ID), "other", all)
	for _, sc := range all {
		e.creds[string(sc)] = e.clientCredential(t, sys, string(sc), directory.Scopes{sc})
	}
	e.calls.take()
	return e
}

func (e *authzEnv) tenant(t *testing.T, name string) directory.Tenant {
	t.Helper()
	tn, err := e.svc.CreateTenant(context.Background(), name)
	if err != nil {
		t.Fatalf("create tenant %s: %v", name, err)
	}
	return tn
}

func (e *authzEnv) user(t *testing.T, p directory.Principal, username string) directory.User {
	t.Helper()
	email := username + "@example.com"
	u, err := e.svc.CreateUser(context.Background(), p, directory.OriginAdmin, directory.UserPatch{Username: &username, Name: &username, Email: &email})
	if err != nil {
		t.Fatalf("create user %s: %v", username, err)
	}
	return u
}

func (e *authzEnv) org(t *testing.T, p directory.Principal, name, code string) directory.Org {
	t.Helper()
	o, err := e.svc.CreateOrg(context.Background(), p, directory.OrgPatch{Name: &name, Code: &code})
	if err != nil {
		t.Fatalf("create org %s: %v", name, err)
	}
	return o
}

func (e *authzEnv) client(t *testing.T, p directory.Principal, name string, scopes directory.Scopes) (directory.Client, string) {
	t.Helper()
	c, secret, err := e.svc.CreateClient(context.Background(), p, name, scopes)
	if err != nil {
		t.Fatalf("create client %s: %v", name, err)
	}
	return c, secret.Reveal()
}

func (e *authzEnv) apiToken(t *testing.T, p directory.Principal, name string) (directory.APIToken, string) {
	t.Helper()
	tok, secret, err := e.svc.CreateAPIToken(context.Background(), p, name, directory.AllScopes, 0)
	if err != nil {
		t.Fatalf("create token %s: %v", name, err)
	}
	return tok, secret.Reveal()
}

// clientCredential creates a client and gets it an access token from the
// server's token endpoint.
func (e *authzEnv) clientCredential(t *testing.T, p directory.Principal, name string, scopes directory.Scopes) credential {
	t.Helper()
	c, secret := e.client(t, p, name, scopes)
	return credential{bearer: grant(t, e.handler, c.ClientID, secret), tenantID: p.TenantID, clientID: c.ClientID, clientSecret: secret}
}

// grant asks h's token endpoint for an access token.
func grant(t *testing.T, h http.Handler, clientID, secret string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {clientID}, "client_secret": {secret}}
	req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); rec.Code != http.StatusOK || err != nil || tok.AccessToken == "" {
		t.Fatalf("token endpoint: got %d %s, want 200 with an access_token", rec.Code, rec.Body)
	}
	return tok.AccessToken
}

// do serves one request and returns the response, after checking the
// exchange against the OpenAPI document.
func (e *authzEnv) do(method, target, contentType, body string, header map[string]string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	e.handler.ServeHTTP(rec, req)
	if !isConsole(target) {
		apidoctest.Check(e.t, req, []byte(body), rec.Code, rec.Header(), rec.Body.Bytes())
	}
	return rec
}

// isConsole reports whether target is a page of the admin console: HTML
// for people, described in docs/console.md rather than openapi.json.
func isConsole(target string) bool { return strings.HasPrefix(target, console.Prefix) }
