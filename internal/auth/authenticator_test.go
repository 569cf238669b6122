package auth

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// wantUnauthenticated fails unless err is Unauthenticated with message msg
// and does not mention credential.
func wantUnauthenticated(t *testing.T, err error, msg, credential string) {
	t.Helper()
	if got := directory.KindOf(err); got != directory.Unauthenticated {
		t.Fatalf("got kind %v (%v), want unauthenticated", got, err)
	}
	if got := directory.AsError(err).Message; got != msg {
		t.Errorf("got message %q, want %q", got, msg)
	}
	if credential != "" && strings.Contains(err.Error(), credential) {
		t.Errorf("error %q holds the credential", err)
	}
}

const badTokenMsg = "invalid, expired or revoked token"

func TestAuthenticateMissingAndJunk(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	_, err := e.authn.Authenticate(ctx, "")
	wantUnauthenticated(t, err, "missing credential", "")
	for _, cred := range []string{"junk", "udt_", "udt_unknownunknownunknown", "a.b.c", strings.Repeat("x", 10000)} {
		_, err := e.authn.Authenticate(ctx, cred)
		wantUnauthenticated(t, err, badTokenMsg, cred)
	}
}

// issueFor runs the token endpoint's grant for c and returns the token.
func (e *env) issueFor(t *testing.T, c directory.Client) string {
	t.Helper()
	tok, err := e.authn.issue(c, c.Scopes)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return tok.value.Reveal()
}

func TestAuthenticateAccessToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, _ := e.client(t, directory.ScopeUsersRead, directory.ScopeUsersWrite)
	tok, err := e.authn.issue(c, directory.Scopes{directory.ScopeUsersRead})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	p, err := e.authn.Authenticate(ctx, tok.value.Reveal())
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	want := directory.Principal{TenantID: e.tenant.ID, Scopes: directory.Scopes{directory.ScopeUsersRead}, Actor: "client:" + c.ClientID}
	if p.TenantID != want.TenantID || p.Scopes.String() != want.Scopes.String() || p.Actor != want.Actor {
		t.Errorf("got %+v, want %+v", p, want)
	}
	// Again, from the tokens already verified: the same principal.
	p, err = e.authn.Authenticate(ctx, tok.value.Reveal())
	if err != nil || p.TenantID != want.TenantID || p.Scopes.String() != want.Scopes.String() || p.Actor != want.Actor {
		t.Errorf("verified again: got %+v, %v, want %+v", p, err, want)
	}

	e.clock.advance(DefaultTokenLifetime + tokenLeeway + time.Second)
	_, err = e.authn.Authenticate(ctx, tok.value.Reveal())
	wantUnauthenticated(t, err, badTokenMsg, tok.value.Reveal())
}

// TestVerifiedTokenExpiresExactly checks that a node which has already
// verified a token (and skips the signature check for it since) refuses it
// at the same instant as a node seeing it for the first time.
func TestVerifiedTokenExpiresExactly(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, _ := e.client(t, directory.ScopeUsersRead)
	tok, err := e.authn.issue(c, c.Scopes)
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	token := tok.value.Reveal()
	e.authenticateTimes(t, token, 1)
	lastValid := e.clock.now().Truncate(time.Second).Add(DefaultTokenLifetime + tokenLeeway - time.Nanosecond)
	for _, tc := range []struct {
		at    time.Time
		valid bool
	}{{lastValid, true}, {lastValid.Add(time.Nanosecond), false}} {
		e.clock.set(tc.at)
		cold, err := NewAuthenticator(ctx, e.store, Options{Now: e.clock.now})
		if err != nil {
			t.Fatalf("NewAuthenticator: %v", err)
		}
		for name, a := range map[string]*Authenticator{"warm": e.authn, "cold": cold} {
			_, err := a.Authenticate(ctx, token)
			if (err == nil) != tc.valid {
				t.Errorf("%s node at exp%+v: got %v, want valid=%v", name, tc.at.Sub(lastValid.Add(time.Nanosecond-tokenLeeway)), err, tc.valid)
			}
		}
	}
}

// authenticateTimes authenticates credential n times, each of which must
// succeed.
func (e *env) authenticateTimes(t *testing.T, credential string, n int) {
	t.Helper()
	for range n {
		if _, err := e.authn.Authenticate(context.Background(), credential); err != nil {
			t.Fatalf("Authenticate: %v", err)
		}
	}
}

// TestDisabledClientTokenRefusedAfterTTL disables a client after issuing
// a token, through a Service that does not tell this Authenticator, as a
// change made through another node would: the token keeps working while
// the cached status is fresh, and is refused once CacheTTL has passed.
// Re-enabling works the same way.
func TestDisabledClientTokenRefusedAfterTTL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, _ := e.client(t, directory.ScopeUsersRead)
	token := e.issueFor(t, c)

	if _, err := e.authn.Authenticate(ctx, token); err != nil {
		t.Fatalf("Authenticate before disabling: %v", err)
	}
	e.disable(t, c.ClientID, true)
	e.clock.advance(testCacheTTL - time.Second)
	if _, err := e.authn.Authenticate(ctx, token); err != nil {
		t.Fatalf("within the TTL: got %v, want the cached status to let the token through", err)
	}
	e.clock.advance(time.Second)
	_, err := e.authn.Authenticate(ctx, token)
	wantUnauthenticated(t, err, badTokenMsg, token)

	e.disable(t, c.ClientID, false)
	e.clock.advance(testCacheTTL)
	if _, err := e.authn.Authenticate(ctx, token); err != nil {
		t.Errorf("after re-enabling and the TTL: got %v, want the token accepted", err)
	}
}

