package auth

import (
	"sync"
	"time"

	"github.com/userd/userd/internal/directory"
)

// maxVerifiedTokens bounds the verified-token cache. Only tokens whose
// signature checked out get in, so junk cannot fill it; past the bound
// (more distinct live tokens than that) the extra tokens are verified on
// every request, as if there were no cache.
const maxVerifiedTokens = 10000

// verifiedToken is what an access token that passed verify says, kept so the
// next request bearing the same token skips the JWT parse and HMAC.
type verifiedToken struct {
	clientID string
	// actor is the principal's Actor, "client:" and the client id, made
	// once per token rather than once per request.
	actor    string
	tenantID int64
	scopes   directory.Scopes
	// validUntil is the token's exp plus tokenLeeway, the last instant
	// verify would still accept it.
	validUntil time.Time
}

// verifiedTokens remembers access tokens that verified, keyed by the token
// string itself: the same bytes always verify the same way, except for the
// expiry, which a hit checks again. The client's status is not kept here;
// it is checked on every request through Authenticator.clientStatus.
type verifiedTokens struct {
	mu      sync.RWMutex
	entries map[string]verifiedToken
}

func newVerifiedTokens() *verifiedTokens {
	return &verifiedTokens{entries: make(map[string]verifiedToken)}
}

// get returns the entry for token if there is one still valid at now.
func (v *verifiedTokens) get(token string, now time.Time) (verifiedToken, bool) {
	v.mu.RLock()
	t, ok := v.entries[token]
	v.mu.RUnlock()
	if !ok || !now.Before(t.validUntil) {
		return verifiedToken{}, false
	}
	return t, true
}

// put remembers t for token. When the cache is full it first drops the
// entries expired at now, and gives up if that frees no room.
func (v *verifiedTokens) put(token string, t verifiedToken, now time.Time) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.entries) >= maxVerifiedTokens {
		for k, e := range v.entries {
			if !now.Before(e.validUntil) {
				delete(v.entries, k)
			}
		}
		if len(v.entries) >= maxVerifiedTokens {
			return
		}
	}
	v.entries[token] = t
}
