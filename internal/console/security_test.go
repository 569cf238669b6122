package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestSecurityHeaders checks that every kind of console answer forbids
// framing (clickjacking), inline script and style, and caching, and that no
// page holds inline script, inline style or event-handler attributes the
// policy would block.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	check := func(what string, resp *http.Response, body string) {
		t.Helper()
		h := resp.Header
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'", "base-uri 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: Content-Security-Policy %q lacks %q", what, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: Content-Security-Policy %q allows inline code", what, csp)
		}
		if got := h.Get("X-Frame-Options"); got != "DENY" {
			t.Errorf("%s: X-Frame-Options %q, want DENY", what, got)
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
		}
		if got := h.Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q, want no-referrer", what, got)
		}
		if inlineCode.MatchString(body) {
			t.Errorf("%s: the page holds inline script or style: %s", what, inlineCode.FindString(body))
		}
	}
	resp, body := b.get("/console/signin")
	check("sign-in page", resp, body)
	resp, body = b.get("/console/static/console.js")
	check("script", resp, body)
	b.signIn(b.e.admin)
	for _, p := range []string{"/console/users", "/console/users/" + itoa(e.Ada.ID), "/console/users/new", "/console/orgs",
		"/console/orgs/" + itoa(e.Eng.ID), "/console/clients", "/console/audit", "/console/import", "/console/users/999999", "/console/nope"} {
		resp, body := b.get(p)
		if resp.StatusCode == http.StatusSeeOther {
			t.Fatalf("%s: redirected to %s; the browser is not signed in", p, resp.Header.Get("Location"))
		}
		check(p, resp, body)
	}
	resp, body = b.post("/console/users/"+itoa(e.Ada.ID), url.Values{}, "Origin", "https://evil.example")
	check("a refused post", resp, body)
}

