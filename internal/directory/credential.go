package directory

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"time"
)

// Prefixes of the secrets userd issues, so secret scanners can find leaked
// ones and people can tell them apart.
const (
	ClientIDPrefix     = "udc_"
	ClientSecretPrefix = "uds_"
	APITokenPrefix     = "udt_"
)

// Defaults of CredentialLimits for a server (userd serve).
const (
	DefaultMaxClients = 1000
	DefaultMaxTokens  = 10000
)

// CredentialLimits bound the API credentials one tenant may have, so a
// caller with the admin scope cannot fill the database or make the lists
// unwieldy. Zero means no limit. The count is read before the insert, so
// creates racing each other may pass a limit by the number in flight: a
// bound on growth, not an exact quota.
type CredentialLimits struct {
	// MaxClients counts every client of the tenant, disabled ones too
	// (clients are never deleted).
	MaxClients int
	// MaxTokens counts the tenant's usable tokens: revoked and expired
	// ones make room.
	MaxTokens int
}

// CredentialWatcher is told when a client is disabled or re-enabled or an
// API token revoked, once the change is committed, so a cache of
// credentials in this process (the auth.Authenticator) can drop what it
// holds about it at once. Other processes learn of the change when their
// caches expire. Its methods must be quick and safe for concurrent use.
type CredentialWatcher interface {
	ClientChanged(clientID string)
	APITokenRevoked(t APIToken)
}

// WatchCredentials makes the Service tell w of every change to a client's
// status and every token revocation made through it. Call it before
// serving.
func (s *Service) WatchCredentials(w CredentialWatcher) { s.watchers = append(s.watchers, w) }

// SetCredentialLimits bounds the clients and tokens each tenant may have
// from now on. A Service starts without limits; call this before serving.
func (s *Service) SetCredentialLimits(l CredentialLimits) { s.creds = l }

var (
	errNoClient = Errorf(NotFound, "", "no such client")
	errNoToken  = Errorf(NotFound, "", "no such token")
)

// canManage returns a Forbidden error unless the principal holds every
// scope of the credential (a "client" or "token") it would disable,
// re-enable or revoke: holding admin lets a caller manage the credentials
// it could have created, not switch off or on ones more powerful than
// itself.
func (p Principal) canManage(what string, scopes Scopes) error {
	for _, sc := range scopes {
		if !p.holds(sc) {
			return Errorf(Forbidden, "", "cannot change a %s holding scope %q: the caller does not hold it", what, sc)
		}
	}
	return nil
}

// Client is an API client that obtains access tokens with the OAuth 2.0
// client-credentials grant.
type Client struct {
	ID       int64
	TenantID int64
	// ClientID is the public identifier, unique across the installation.
	ClientID string
	// SecretHash is SHA-256 of the client secret; the secret itself is shown
	// once when the client is created and never stored.
	SecretHash []byte
	Name       string
	Scopes     Scopes
	Disabled   bool
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// APIToken is a static bearer secret for server-to-server callers.
type APIToken struct {
	ID       int64
	TenantID int64
	Name     string
	Scopes   Scopes
	// Hash is SHA-256 of the token; the token is shown once and never stored.
	Hash      []byte
	ExpiresAt time.Time // zero: never expires
	RevokedAt time.Time // zero: not revoked
	CreatedAt time.Time
}

// Usable reports whether the token may authenticate a request at time now.
func (t *APIToken) Usable(now time.Time) bool {
	return t.RevokedAt.IsZero() && (t.ExpiresAt.IsZero() || now.Before(t.ExpiresAt))
}

// Secret is a credential in plain text. Its String and LogValue methods
// redact it, so printing or logging one by mistake cannot leak it; call
// Reveal where the value is really needed.
type Secret string

// String returns a redacted placeholder.
func (Secret) String() string { return "[REDACTED]" }

// LogValue redacts the secret in log/slog output.
func (Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// Reveal returns the secret's plain text.
func (s Secret) Reveal() string { return string(s) }

// NewSecret returns prefix followed by 256 random bits, base64url-encoded.
func NewSecret(prefix string) Secret {
	return Secret(prefix + randomString(32))
}

// NewClientID returns a new client_id: ClientIDPrefix and 128 random bits.
func NewClientID() string {
	return ClientIDPrefix + randomString(16)
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("directory: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// HashSecret returns the SHA-256 digest stored for a random secret. A plain
// hash is right here: the secrets carry 256 random bits, so there is nothing
// to brute-force.
func HashSecret(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// SecretMatches reports, in constant time, whether secret hashes to hash.
func SecretMatches(secret string, hash []byte) bool {
	return subtle.ConstantTimeCompare(HashSecret(secret), hash) == 1
}
