package console

import (
	"net/http"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// The sign-in forms (sign in, first administrator) come before any
// session: their CSRF token is a random value also set as a short-lived
// cookie (double submit), so another site cannot sign a browser in as
// someone else.

// preForm renders a sign-in form page with a fresh pre-session token.
func (c *Console) preForm(w http.ResponseWriter, r *http.Request, rq *request, status int, page string, data any, msg string) {
	token := randomToken()
	setCookie(w, r, preCookie, token, 600)
	v := &view{lang: rq.lang, CSRF: token, Path: r.URL.RequestURI(), Nav: page, Error: msg, D: data}
	c.write(w, r, status, page, "layout", v)
}

// preFormOK checks a sign-in form's double-submit token and origin.
func preFormOK(r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		return false
	}
	pre, err := r.Cookie(preCookie)
	return err == nil && sameOrigin(r) && equalTokens(r.PostFormValue("csrf"), pre.Value)
}

// signInPage shows the sign-in form.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	c.preForm(w, r, &request{lang: pickLanguage(r)}, http.StatusOK, "signin", map[string]string{}, "")
}

// signIn checks the username (or email) and password through the Service,
// which counts failures, locks the account after too many and audits every
// attempt, and starts a new session: a sign-in never keeps a session id
// the browser brought (fixation).
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	rq := &request{lang: pickLanguage(r)}
	if !preFormOK(r) {
		c.forbidden(w, r, rq)
		return
	}
	form := map[string]string{"tenant": r.PostFormValue("tenant"), "login": r.PostFormValue("login")}
	in, secret, err := c.svc.SignIn(r.Context(), strings.TrimSpace(form["tenant"]), strings.TrimSpace(form["login"]), r.PostFormValue("password"), server.ClientIP(r))
	if err != nil {
		status, msg := http.StatusUnauthorized, rq.t("signin.failed")
		switch directory.KindOf(err) {
		case directory.Unauthenticated:
		case directory.TooMany:
			status, msg = http.StatusTooManyRequests, rq.t("signin.too_many")
		default:
			status, msg = c.errorText(r, rq, err)
		}
		c.preForm(w, r, rq, status, "signin", form, msg)
		return
	}
	if old, err := r.Cookie(sessionCookie); err == nil {
		// The browser's previous session ends with this sign-in.
		_ = c.svc.SignOut(r.Context(), directory.SessionSecret(old.Value), server.ClientIP(r))
	}
	c.startSession(w, r, in, secret)
}

// startSession sets the cookie of a new session and goes on: to the
// password change the session is limited to, or to the console.
func (c *Console) startSession(w http.ResponseWriter, r *http.Request, in directory.SignedIn, secret directory.SessionSecret) {
	setCookie(w, r, preCookie, "", -1)
	setCookie(w, r, sessionCookie, secret.Reveal(), 0)
	next := "/console/users"
	if in.MustChangePassword {
		next = "/console/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// signOut ends the session, or with everywhere=on every session of the
// user.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, rq *request) {
	var err error
	if r.PostFormValue("everywhere") == "on" {
		err = c.svc.SignOutEverywhere(r.Context(), rq.secret, server.ClientIP(r))
	} else {
		err = c.svc.SignOut(r.Context(), rq.secret, server.ClientIP(r))
	}
	if err != nil && directory.KindOf(err) != directory.Unauthenticated {
		c.fail(w, r, rq, err)
		return
	}
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// passwordPage asks for the current and a new password: what a session
// that must change its password may do, and what any user may do.
func (c *Console) passwordPage(w http.ResponseWriter, r *http.Request, rq *request) {
	c.render(w, r, rq, http.StatusOK, "password", "password", nil, "")
}

// changePassword changes the signed-in user's password; the Service ends
// every session of the user and starts a new one.
func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, rq *request) {
	next := r.PostFormValue("password")
	if next != r.PostFormValue("confirm") {
		c.render(w, r, rq, http.StatusBadRequest, "password", "password", rq.t("password.mismatch"), "")
		return
	}
	in, secret, err := c.svc.ChangeSessionPassword(r.Context(), rq.secret, r.PostFormValue("current"), next, server.ClientIP(r))
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		if status >= 500 {
			c.renderError(w, r, rq, status, msg)
			return
		}
		c.render(w, r, rq, status, "password", "password", msg, "")
		return
	}
	c.startSession(w, r, in, secret)
}

// setupPage is the first-start link's page: the link's secret is in the
// URL fragment, which the browser never sends; the page's script puts it
// in the form (or the operator pastes it).
func (c *Console) setupPage(w http.ResponseWriter, r *http.Request) {
	c.preForm(w, r, &request{lang: pickLanguage(r)}, http.StatusOK, "setup", map[string]string{}, "")
}

// completeSetup creates the first administrator with the link and signs
// them in.
func (c *Console) completeSetup(w http.ResponseWriter, r *http.Request) {
	rq := &request{lang: pickLanguage(r)}
	if !preFormOK(r) {
		c.forbidden(w, r, rq)
		return
	}
	form := map[string]string{"username": r.PostFormValue("username")}
	if r.PostFormValue("password") != r.PostFormValue("confirm") {
		c.preForm(w, r, rq, http.StatusBadRequest, "setup", form, rq.t("password.mismatch"))
		return
	}
	in, secret, err := c.svc.CompleteSetup(r.Context(), directory.SetupSecret(strings.TrimSpace(r.PostFormValue("code"))),
		strings.TrimSpace(form["username"]), r.PostFormValue("password"), server.ClientIP(r))
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		c.preForm(w, r, rq, status, "setup", form, msg)
		return
	}
	c.startSession(w, r, in, secret)
}
