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
		if got := h.Get("Referrer-Policy"); got != "same-origin" {
			t.Errorf("%s: Referrer-Policy %q, want same-origin", what, got)
		}
		if inlineCode.MatchString(body) {
			t.Errorf("%s: the page holds inline script or style: %s", what, inlineCode.FindString(body))
		}
	}
	resp, body := b.get("/console/signin")
	check("sign-in page", resp, body)
	resp, body = b.get("/console/static/console.js")
	check("script", resp, body)
	b.signInRoot()
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
		resp, _ := b.signIn("root", rootPassword)
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
		if strings.Contains(session.Value, rootPassword) || !strings.HasPrefix(session.Value, "udsess_") || len(session.Value) < 40 {
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
	b.signInRoot()
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

	b.signInRoot()
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
	b.signInRoot()
	other := e.browser(t)
	other.signInRoot()
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
	resp, _ = victim.post("/console/signin", url.Values{"csrf": {"guess"}, "tenant": {"acme"}, "login": {"root"}, "password": {rootPassword}})
	wantStatus(t, "sign-in without the form's token", resp, http.StatusForbidden)
	if victim.cookie("userd_console") != nil {
		t.Fatal("a refused sign-in set a session cookie")
	}
}

// TestSignInAndOut checks one uniform failure for every bad sign-in,
// and that signing out ends the session on the server.
func TestSignInAndOut(t *testing.T) {
	e := newEnv(t, false)
	e.consoleUser(t, "nobody", "no role at all", directory.RoleNone, false)
	for _, tc := range []struct{ login, password string }{
		{"root", "wrong password"}, {"ghost", rootPassword}, {"nobody", "no role at all"}, {"", ""},
	} {
		b := e.browser(t)
		resp, body := b.signIn(tc.login, tc.password)
		wantStatus(t, tc.login+" signs in", resp, http.StatusUnauthorized)
		if !strings.Contains(body, "Wrong username or password, or the account may not sign in.") {
			t.Errorf("%s: not the one uniform failure: %s", tc.login, body)
		}
		if strings.Contains(body, tc.password) && tc.password != "" {
			t.Errorf("%s: the page shows the password", tc.login)
		}
		if b.cookie("userd_console") != nil {
			t.Errorf("%s: a failed sign-in set a session cookie", tc.login)
		}
	}
	b := e.browser(t)
	b.signInRoot()
	id := b.cookie("userd_console").Value
	b.get("/console/users")
	resp, _ := b.post("/console/signout", url.Values{})
	wantStatus(t, "sign out", resp, http.StatusSeeOther)
	if c := b.cookie("userd_console"); c != nil {
		t.Errorf("sign-out left the session cookie %q", c.Value)
	}
	again := e.browser(t)
	u, _ := url.Parse(e.srv.URL + "/console/")
	again.jar.SetCookies(u, []*http.Cookie{{Name: "userd_console", Value: id, Path: "/console/"}})
	resp, _ = again.get("/console/users")
	wantStatus(t, "the signed-out session", resp, http.StatusSeeOther)
}

// TestSignOutEverywhere checks that one browser can end every session of
// its user.
func TestSignOutEverywhere(t *testing.T) {
	e := newEnv(t, false)
	laptop, phone := e.browser(t), e.browser(t)
	laptop.signInRoot()
	phone.signInRoot()
	laptop.get("/console/users")
	resp, _ := laptop.post("/console/signout", url.Values{"everywhere": {"on"}})
	wantStatus(t, "sign out everywhere", resp, http.StatusSeeOther)
	resp, _ = phone.get("/console/users")
	wantStatus(t, "the other browser", resp, http.StatusSeeOther)
}

// TestLockout checks that failed sign-ins lock the account, that the right
// password then fails too, and that an administrator's unlock on the user
// page lets it in again.
func TestLockout(t *testing.T) {
	e := newEnv(t, false)
	grace := e.consoleUser(t, "grace", "grace password", directory.RoleViewer, false)
	b := e.browser(t)
	for i := 0; i < maxFailures; i++ {
		resp, _ := b.signIn("grace", "guess")
		wantStatus(t, "a wrong password", resp, http.StatusUnauthorized)
	}
	resp, _ := b.signIn("grace", "grace password")
	wantStatus(t, "the right password once locked", resp, http.StatusUnauthorized)
	u, _ := e.Service.User(t.Context(), e.Principal(), grace.ID)
	if !u.Locked {
		t.Fatal("the account is not locked")
	}
	admin := e.browser(t)
	admin.signInRoot()
	_, page := admin.get("/console/users/" + itoa(grace.ID))
	if !strings.Contains(page, `id="unlock"`) {
		t.Fatal("the user page offers no unlock")
	}
	resp, _ = admin.post("/console/users/"+itoa(grace.ID)+"/flag", url.Values{"flag": {"locked"}, "version": {itoa(u.Version)}})
	wantStatus(t, "unlock", resp, http.StatusSeeOther)
	resp, _ = b.signIn("grace", "grace password")
	wantStatus(t, "the right password after unlock", resp, http.StatusSeeOther)
	// A viewer reads but changes nothing: the Service refuses.
	b.get("/console/users")
	resp, _ = b.post("/console/orgs/new", url.Values{"name": {"Shadow"}})
	wantStatus(t, "a viewer creates an org", resp, http.StatusForbidden)
}

