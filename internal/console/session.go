package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// Session lifetimes and bounds.
const (
	sessionIdle     = 30 * time.Minute
	sessionAbsolute = 12 * time.Hour
	maxSessions     = 10000
	sessionCookie   = "userd_console"
	preCookie       = "userd_console_pre"
)

// session is one signed-in browser. The cookie carries only id; the
// credential it signed in with stays on the server and is checked again on
// every request, so revoking it ends the session.
type session struct {
	id         string
	csrf       string
	credential string
	created    time.Time
	seen       time.Time
}

// sessions holds the signed-in browsers of this node.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	now func() time.Time
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, now: now}
}

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// start makes a new session for credential under a fresh id: a sign-in
// never reuses an id the browser brought (session fixation).
func (s *sessions) start(credential string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	s.sweep(now)
	if len(s.m) >= maxSessions {
		return nil, false
	}
	ss := &session{id: randomToken(), csrf: randomToken(), credential: credential, created: now, seen: now}
	s.m[ss.id] = ss
	return ss, true
}

// get returns the live session of id, touching it.
func (s *sessions) get(id string) (*session, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ss, ok := s.m[id]
	if !ok {
		return nil, false
	}
	now := s.now()
	if now.Sub(ss.seen) > sessionIdle || now.Sub(ss.created) > sessionAbsolute {
		delete(s.m, id)
		return nil, false
	}
	ss.seen = now
	return ss, true
}

func (s *sessions) end(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, id)
}

func (s *sessions) sweep(now time.Time) {
	for id, ss := range s.m {
		if now.Sub(ss.seen) > sessionIdle || now.Sub(ss.created) > sessionAbsolute {
			delete(s.m, id)
		}
	}
}

// setCookie sets a console cookie: HttpOnly, SameSite=Lax, Secure when the
// request came over TLS, scoped to the console.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// equalTokens compares two tokens in constant time; an empty one never
// matches.
func equalTokens(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
