package auth

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// recordingObserver remembers every call, as "where/reason" or "granted".
type recordingObserver struct {
	mu    sync.Mutex
	calls []string
}

func (r *recordingObserver) TokenGranted() { r.record("granted") }
func (r *recordingObserver) AuthFailed(where, reason string) {
	r.record(where + "/" + reason)
}
func (r *recordingObserver) AuthFailureNotRecorded() { r.record("audit/not_recorded") }

func (r *recordingObserver) record(s string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
}

// take returns the calls so far and forgets them.
func (r *recordingObserver) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.calls
	r.calls = nil
	return out
}

// TestObserverReasons checks each way a bearer credential is refused is
// reported with its own reason, and a good one with none.
func TestObserverReasons(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	obs := &recordingObserver{}
	authn, err := NewAuthenticator(ctx, e.store, Options{CacheTTL: testCacheTTL, Now: e.clock.now, Observer: obs})
	if err != nil {
		t.Fatal(err)
	}
	c, _ := e.client(t, directory.ScopeUsersRead)
	access := e.issueFor(t, c)
	revokedTok, revoked := e.apiToken(t, 0, directory.ScopeUsersRead)
	_, good := e.apiToken(t, 0, directory.ScopeUsersRead)

	steps := []struct {
		name       string
		before     func()
		credential string
		want       []string
	}{
		{"good access token", nil, access, nil},
		{"good API token", nil, good.Reveal(), nil},
		{"missing", nil, "", []string{"bearer/missing"}},
		{"too long", nil, strings.Repeat("x", maxCredentialLen+1), []string{"bearer/malformed"}},
		{"junk", nil, "a.b.c", []string{"bearer/invalid_access_token"}},
		{"unknown API token", nil, "udt_unknownunknownunknown", []string{"bearer/unknown_api_token"}},
		{"revoked API token", func() {
			if _, err := e.svc.RevokeAPIToken(ctx, e.admin, revokedTok.ID); err != nil {
				t.Fatal(err)
			}
		}, revoked.Reveal(), []string{"bearer/revoked_or_expired_api_token"}},
		{"disabled client", func() {
			e.disable(t, c.ClientID, true)
			e.clock.advance(testCacheTTL + time.Second)
		}, access, []string{"bearer/client_disabled_or_changed"}},
		{"expired access token", func() {
			e.clock.advance(DefaultTokenLifetime + tokenLeeway + time.Second)
		}, access, []string{"bearer/expired_access_token"}},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		_, _ = authn.Authenticate(ctx, s.credential)
		if got := obs.take(); !slices.Equal(got, s.want) {
			t.Errorf("%s: got %v, want %v", s.name, got, s.want)
		}
	}
}
