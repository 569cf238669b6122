package auth

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/userd/userd/internal/directory"
)

// fakeClock is a clock tests move by hand. It starts at the real time, as
// the Service stamps API tokens with the real clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Now().UTC().Truncate(time.Second)}
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

func (c *fakeClock) advance(d time.Duration) { c.set(c.now().Add(d)) }

// signingOnly returns an Authenticator that can issue and verify access
// tokens but has no store; enough for checks that never reach one.
func signingOnly(t *testing.T, clock *fakeClock) *Authenticator {
	t.Helper()
	return &Authenticator{
		key:      []byte(strings.Repeat("k", accessTokenKeyLen)),
		lifetime: DefaultTokenLifetime,
		now:      clock.now,
		parser:   newParser(clock.now),
	}
}

func TestIssueClaims(t *testing.T) {
	clock := newFakeClock()
	a := signingOnly(t, clock)
	c := directory.Client{TenantID: 7, ClientID: "udc_abc"}
	tok, err := a.issue(c, directory.Scopes{directory.ScopeUsersRead, directory.ScopeAdmin})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if tok.expiresIn != 30*time.Minute {
		t.Errorf("got expiresIn %v, want 30m", tok.expiresIn)
	}
	claims := jwt.MapClaims{}
	token, _, err := jwt.NewParser().ParseUnverified(tok.value.Reveal(), claims)
	if err != nil {
		t.Fatalf("ParseUnverified: %v", err)
	}
	if got := token.Header["alg"]; got != "HS256" {
		t.Errorf("got alg %v, want HS256", got)
	}
	want := map[string]any{
		"iss":   "userd",
		"aud":   []any{"userd"},
		"sub":   "udc_abc",
		"tid":   float64(7),
		"scope": "users:read admin",
		"iat":   float64(clock.now().Unix()),
		"exp":   float64(clock.now().Add(30 * time.Minute).Unix()),
	}
	for k, v := range want {
		if got := claims[k]; !equalJSON(got, v) {
			t.Errorf("claim %s: got %v, want %v", k, got, v)
		}
	}
	if jti, _ := claims["jti"].(string); len(jti) < 16 {
		t.Errorf("got jti %q, want a random id", jti)
	}
	other, err := a.issue(c, directory.Scopes{directory.ScopeUsersRead})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	if other.value == tok.value {
		t.Errorf("two tokens are equal; want distinct jti")
	}
}

func equalJSON(a, b any) bool {
	as, aok := a.([]any)
	bs, bok := b.([]any)
	if aok || bok {
		if !aok || !bok || len(as) != len(bs) {
			return false
		}
		for i := range as {
			if as[i] != bs[i] {
				return false
			}
		}
		return true
	}
	return a == b
}

// TestVerifyRefuses signs tokens that must not pass: other algorithms,
// other keys, other issuers and audiences, expired or missing claims.
func TestVerifyRefuses(t *testing.T) {
	clock := newFakeClock()
	a := signingOnly(t, clock)
	now := clock.now()
	valid := func() accessClaims {
		return accessClaims{
			RegisteredClaims: jwt.RegisteredClaims{
				Issuer:    "userd",
				Audience:  jwt.ClaimStrings{"userd"},
				Subject:   "udc_abc",
				IssuedAt:  jwt.NewNumericDate(now),
				ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute)),
				ID:        "jti-1",
			},
			TenantID: 1,
			Scope:    "users:read",
		}
	}
	sign := func(t *testing.T, m jwt.SigningMethod, key any, c accessClaims) string {
		t.Helper()
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		return s
	}
	with := func(f func(*accessClaims)) accessClaims {
		c := valid()
		f(&c)
		return c
	}

	// The valid token passes, so each refusal below is due to its one change.
	if _, err := a.verify(sign(t, jwt.SigningMethodHS256, a.key, valid())); err != nil {
		t.Fatalf("valid token refused: %v", err)
	}
	goodToken := sign(t, jwt.SigningMethodHS256, a.key, valid())

	tests := []struct {
		name  string
		token string
	}{
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid())},
		{"alg HS512 same key", sign(t, jwt.SigningMethodHS512, a.key, valid())},
		{"alg HS384 same key", sign(t, jwt.SigningMethodHS384, a.key, valid())},
		{"wrong key", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("x", 32)), valid())},
		{"wrong iss", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.Issuer = "evil" }))},
		{"no iss", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.Issuer = "" }))},
		{"wrong aud", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.Audience = jwt.ClaimStrings{"other"} }))},
		{"no aud", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.Audience = nil }))},
		{"expired", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.ExpiresAt = jwt.NewNumericDate(now.Add(-time.Minute)) }))},
		{"no exp", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.ExpiresAt = nil }))},
		{"issued in the future", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.IssuedAt = jwt.NewNumericDate(now.Add(time.Hour)) }))},
		{"no sub", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.Subject = "" }))},
		{"no tid", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.TenantID = 0 }))},
		{"no jti", sign(t, jwt.SigningMethodHS256, a.key, with(func(c *accessClaims) { c.ID = "" }))},
		{"tampered payload", tamper(goodToken)},
		{"not a jwt", "hello"},
		{"empty signature", goodToken[:strings.LastIndex(goodToken, ".")+1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if c, err := a.verify(tt.token); err == nil {
				t.Errorf("got claims %+v, want the token refused", c)
			}
		})
	}
}

// tamper flips the tenant in a token's payload, keeping the signature.
func tamper(token string) string {
	parts := strings.Split(token, ".")
	payload, _ := jwt.NewParser().DecodeSegment(parts[1])
	payload = []byte(strings.Replace(string(payload), `"tid":1`, `"tid":2`, 1))
	parts[1] = (&jwt.Token{}).EncodeSegment(payload)
	return strings.Join(parts, ".")
}

// TestVerifyExpiry checks the token lifetime and the clock-skew leeway.
func TestVerifyExpiry(t *testing.T) {
	clock := newFakeClock()
	a := signingOnly(t, clock)
	tok, err := a.issue(directory.Client{TenantID: 1, ClientID: "udc_abc"}, directory.Scopes{directory.ScopeUsersRead})
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	tests := []struct {
		after time.Duration
		ok    bool
	}{
		{0, true},
		{DefaultTokenLifetime - time.Second, true},
		{DefaultTokenLifetime + tokenLeeway - time.Second, true},
		{DefaultTokenLifetime + tokenLeeway + time.Second, false},
	}
	start := clock.now()
	for _, tt := range tests {
		t.Run(tt.after.String(), func(t *testing.T) {
			clock.set(start.Add(tt.after))
			_, err := a.verify(tok.value.Reveal())
			if got := err == nil; got != tt.ok {
				t.Errorf("got accepted=%v (%v), want %v", got, err, tt.ok)
			}
		})
	}
}