// inlineCode matches what a strict policy blocks: a script element without
// src, a style element or attribute, an event-handler attribute, a
// javascript: URL.
var inlineCode = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>[^<]|<script>|<style|\sstyle=|\son[a-z]+=|javascript:`)

// TestCookieFlags checks the session cookie: HttpOnly, SameSite=Lax,
// scoped to the console, Secure over TLS and only there.
func TestCookieFlags(t *testing.T) {
	for _, tlsOn := range []bool{false, true} {
		e := newEnv(t, tlsOn)
		b := e.browser(t)
		b.get("/console/signin")
		resp, _ := b.post("/console/signin", url.Values{"token": {e.admin}})
		wantStatus(t, "sign in", resp, http.StatusSeeOther)
		var session *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "userd_console" {
				session = c
			}
		}
		if session == nil {
			t.Fatalf("TLS %v: sign-in set no session cookie; cookies: %v", tlsOn, resp.Header["Set-Cookie"])
		}
		if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/console/" {
			t.Errorf("TLS %v: session cookie %q: want HttpOnly, SameSite=Lax, Path=/console/", tlsOn, resp.Header.Get("Set-Cookie"))
		}
		if session.Secure != tlsOn {
			t.Errorf("TLS %v: session cookie Secure = %v", tlsOn, session.Secure)
		}
		if strings.Contains(session.Value, e.admin) || len(session.Value) < 40 {
			t.Errorf("TLS %v: the session cookie is not an opaque random id: %q", tlsOn, session.Value)
		}
	}
}

// TestSessionFixation checks that a session id planted before sign-in is
// never the one signed in, and that signing in again retires the old id.
func TestSessionFixation(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	u, _ := url.Parse(e.srv.URL + "/console/")
	b.jar.SetCookies(u, []*http.Cookie{{Name: "userd_console", Value: "planted-by-attacker", Path: "/console/"}})
	wantStatus(t, "sign in", b.signIn(e.admin), http.StatusSeeOther)
	first := b.cookie("userd_console").Value
	if first == "planted-by-attacker" {
		t.Fatal("sign-in kept the session id the browser brought")
	}
	resp, _ := b.get("/console/users")
	wantStatus(t, "users after sign-in", resp, http.StatusOK)

	attacker := e.browser(t)
	attacker.jar.SetCookies(u, []*http.Cookie{{Name: "userd_console", Value: "planted-by-attacker", Path: "/console/"}})
	resp, _ = attacker.get("/console/users")
	wantStatus(t, "the planted id", resp, http.StatusSeeOther)

	wantStatus(t, "sign in again", b.signIn(e.admin), http.StatusSeeOther)
	if b.cookie("userd_console").Value == first {
		t.Fatal("signing in again kept the session id")
	}
	old := e.browser(t)
	old.jar.SetCookies(u, []*http.Cookie{{Name: "userd_console", Value: first, Path: "/console/"}})
	resp, _ = old.get("/console/users")
	wantStatus(t, "the retired id", resp, http.StatusSeeOther)
}

// TestCSRF checks that a change without the session's token, with another
// session's token, or from another origin is refused and changes nothing;
// and that the sign-in form needs its own token.
func TestCSRF(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signIn(e.admin)
	other := e.browser(t)
	other.signIn(e.admin)
	other.get("/console/users")
	b.get("/console/users/" + itoa(e.Ada.ID))
	form := func(csrf string) url.Values {
		v := url.Values{"flag": {"locked"}, "value": {"on"}}
		if csrf != "-" {
			v.Set("csrf", csrf)
		}
		return v
	}
	path := "/console/users/" + itoa(e.Ada.ID) + "/flag"
	for _, tc := range []struct {
		name   string
		form   url.Values
		header []string
	}{
		{"no token", form(""), nil},
		{"another session's token", form(other.csrf), nil},
		{"another origin", form(b.csrf), []string{"Origin", "https://evil.example"}},
	} {
		resp, body := b.post(path, tc.form, tc.header...)
		wantStatus(t, tc.name, resp, http.StatusForbidden)
		if !strings.Contains(body, "did not come from this console") {
			t.Errorf("%s: the page does not say why: %s", tc.name, body)
		}
	}
	u, err := e.Service.User(t.Context(), e.Principal(), e.Ada.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.Locked || u.Version != e.Ada.Version {
		t.Fatalf("a refused request changed the user: locked %v, version %d", u.Locked, u.Version)
	}
	resp, _ := b.post(path, form(b.csrf), "Origin", e.srv.URL)
	wantStatus(t, "the right token from this origin", resp, http.StatusSeeOther)

	// Login CSRF: another site cannot post its own credential to sign a
	// browser in as the attacker.
	victim := e.browser(t)
	resp, _ = victim.post("/console/signin", url.Values{"csrf": {"guess"}, "token": {e.admin}})
	wantStatus(t, "sign-in without the form's token", resp, http.StatusForbidden)
	if victim.cookie("userd_console") != nil {
		t.Fatal("a refused sign-in set a session cookie")
	}
}

// TestSignInAndOut checks one uniform failure for every bad credential,
// and that signing out ends the session on the server.
func TestSignInAndOut(t *testing.T) {
	e := newEnv(t, false)
	for _, cred := range []string{"garbage", e.Credentials["revoked"], e.Credentials["expired"], ""} {
		b := e.browser(t)
		b.get("/console/signin")
		resp, body := b.post("/console/signin", url.Values{"token": {cred}})
		wantStatus(t, "bad credential", resp, http.StatusUnauthorized)
		if !strings.Contains(body, "Sign-in failed. Check the credential and try again.") {
			t.Errorf("credential %.8q: not the one uniform failure: %s", cred, body)
		}
		if b.cookie("userd_console") != nil {
			t.Errorf("credential %.8q: a failed sign-in set a session cookie", cred)
		}
	}
	b := e.browser(t)
	wantStatus(t, "sign in", b.signIn(e.admin), http.StatusSeeOther)
	id := b.cookie("userd_console").Value
	b.get("/console/users")
	resp, _ := b.post("/console/signout", url.Values{})
	wantStatus(t, "sign out", resp, http.StatusSeeOther)
	again := e.browser(t)
	u, _ := url.Parse(e.srv.URL + "/console/")
	again.jar.SetCookies(u, []*http.Cookie{{Name: "userd_console", Value: id, Path: "/console/"}})
	resp, _ = again.get("/console/users")
	wantStatus(t, "the signed-out session", resp, http.StatusSeeOther)
}

// TestRevokedCredentialEndsSession checks that revoking the token a
// session signed in with ends the session at its next request.
func TestRevokedCredentialEndsSession(t *testing.T) {
	e := newEnv(t, false)
	tok, secret, err := e.Service.CreateAPIToken(t.Context(), e.Principal(), "short", directory.Scopes{directory.ScopeAdmin}, 0)
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	wantStatus(t, "sign in", b.signIn(secret.Reveal()), http.StatusSeeOther)
	resp, _ := b.get("/console/orgs")
	wantStatus(t, "orgs", resp, http.StatusOK)
	if _, err := e.Service.RevokeAPIToken(t.Context(), e.Principal(), tok.ID); err != nil {
		t.Fatal(err)
	}
	resp, _ = b.get("/console/orgs")
	wantStatus(t, "orgs after revocation", resp, http.StatusSeeOther)
}

// TestOpenRedirect checks that the language switch only returns to
// console pages.
func TestOpenRedirect(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	for back, want := range map[string]string{
		"/console/users?q=a": "/console/users?q=a", "https://evil.example/": "/console/", "//evil.example/console/": "/console/",
	} {
		resp, _ := b.get("/console/lang/zh-CN?back=" + url.QueryEscape(back))
		if got := resp.Header.Get("Location"); got != want {
			t.Errorf("back=%q: redirected to %q, want %q", back, got, want)
		}
	}
}