// TestClientStatusQueriedOncePerTTL checks that many requests, concurrent
// ones included, cost one store lookup per client per TTL.
func TestClientStatusQueriedOncePerTTL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, _ := e.client(t, directory.ScopeUsersRead)
	token := e.issueFor(t, c)

	var wg sync.WaitGroup
	for range 50 {
		wg.Go(func() {
			if _, err := e.authn.Authenticate(ctx, token); err != nil {
				t.Errorf("Authenticate: %v", err)
			}
		})
	}
	wg.Wait()
	if got := e.store.clientLookups.Load(); got != 1 {
		t.Errorf("got %d client lookups for 50 requests, want 1", got)
	}
	e.clock.advance(testCacheTTL)
	e.authenticateTimes(t, token, 5)
	if got := e.store.clientLookups.Load(); got != 2 {
		t.Errorf("got %d client lookups after the TTL, want 2", got)
	}
}

func TestAccessTokenOfOtherTenantOrScopeRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, _ := e.client(t, directory.ScopeUsersRead)

	// Signed with the right key but naming a tenant or scope the client
	// does not have: refused.
	for name, tweak := range map[string]func(*directory.Client){
		"other tenant": func(c *directory.Client) { c.TenantID++ },
		"more scopes":  func(c *directory.Client) { c.Scopes = directory.AllScopes },
		"gone client":  func(c *directory.Client) { c.ClientID = directory.NewClientID() },
	} {
		t.Run(name, func(t *testing.T) {
			forged := c
			tweak(&forged)
			token := e.issueFor(t, forged)
			_, err := e.authn.Authenticate(ctx, token)
			wantUnauthenticated(t, err, badTokenMsg, token)
		})
	}
}

// TestAccessTokenSharedKey checks that a second Authenticator on the same
// database (another node) accepts the first one's tokens.
func TestAccessTokenSharedKey(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	c, _ := e.client(t, directory.ScopeUsersRead)
	token := e.issueFor(t, c)
	other, err := NewAuthenticator(ctx, e.store, Options{Now: e.clock.now})
	if err != nil {
		t.Fatalf("NewAuthenticator: %v", err)
	}
	if _, err := other.Authenticate(ctx, token); err != nil {
		t.Errorf("second node: got %v, want the token accepted", err)
	}
}

func TestAuthenticateAPIToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, secret := e.apiToken(t, 0, directory.ScopeUsersRead, directory.ScopeAdmin)
	p, err := e.authn.Authenticate(ctx, secret.Reveal())
	if err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if p.TenantID != e.tenant.ID || p.Scopes.String() != "users:read admin" || p.Actor != "token:"+strconv.FormatInt(tok.ID, 10) {
		t.Errorf("got %+v, want tenant %d, scopes users:read admin, actor token:%d", p, e.tenant.ID, tok.ID)
	}
	e.authenticateTimes(t, secret.Reveal(), 10)
	if got := e.store.tokenLookups.Load(); got != 1 {
		t.Errorf("got %d token lookups for 11 requests within the TTL, want 1", got)
	}
}

// TestRevokedAPITokenRefusedAfterTTL revokes a token in use, as another
// node would (the Service does not tell this Authenticator): it works while
// the cache is fresh and is refused once CacheTTL has passed.
func TestRevokedAPITokenRefusedAfterTTL(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, secret := e.apiToken(t, 0, directory.ScopeUsersRead)
	if _, err := e.authn.Authenticate(ctx, secret.Reveal()); err != nil {
		t.Fatalf("Authenticate: %v", err)
	}
	if _, err := e.svc.RevokeAPIToken(ctx, e.admin, tok.ID); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	if _, err := e.authn.Authenticate(ctx, secret.Reveal()); err != nil {
		t.Fatalf("within the TTL: got %v, want the cached token accepted", err)
	}
	e.clock.advance(testCacheTTL)
	_, err := e.authn.Authenticate(ctx, secret.Reveal())
	wantUnauthenticated(t, err, badTokenMsg, secret.Reveal())

	// A token revoked before its first use is refused at once.
	tok2, secret2 := e.apiToken(t, 0, directory.ScopeUsersRead)
	if _, err := e.svc.RevokeAPIToken(ctx, e.admin, tok2.ID); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	_, err = e.authn.Authenticate(ctx, secret2.Reveal())
	wantUnauthenticated(t, err, badTokenMsg, secret2.Reveal())
}

// TestExpiredAPITokenRefused checks that expiry is exact, cache or not.
func TestExpiredAPITokenRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tok, secret := e.apiToken(t, time.Hour, directory.ScopeUsersRead)
	e.clock.set(tok.ExpiresAt.Add(-time.Second))
	if _, err := e.authn.Authenticate(ctx, secret.Reveal()); err != nil {
		t.Fatalf("a second before expiry: %v", err)
	}
	e.clock.set(tok.ExpiresAt)
	_, err := e.authn.Authenticate(ctx, secret.Reveal())
	wantUnauthenticated(t, err, badTokenMsg, secret.Reveal())
}

// TestAuthenticateCancelled checks that a caller whose context ends while
// waiting gets Unavailable, not Unauthenticated: the credential may be good.
func TestAuthenticateCancelled(t *testing.T) {
	e := newEnv(t)
	_, secret := e.apiToken(t, 0, directory.ScopeUsersRead)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := e.authn.Authenticate(ctx, secret.Reveal())
	if got := directory.KindOf(err); got != directory.Unavailable && err != nil {
		t.Errorf("got kind %v (%v), want unavailable or success", got, err)
	}
}
