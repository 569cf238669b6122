package auth

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
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
	// MaxClientFailures is how many failed authentications one client_id
	// may have per FailureWindow before the token endpoint answers 429
	// (DefaultMaxClientFailures); negative means no limit.
	MaxClientFailures int
	// MaxAddressFailures is the same per source address, an IPv6 address
	// counting as its /64 (DefaultMaxAddressFailures); negative means no
	// limit.
	MaxAddressFailures int
	// FailureWindow is the sliding window failures are counted in
	// (DefaultFailureWindow). Counts live in this node's memory: with N
	// nodes behind a load balancer a client may fail up to N times the
	// limit.
	FailureWindow time.Duration
	// AuditFailuresPerMinute is the most failed authentications recorded in
	// one tenant's audit log per minute (DefaultAuditFailuresPerMinute),
	// failures with unknown client_ids counting as tenant 0's; negative
	// records none.
	AuditFailuresPerMinute int
	// Now is the clock (time.Now); tests move it.
	Now func() time.Time
	// Observer is told of grants and refusals, for metrics (none if nil).
	Observer Observer
	// Logger receives refused client authentications and failures of the
	// token endpoint and of the audit of failures; nil discards.
	Logger *slog.Logger
}

// Observer is told what the Authenticator decides, so metrics can count it
// without auth depending on a metrics library. Its methods are called on
// the request's goroutine and must be quick and safe for concurrent use.
type Observer interface {
	// TokenGranted is called for each access token the token endpoint issues.
	TokenGranted()
	// AuthFailed is called for each refused credential. where is
	// "token_endpoint" or "bearer"; reason is one of a fixed set of short
	// words (for the token endpoint, the RFC 6749 error name).
	AuthFailed(where, reason string)
	// AuthFailureNotRecorded is called for each failed authentication left
	// out of the audit log because its tenant's budget for the minute was
	// spent (or audit writes were backed up).
	AuthFailureNotRecorded()
}

type noObserver struct{}

func (noObserver) TokenGranted()           {}
func (noObserver) AuthFailed(_, _ string)  {}
func (noObserver) AuthFailureNotRecorded() {}

