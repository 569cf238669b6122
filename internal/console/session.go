package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
)

// The console's cookies. The session cookie holds the session secret the
// Service made at sign-in (sessions live in the database, so any node
// accepts them); the pre-session cookie holds the sign-in forms' CSRF
// token.
const (
	sessionCookie = "userd_console"
	preCookie     = "userd_console_pre"
)

// randomToken returns 256 random bits, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// csrfToken is the CSRF token of the session with secret: derived from
// it, so it is tied to the session, needs no storage, and changes whenever
// the session does (a sign-in, a password change).
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("userd console csrf v1"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// setCookie sets a console cookie: HttpOnly, SameSite=Lax, Secure when the
// request came over TLS, scoped to the console. maxAge 0 makes a browser
// session cookie; -1 deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: Prefix, MaxAge: maxAge,
		HttpOnly: true, Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
}

// equalTokens compares two tokens in constant time; an empty one never
// matches.
func equalTokens(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
