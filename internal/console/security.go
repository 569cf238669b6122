package console

import (
	"net/http"
)

// contentSecurityPolicy allows the console's own script, stylesheet and
// requests and nothing else: no inline script or style, no framing, forms
// posting only back to userd.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// securityHeaders sets the headers every console answer carries. The
// referrer policy is same-origin, not no-referrer: under no-referrer
// browsers send "Origin: null" with a form, and the origin check below
// needs the real one.
func securityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", contentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// sameOrigin reports whether a state-changing request came from a page of
// this server: browsers send Origin on every POST, and a request from
// another site names that site. A request without Origin (an old browser,
// a test client) is judged by its CSRF token alone.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	scheme := "http://"
	if r.TLS != nil {
		scheme = "https://"
	}
	return origin == scheme+r.Host
}