// TestForcedPasswordChange checks that a user who must change the password
// reaches nothing else until it is changed, and that the change starts a
// new session and ends the old one.
func TestForcedPasswordChange(t *testing.T) {
	e := newEnv(t, false)
	e.consoleUser(t, "newbie", "temporary pass", directory.RoleAdmin, true)
	b := e.browser(t)
	resp, _ := b.signIn("newbie", "temporary pass")
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/password" {
		t.Fatalf("sign-in: %d to %q, want 303 to /console/password", resp.StatusCode, resp.Header.Get("Location"))
	}
	old := b.cookie("userd_console").Value
	resp, _ = b.get("/console/users")
	if resp.Header.Get("Location") != "/console/password" {
		t.Fatalf("users page before the change: %d to %q, want the password page", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.get("/console/password")
	resp, _ = b.post("/console/orgs/new", url.Values{"name": {"Sneaky"}})
	wantStatus(t, "a change before the password change", resp, http.StatusForbidden)
	resp, body := b.post("/console/password", url.Values{"current": {"temporary pass"}, "password": {"my own secret"}, "confirm": {"my own secrex"}})
	wantStatus(t, "mismatched passwords", resp, http.StatusBadRequest)
	if !strings.Contains(body, "The two new passwords differ.") {
		t.Errorf("the page does not say the passwords differ")
	}
	resp, _ = b.post("/console/password", url.Values{"current": {"temporary pass"}, "password": {"my own secret"}, "confirm": {"my own secret"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/users" {
		t.Fatalf("password change: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if b.cookie("userd_console").Value == old {
		t.Fatal("the password change kept the session secret")
	}
	resp, _ = b.get("/console/users")
	wantStatus(t, "users page after the change", resp, http.StatusOK)
	stale := e.browser(t)
	u, _ := url.Parse(e.srv.URL + "/console/")
	stale.jar.SetCookies(u, []*http.Cookie{{Name: "userd_console", Value: old, Path: "/console/"}})
	resp, _ = stale.get("/console/users")
	wantStatus(t, "the session from before the change", resp, http.StatusSeeOther)
}

// TestSetupLink checks the first-start link: it creates the first
// administrator and signs them in, once.
func TestSetupLink(t *testing.T) {
	e := newEnv(t, false)
	tenant, err := e.Service.CreateTenant(t.Context(), "fresh")
	if err != nil {
		t.Fatal(err)
	}
	code, _, ok, err := e.Service.CreateSetupLink(t.Context(), tenant.ID)
	if err != nil || !ok {
		t.Fatalf("CreateSetupLink: %v %v", ok, err)
	}
	b := e.browser(t)
	b.get("/console/setup")
	form := url.Values{"code": {code.Reveal()}, "username": {"first"}, "password": {"first admin pw"}, "confirm": {"first admin pw"}}
	resp, body := b.post("/console/setup", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/users" {
		t.Fatalf("setup: %d to %q; page:\n%s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	resp, _ = b.get("/console/users")
	wantStatus(t, "users page after setup", resp, http.StatusOK)
	again := e.browser(t)
	again.get("/console/setup")
	form.Set("username", "second")
	form.Del("csrf")
	resp, body = again.post("/console/setup", form)
	wantStatus(t, "the link used again", resp, http.StatusUnauthorized)
	if !strings.Contains(body, "unknown, used or expired") {
		t.Errorf("the page does not say the link is spent: %s", body)
	}
}

// TestDisabledUserSessionEnds checks that disabling a signed-in user ends
// their session at once.
func TestDisabledUserSessionEnds(t *testing.T) {
	e := newEnv(t, false)
	ann := e.consoleUser(t, "ann", "ann password", directory.RoleAdmin, false)
	b := e.browser(t)
	if resp, _ := b.signIn("ann", "ann password"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	root := e.browser(t)
	root.signInRoot()
	root.get("/console/users")
	cur, _ := e.Service.User(t.Context(), e.Principal(), ann.ID)
	resp, _ := root.post("/console/users/"+itoa(ann.ID)+"/flag", url.Values{"flag": {"active"}, "version": {itoa(cur.Version)}})
	wantStatus(t, "disable", resp, http.StatusSeeOther)
	resp, _ = b.get("/console/users")
	wantStatus(t, "the disabled user's page", resp, http.StatusSeeOther)
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
