package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/client"
)

// newClient starts a server and returns it with a Client holding the admin
// client's credentials.
func newClient(t *testing.T, tokenLifetime time.Duration) (*testServer, *client.Client) {
	t.Helper()
	srv := startServer(tokenLifetime)
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, srv.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// asError returns err as an *client.Error, failing the test if it is not one.
func asError(t *testing.T, err error) *client.Error {
	t.Helper()
	e, ok := errors.AsType[*client.Error](err)
	if !ok {
		t.Fatalf("got %v, want a *client.Error", err)
	}
	return e
}

func TestNewRefusesBadSetups(t *testing.T) {
	tests := []struct {
		name string
		base string
		opts []client.Option
	}{
		{"no credentials", "http://127.0.0.1:8080", nil},
		{"both credentials", "http://127.0.0.1:8080", []client.Option{client.WithBearer("udt_x"), client.WithClientCredentials("id", "secret")}},
		{"relative URL", "/admin", []client.Option{client.WithBearer("udt_x")}},
		{"other scheme", "ftp://example.com", []client.Option{client.WithBearer("udt_x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := client.New(tt.base, tt.opts...); err == nil {
				t.Errorf("got no error, want one")
			}
		})
	}
}

// TestTokenCachedThenRenewed checks the access token is reused while it
// has most of its life left and replaced before it expires.
func TestTokenCachedThenRenewed(t *testing.T) {
	_, c := newClient(t, 2*time.Second)
	ctx := context.Background()
	first, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := c.Token(ctx); err != nil || again != first {
		t.Errorf("second Token: got %+v, %v, want the cached %+v", again, err, first)
	}
	if life := time.Until(first.Expiry); life <= time.Second || life > 2*time.Second {
		t.Errorf("got expiry in %v, want about 2 s", life)
	}
	// Renewal is due when a tenth of the 2 s life remains.
	time.Sleep(time.Until(first.Expiry) - 150*time.Millisecond)
	renewed, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if renewed.AccessToken == first.AccessToken || !renewed.Expiry.After(first.Expiry) {
		t.Errorf("near expiry: got the same token or an older expiry, want a new token")
	}
	if _, err := c.User(ctx, 1); !client.IsNotFound(err) {
		t.Errorf("a call with the renewed token: got %v, want not found", err)
	}
}

func TestTokenErrors(t *testing.T) {
	srv, _ := newClient(t, 0)
	c, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, "uds_wrong"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.User(context.Background(), 1)
	e := asError(t, err)
	// The Client sends client credentials with HTTP Basic, which RFC 6749 answers with 401.
	if e.Status != 401 || e.Title != "invalid_client" || e.Code != "TOKEN.1203" {
		t.Errorf("got %+v, want 401 invalid_client TOKEN.1203", e)
	}
	bearer, err := client.New(srv.URL, client.WithBearer("udt_x"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bearer.Token(context.Background()); err == nil {
		t.Errorf("Token with a fixed bearer: got no error, want one")
	}
}

func TestUsers(t *testing.T) {
	_, c := newClient(t, 0)
	ctx := context.Background()
	u, err := c.CreateUser(ctx, client.UserInput{Username: new("ada"), Email: new("ada@example.com"), Password: new("correct horse battery"),
		Extension: map[string]any{"team": "core"}})
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Version != 1 || !u.Active || u.PasswordChangedAt == nil || u.Extension["team"] != "core" || u.CreatedAt.IsZero() {
		t.Errorf("created: got %+v", u)
	}
	org, err := c.CreateOrg(ctx, client.OrgInput{Name: new("Engineering"), Code: new("eng")})
	if err != nil {
		t.Fatal(err)
	}
	u, err = c.UpdateUser(ctx, u.ID, client.UserInput{Orgs: &[]client.Membership{{OrgID: org.ID, Primary: true}}}, u.Version)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := u.Orgs, []client.Membership{{OrgID: org.ID, Primary: true}}; !slices.Equal(got, want) || u.Version != 2 {
		t.Errorf("after update: got orgs %v version %d, want %v version 2", got, u.Version, want)
	}
	got, err := c.User(ctx, u.ID)
	if err != nil || got.Version != 2 || got.Email != "ada@example.com" {
		t.Errorf("get: got %+v, %v", got, err)
	}

	profile := client.UserInput{ProfileInput: client.ProfileInput{ExternalID: new("00u1ada"), GivenName: new("Ada"),
		OtherEmails: &[]client.Contact{{Value: "ada@home.example", Type: "home"}}, Birthday: new("1815-12-10")}}
	if u, err = c.UpdateUser(ctx, u.ID, profile, 0); err != nil {
		t.Fatal(err)
	}
	n := 0
	for found, err := range c.Users(ctx, client.UserQuery{ExternalID: "00u1ada"}) {
		n++
		if err != nil || found.ID != u.ID || found.GivenName != "Ada" || found.Birthday != "1815-12-10" ||
			!slices.Equal(found.OtherEmails, []client.Contact{{Value: "ada@home.example", Type: "home"}}) {
			t.Errorf("by external id: got %+v, %v; want the profile set", found.Profile, err)
		}
	}
	if n != 1 {
		t.Errorf("by external id: got %d users, want 1", n)
	}

	tests := []struct {
		name   string
		err    error
		status int
		typ    string
		field  string
	}{
		{"stale version", func() error { _, err := c.UpdateUser(ctx, u.ID, client.UserInput{Name: new("x")}, 1); return err }(), 412, "precondition-failed", ""},
		{"duplicate username", func() error { _, err := c.CreateUser(ctx, client.UserInput{Username: new("ADA")}); return err }(), 409, "conflict", "username"},
		{"bad email", func() error {
			_, err := c.CreateUser(ctx, client.UserInput{Username: new("bob"), Email: new("bob")})
			return err
		}(), 400, "invalid", "email"},
		{"org with members", c.DeleteOrg(ctx, org.ID, 0), 409, "conflict", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := asError(t, tt.err)
			if e.Status != tt.status || e.Type != "https://github.com/userd/userd/blob/main/docs/api/admin.md#"+tt.typ || e.Field != tt.field || e.Detail == "" {
				t.Errorf("got %+v, want status %d, type %s, field %q and a detail", e, tt.status, tt.typ, tt.field)
			}
		})
	}

	if err := c.DeleteUser(ctx, u.ID, u.Version); err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(ctx, u.ID); !client.IsNotFound(err) {
		t.Errorf("after delete: got %v, want not found", err)
	}
	if err := c.DeleteOrg(ctx, org.ID, org.Version); err != nil {
		t.Errorf("delete the emptied org: %v", err)
	}
}

// TestListsIterateEveryPage lists more users and orgs than fit a page and
// checks each comes once, in id order, and that breaking out stops early.
func TestListsIterateEveryPage(t *testing.T) {
	_, c := newClient(t, 0)
	ctx := context.Background()
	var want []string
	root, err := c.CreateOrg(ctx, client.OrgInput{Name: new("root")})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		name := fmt.Sprintf("user%d", i)
		want = append(want, name)
		if _, err := c.CreateUser(ctx, client.UserInput{Username: new(name)}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateOrg(ctx, client.OrgInput{Name: new(name), ParentID: new(root.ID)}); err != nil {
			t.Fatal(err)
		}
	}
	var users, orgs []string
	for u, err := range c.Users(ctx, client.UserQuery{Username: "user", PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u.Username)
	}
	for o, err := range c.Orgs(ctx, client.OrgQuery{ParentID: root.ID, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, o.Name)
	}
	if !slices.Equal(users, want) || !slices.Equal(orgs, want) {
		t.Errorf("got users %v and orgs %v, want %v for both", users, orgs, want)
	}
	n := 0
	for range c.Users(ctx, client.UserQuery{PageSize: 2}) {
		n++
		if n == 3 {
			break
		}
	}
	if n != 3 {
		t.Errorf("break after 3: got %d users", n)
	}
	for _, err := range c.Users(ctx, client.UserQuery{PageSize: 5000}) {
		if e := asError(t, err); e.Field != "limit" {
			t.Errorf("page size 5000: got %+v, want a problem about limit", e)
		}
	}
}

func TestClientsAndTokens(t *testing.T) {
	srv, c := newClient(t, 0)
	ctx := context.Background()
	ac, secret, err := c.CreateClient(ctx, "hr-sync", "users:read")
	if err != nil {
		t.Fatal(err)
	}
	if ac.Scope != "users:read" || ac.Disabled || secret == "" {
		t.Errorf("created client: got %+v, secret %q", ac, secret)
	}
	hr, err := client.New(srv.URL, client.WithClientCredentials(ac.ClientID, secret, "users:read"))
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := hr.Token(ctx); err != nil || tok.Scope != "users:read" {
		t.Errorf("the new client's token: got %+v, %v", tok, err)
	}
	if ac, err = c.SetClientDisabled(ctx, ac.ClientID, true); err != nil || !ac.Disabled {
		t.Errorf("disable: got %+v, %v", ac, err)
	}
	restore := client.SetCredentialPageSize(1)
	defer restore()
	clients, err := c.Clients(ctx)
	if err != nil || len(clients) != 2 {
		t.Errorf("clients: got %+v, %v, want the admin client and hr-sync", clients, err)
	}

	tok, token, err := c.CreateToken(ctx, "reporting", "users:read", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if tok.ExpiresAt == nil || time.Until(*tok.ExpiresAt) < 59*time.Minute {
		t.Errorf("token expiry: got %v, want in an hour", tok.ExpiresAt)
	}
	reader, err := client.New(srv.URL, client.WithBearer(token))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reader.User(ctx, 1); !client.IsNotFound(err) {
		t.Errorf("read with the API token: got %v, want not found", err)
	}
	if err := c.RevokeToken(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	tokens, err := c.Tokens(ctx)
	if err != nil || len(tokens) != 1 || tokens[0].RevokedAt == nil {
		t.Errorf("tokens: got %+v, %v, want one revoked token", tokens, err)
	}

	var actions []string
	for ev, err := range c.AuditEvents(ctx, 2) {
		if err != nil {
			t.Fatal(err)
		}
		actions = append(actions, ev.Action)
	}
	if n := len(actions); n < 4 || actions[n-1] != "token.revoke" {
		t.Errorf("audit log: got actions %v, want the bootstrap, client and token changes ending with token.revoke", actions)
	}
}

func TestContextCanceled(t *testing.T) {
	_, c := newClient(t, 0)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.User(ctx, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want it to wrap context.Canceled", err)
	}
}

// spoilFirst is a transport that replaces the bearer credential of the
// first admin API request with junk, as if the server no longer accepted
// the cached access token.
type spoilFirst struct {
	mu      sync.Mutex
	spoiled bool
	tokens  int
}

func (s *spoilFirst) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	if r.URL.Path == "/oauth/token" {
		s.tokens++
	} else if !s.spoiled {
		s.spoiled = true
		r = r.Clone(r.Context())
		r.Header.Set("Authorization", "Bearer junk")
	}
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

// TestRefusedTokenRenewedOnce checks a 401 to a cached access token makes
// the Client fetch a new token and send the request again, once.
func TestRefusedTokenRenewedOnce(t *testing.T) {
	srv := startServer(0)
	t.Cleanup(srv.Close)
	tr := &spoilFirst{}
	c, err := client.New(srv.URL, client.WithClientCredentials(srv.ClientID, srv.ClientSecret), client.WithHTTPClient(&http.Client{Transport: tr}))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.User(context.Background(), 1); !client.IsNotFound(err) {
		t.Errorf("got %v, want not found after the retry", err)
	}
	if tr.tokens != 2 {
		t.Errorf("got %d token requests, want 2 (the first token, then a new one after the 401)", tr.tokens)
	}
	bearer, err := client.New(srv.URL, client.WithBearer("udt_junk"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bearer.User(context.Background(), 1); asError(t, err).Status != http.StatusUnauthorized {
		t.Errorf("a fixed bearer refused: got %v, want 401 without a retry", err)
	}
}