// Authenticator issues access tokens and turns bearer credentials into
// principals. It is safe for concurrent use.
//
// Revocation takes effect at once on the node that made the change, when
// the Service that made it watches this Authenticator
// (directory.Service.WatchCredentials), and as follows on every other node:
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
// per CacheTTL; verifying an access token needs no database round trip, and
// a node checks the signature of each distinct access token once, then
// recognises it by its bytes until it expires.
type Authenticator struct {
	store    directory.Store
	key      []byte
	lifetime time.Duration
	now      func() time.Time
	parser   *jwt.Parser
	verified *verifiedTokens
	clients  *cache[clientStatus]
	tokens   *cache[directory.APIToken]
	observer Observer
	logger   *slog.Logger
	limits   *failureLimits
	failures *failureAudit
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
	if opts.MaxClientFailures == 0 {
		opts.MaxClientFailures = DefaultMaxClientFailures
	}
	if opts.MaxAddressFailures == 0 {
		opts.MaxAddressFailures = DefaultMaxAddressFailures
	}
	if opts.FailureWindow <= 0 {
		opts.FailureWindow = DefaultFailureWindow
	}
	if opts.AuditFailuresPerMinute == 0 {
		opts.AuditFailuresPerMinute = DefaultAuditFailuresPerMinute
	}
	if opts.Observer == nil {
		opts.Observer = noObserver{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
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
		verified: newVerifiedTokens(),
		clients:  newCache(opts.CacheTTL, opts.Now, clientLoader(store)),
		tokens:   newCache(opts.CacheTTL, opts.Now, apiTokenLoader(store)),
		observer: opts.Observer,
		logger:   opts.Logger,
		limits:   newFailureLimits(opts.MaxClientFailures, opts.MaxAddressFailures, opts.FailureWindow, opts.Now),
		failures: newFailureAudit(store, opts.AuditFailuresPerMinute, opts.Now, opts.Logger, opts.Observer),
	}, nil
}

var errMissingCredential = directory.Errorf(directory.Unauthenticated, "", "missing credential")

// badToken is the one answer to every bad credential, whatever was wrong
// with it; cause (may be nil) is only logged.
func badToken(cause error) error {
	return directory.Wrap(directory.Unauthenticated, cause, "invalid, expired or revoked token")
}

// refusal is why a bearer credential was refused, for the Observer; the
// caller gets the same badToken whatever it is.
type refusal struct {
	reason string
	err    error
}

func (r *refusal) Error() string { return r.err.Error() }
func (r *refusal) Unwrap() error { return r.err }

// refuse is badToken(cause) remembering reason for the Observer.
func refuse(reason string, cause error) error {
	return &refusal{reason: reason, err: badToken(cause)}
}

var _ directory.CredentialWatcher = (*Authenticator)(nil)

// ClientChanged forgets the cached status of clientID, so the next access
// token issued to it is checked against the store.
func (a *Authenticator) ClientChanged(clientID string) { a.clients.forget(clientID) }

// APITokenRevoked forgets the cached token t, so its next use reads the
// store and is refused.
func (a *Authenticator) APITokenRevoked(t directory.APIToken) { a.tokens.forget(string(t.Hash)) }

// Close waits for the failed authentications still being recorded in the
// audit log, then records, per tenant, how many its audit budget dropped
// since. Call it after the server has stopped taking requests and before
// the store closes, so no record is lost at shutdown.
func (a *Authenticator) Close() { a.failures.close() }

// Authenticate returns the principal that credential, a raw bearer string,
// stands for: an API token (directory.APITokenPrefix) or an access token
// from the token endpoint. A missing, malformed, expired or revoked
// credential, or an access token whose client is disabled or gone, is an
// Unauthenticated error with a message safe to show; a store that cannot
// be reached is Unavailable. The credential never appears in an error.
// See Authenticator for when revocation takes effect.
func (a *Authenticator) Authenticate(ctx context.Context, credential string) (directory.Principal, error) {
	var p directory.Principal
	var err error
	switch {
	case credential == "":
		a.observer.AuthFailed("bearer", "missing")
		return directory.Principal{}, errMissingCredential
	case len(credential) > maxCredentialLen:
		err = refuse("malformed", nil)
	case strings.HasPrefix(credential, directory.APITokenPrefix):
		p, err = a.authenticateAPIToken(ctx, credential)
	default:
		p, err = a.authenticateAccessToken(ctx, credential)
	}
	if r, ok := errors.AsType[*refusal](err); ok {
		a.observer.AuthFailed("bearer", r.reason)
		return directory.Principal{}, r.err
	}
	return p, err
}

func (a *Authenticator) authenticateAPIToken(ctx context.Context, credential string) (directory.Principal, error) {
	hash := directory.HashSecret(credential)
	// Every token found is kept for CacheTTL, usable or not (revocation and
	// expiry are final); unknown hashes are not, so junk cannot fill memory.
	t, err := a.tokens.get(ctx, string(hash))
	switch {
	case directory.KindOf(err) == directory.NotFound:
		return directory.Principal{}, refuse("unknown_api_token", err)
	case err != nil:
		return directory.Principal{}, err
	case !t.Usable(a.now()):
		return directory.Principal{}, refuse("revoked_or_expired_api_token", nil)
	}
	return directory.Principal{TenantID: t.TenantID, Scopes: t.Scopes, Actor: fmt.Sprintf("token:%d", t.ID)}, nil
}

func (a *Authenticator) authenticateAccessToken(ctx context.Context, credential string) (directory.Principal, error) {
	t, err := a.verifiedToken(credential)
	if err != nil {
		return directory.Principal{}, err
	}
	st, err := a.clientStatus(ctx, t.clientID)
	if err != nil {
		return directory.Principal{}, err
	}
	if !st.found || st.disabled || st.tenantID != t.tenantID || !st.scopes.Contains(t.scopes) {
		return directory.Principal{}, refuse("client_disabled_or_changed", nil)
	}
	return directory.Principal{TenantID: t.tenantID, Scopes: t.scopes, Actor: t.actor}, nil
}

// verifiedToken checks an access token's signature and claims, or finds it
// among the tokens that already passed and have not expired since.
func (a *Authenticator) verifiedToken(credential string) (verifiedToken, error) {
	now := a.now()
	if t, ok := a.verified.get(credential, now); ok {
		return t, nil
	}
	claims, err := a.verify(credential)
	if errors.Is(err, jwt.ErrTokenExpired) {
		return verifiedToken{}, refuse("expired_access_token", err)
	}
	if err != nil {
		return verifiedToken{}, refuse("invalid_access_token", err)
	}
	scopes, err := directory.ParseScopes(claims.Scope)
	if err != nil {
		return verifiedToken{}, refuse("invalid_access_token", err)
	}
	t := verifiedToken{
		clientID:   claims.Subject,
		actor:      "client:" + claims.Subject,
		tenantID:   claims.TenantID,
		scopes:     scopes,
		validUntil: claims.ExpiresAt.Add(tokenLeeway),
	}
	a.verified.put(credential, t, now)
	return t, nil
}

// clientStatus returns the cached status of clientID, reading the store at
// most once per CacheTTL. Only signed tokens reach here, so the cache holds
// real clients only, and a client that is gone is remembered too.
func (a *Authenticator) clientStatus(ctx context.Context, clientID string) (clientStatus, error) {
	return a.clients.get(ctx, clientID)
}

// clientLoader returns the clients cache's lookup in store: every answer
// is kept, "no such client" included.
func clientLoader(store directory.Store) func(ctx context.Context, clientID string) (clientStatus, bool, error) {
	return func(ctx context.Context, clientID string) (clientStatus, bool, error) {
		c, err := store.ClientByClientID(ctx, clientID)
		switch {
		case directory.KindOf(err) == directory.NotFound:
			return clientStatus{}, true, nil
		case err != nil:
			return clientStatus{}, false, err
		}
		return clientStatus{found: true, disabled: c.Disabled, tenantID: c.TenantID, scopes: c.Scopes}, true, nil
	}
}

// apiTokenLoader returns the API tokens cache's lookup in store, by the
// token's hash (as a string): a token found is kept, usable or not;
// unknown hashes are not.
func apiTokenLoader(store directory.Store) func(ctx context.Context, hash string) (directory.APIToken, bool, error) {
	return func(ctx context.Context, hash string) (directory.APIToken, bool, error) {
		t, err := store.APITokenByHash(ctx, []byte(hash))
		if err != nil {
			return directory.APIToken{}, false, err
		}
		return t, true, nil
	}
}
