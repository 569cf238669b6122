package auth

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/userd/userd/internal/directory"
)

// Defaults of Options.
const (
	DefaultTokenLifetime = 30 * time.Minute
	DefaultCacheTTL      = 10 * time.Second
)

// maxCredentialLen bounds the bearer strings worth looking at; userd's own
// access tokens are well under 1 KiB.
const maxCredentialLen = 4096

// Options tune an Authenticator. Zero fields take the defaults.
type Options struct {
	// TokenLifetime is how long an access token is valid
	// (DefaultTokenLifetime).
	TokenLifetime time.Duration
	// CacheTTL is how long a client's status and an API token looked up in
	// the store are trusted before being read again (DefaultCacheTTL). It
	// is the longest a disabled client or a revoked API token keeps working.
	CacheTTL time.Duration
	// Now is the clock (time.Now); tests move it.
	Now func() time.Time
}

// Authenticator issues access tokens and turns bearer credentials into
// principals. It is safe for concurrent use.
//
// Revocation takes effect as follows, on every node:
//   - Disabling a client: the token endpoint refuses it at once (it reads
//     the client on every request). Access tokens already issued to it are
//     refused as soon as the node's cached status of that client is older
//     than CacheTTL, so at most CacheTTL (10 s by default) after the
//     change is committed; re-enabling it makes its unexpired tokens work
//     again within the same delay.
//   - Revoking an API token: refused at most CacheTTL after the revocation
//     is committed.
//   - An API token's expiry: refused from ExpiresAt on, exactly.
//   - An access token: refused from its exp on (TokenLifetime after issue,
//     30 minutes by default), give or take 10 s of leeway for clock skew.
//
// A node reads the store at most once per client and once per API token
// per CacheTTL; verifying an access token needs no database round trip.
type Authenticator struct {
	store    directory.Store
	key      []byte
	lifetime time.Duration
	now      func() time.Time
	parser   *jwt.Parser
	clients  *cache[clientStatus]
	tokens   *cache[directory.APIToken]
}

// clientStatus is what Authenticate needs to know of a client to honour an
// access token issued to it.
type clientStatus struct {
	found    bool
	disabled bool
	tenantID int64
	scopes   directory.Scopes
}

// NewAuthenticator returns an Authenticator over store. It reads the
// access-token signing key from the store, creating it on first use, so
// every node sharing the database signs and verifies with the same key.
func NewAuthenticator(ctx context.Context, store directory.Store, opts Options) (*Authenticator, error) {
	if opts.TokenLifetime <= 0 {
		opts.TokenLifetime = DefaultTokenLifetime
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = DefaultCacheTTL
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	generated := make([]byte, accessTokenKeyLen)
	if _, err := rand.Read(generated); err != nil {
		return nil, fmt.Errorf("auth: generate access token key: %w", err)
	}
	key, err := store.Secret(ctx, accessTokenKeyName, generated)
	if err != nil {
		return nil, fmt.Errorf("auth: load access token key: %w", err)
	}
	if len(key) < accessTokenKeyLen {
		return nil, fmt.Errorf("auth: stored %s is %d bytes, want at least %d; the secrets table is damaged", accessTokenKeyName, len(key), accessTokenKeyLen)
	}
	return &Authenticator{
		store:    store,
		key:      key,
		lifetime: opts.TokenLifetime,
		now:      opts.Now,
		parser:   newParser(opts.Now),
		clients:  newCache[clientStatus](opts.CacheTTL, opts.Now),
		tokens:   newCache[directory.APIToken](opts.CacheTTL, opts.Now),
	}, nil
}

var errMissingCredential = directory.Errorf(directory.Unauthenticated, "", "missing credential")

// badToken is the one answer to every bad credential, whatever was wrong
// with it; cause (may be nil) is only logged.
func badToken(cause error) error {
	return directory.Wrap(directory.Unauthenticated, cause, "invalid, expired or revoked token")
}

// Authenticate returns the principal that credential, a raw bearer string,
// stands for: an API token (directory.APITokenPrefix) or an access token
// from the token endpoint. A missing, malformed, expired or revoked
// credential, or an access token whose client is disabled or gone, is an
// Unauthenticated error with a message safe to show; a store that cannot
// be reached is Unavailable. The credential never appears in an error.
// See Authenticator for when revocation takes effect.
func (a *Authenticator) Authenticate(ctx context.Context, credential string) (directory.Principal, error) {
	switch {
	case credential == "":
		return directory.Principal{}, errMissingCredential
	case len(credential) > maxCredentialLen:
		return directory.Principal{}, badToken(nil)
	case strings.HasPrefix(credential, directory.APITokenPrefix):
		return a.authenticateAPIToken(ctx, credential)
	default:
		return a.authenticateAccessToken(ctx, credential)
	}
}

func (a *Authenticator) authenticateAPIToken(ctx context.Context, credential string) (directory.Principal, error) {
	hash := directory.HashSecret(credential)
	// Every token found is kept for CacheTTL, usable or not (revocation and
	// expiry are final); unknown hashes are not, so junk cannot fill memory.
	t, err := a.tokens.get(ctx, string(hash), func(ctx context.Context) (directory.APIToken, bool, error) {
		t, err := a.store.APITokenByHash(ctx, hash)
		if err != nil {
			return directory.APIToken{}, false, err
		}
		return t, true, nil
	})
	switch {
	case directory.KindOf(err) == directory.NotFound:
		return directory.Principal{}, badToken(err)
	case err != nil:
		return directory.Principal{}, err
	case !t.Usable(a.now()):
		return directory.Principal{}, badToken(nil)
	}
	return directory.Principal{TenantID: t.TenantID, Scopes: t.Scopes, Actor: fmt.Sprintf("token:%d", t.ID)}, nil
}

func (a *Authenticator) authenticateAccessToken(ctx context.Context, credential string) (directory.Principal, error) {
	claims, err := a.verify(credential)
	if err != nil {
		return directory.Principal{}, badToken(err)
	}
	scopes, err := directory.ParseScopes(claims.Scope)
	if err != nil {
		return directory.Principal{}, badToken(err)
	}
	st, err := a.clientStatus(ctx, claims.Subject)
	if err != nil {
		return directory.Principal{}, err
	}
	if !st.found || st.disabled || st.tenantID != claims.TenantID || !st.scopes.Contains(scopes) {
		return directory.Principal{}, badToken(nil)
	}
	return directory.Principal{TenantID: claims.TenantID, Scopes: scopes, Actor: "client:" + claims.Subject}, nil
}

// clientStatus returns the cached status of clientID, reading the store at
// most once per CacheTTL. Only signed tokens reach here, so the cache holds
// real clients only, and a client that is gone is remembered too.
func (a *Authenticator) clientStatus(ctx context.Context, clientID string) (clientStatus, error) {
	return a.clients.get(ctx, clientID, func(ctx context.Context) (clientStatus, bool, error) {
		c, err := a.store.ClientByClientID(ctx, clientID)
		switch {
		case directory.KindOf(err) == directory.NotFound:
			return clientStatus{}, true, nil
		case err != nil:
			return clientStatus{}, false, err
		}
		return clientStatus{found: true, disabled: c.Disabled, tenantID: c.TenantID, scopes: c.Scopes}, true, nil
	})
}
