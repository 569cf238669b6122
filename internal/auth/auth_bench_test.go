package auth

import (
	"context"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// BenchmarkAuthenticateAccessToken authenticates a client access token,
// the work every authenticated request of the dialects does, in the three
// states a node can be in:
//   - warm: the token was seen before and the client's status is cached
//     (every request but the first of a token within the cache TTL);
//   - new-token: the token's JWT signature and claims are checked, the
//     client's status is cached (a client's second token on this node);
//   - cold: the signature is checked and the client's status read from the
//     store (SQLite here), as on a token's first request on a node whose
//     cached status of its client has expired.
func BenchmarkAuthenticateAccessToken(b *testing.B) {
	e := newEnv(b)
	c, _ := e.client(b, directory.ScopeUsersRead)
	tok, err := e.authn.issue(c, c.Scopes)
	if err != nil {
		b.Fatalf("issue: %v", err)
	}
	credential := tok.value.Reveal()
	forgetToken := func() {
		e.authn.verified.mu.Lock()
		delete(e.authn.verified.entries, credential)
		e.authn.verified.mu.Unlock()
	}
	b.Run("warm", func(b *testing.B) { benchmarkAuthenticate(b, e, credential, func() {}) })
	b.Run("new-token", func(b *testing.B) { benchmarkAuthenticate(b, e, credential, forgetToken) })
	b.Run("cold", func(b *testing.B) {
		benchmarkAuthenticate(b, e, credential, func() { forgetToken(); e.authn.ClientChanged(c.ClientID) })
	})
}

// BenchmarkAuthenticateAPIToken authenticates an API token (udt_...), as
// user-info v1 callers do: warm, a hash and a hit in the token cache;
// cold, a hash and a store lookup (SQLite here), as on the token's first
// request on a node or after the cache TTL.
func BenchmarkAuthenticateAPIToken(b *testing.B) {
	e := newEnv(b)
	tok, secret, err := e.svc.CreateAPIToken(context.Background(), e.admin, "bench", directory.Scopes{directory.ScopeUsersRead}, 0)
	if err != nil {
		b.Fatalf("CreateAPIToken: %v", err)
	}
	b.Run("warm", func(b *testing.B) { benchmarkAuthenticate(b, e, secret.Reveal(), func() {}) })
	b.Run("cold", func(b *testing.B) {
		benchmarkAuthenticate(b, e, secret.Reveal(), func() { e.authn.APITokenRevoked(tok) })
	})
}

// benchmarkAuthenticate authenticates credential once to warm the caches,
// then measures authenticating it again after forget, which drops what the
// state being measured must not find cached (forget runs in the timing;
// it is a map delete).
func benchmarkAuthenticate(b *testing.B, e *env, credential string, forget func()) {
	b.Helper()
	ctx := context.Background()
	if _, err := e.authn.Authenticate(ctx, credential); err != nil {
		b.Fatalf("Authenticate: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		forget()
		if _, err := e.authn.Authenticate(ctx, credential); err != nil {
			b.Fatalf("Authenticate: %v", err)
		}
	}
}

// BenchmarkIssueAccessToken signs one access token, the token endpoint's
// work after the client's secret is checked.
func BenchmarkIssueAccessToken(b *testing.B) {
	e := newEnv(b)
	c, _ := e.client(b, directory.ScopeUsersRead)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.authn.issue(c, c.Scopes); err != nil {
			b.Fatalf("issue: %v", err)
		}
	}
}
