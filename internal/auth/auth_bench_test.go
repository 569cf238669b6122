package auth

import (
	"context"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// BenchmarkAuthenticateAccessToken verifies a client access token, the work
// every authenticated request of the dialects does: the JWT signature and
// claims, and the cached client status (no store lookup once warm).
func BenchmarkAuthenticateAccessToken(b *testing.B) {
	e := newEnv(b)
	c, _ := e.client(b, directory.ScopeUsersRead)
	tok, err := e.authn.issue(c, c.Scopes)
	if err != nil {
		b.Fatalf("issue: %v", err)
	}
	benchmarkAuthenticate(b, e, tok.value.Reveal())
}

// BenchmarkAuthenticateAPIToken authenticates an API token (udt_...), as
// user-info v1 callers do: a hash and the token cache.
func BenchmarkAuthenticateAPIToken(b *testing.B) {
	e := newEnv(b)
	_, secret, err := e.svc.CreateAPIToken(context.Background(), e.admin, "bench", directory.Scopes{directory.ScopeUsersRead}, 0)
	if err != nil {
		b.Fatalf("CreateAPIToken: %v", err)
	}
	benchmarkAuthenticate(b, e, secret.Reveal())
}

func benchmarkAuthenticate(b *testing.B, e *env, credential string) {
	b.Helper()
	ctx := context.Background()
	if _, err := e.authn.Authenticate(ctx, credential); err != nil {
		b.Fatalf("Authenticate: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
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
