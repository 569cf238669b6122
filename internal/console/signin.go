package console

import (
	"net/http"
	"strings"

	"github.com/userd/userd/internal/server"
)

// signInPage shows the sign-in form. Before a session exists the form's
// CSRF token is a random value also set as a short-lived cookie (double
// submit), so another site cannot sign a browser in as someone else.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	rq := &request{lang: pickLanguage(r)}
	c.showSignIn(w, r, rq, http.StatusOK, "")
}

func (c *Console) showSignIn(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	token := randomToken()
	setCookie(w, r, preCookie, token, 600)
	v := &view{lang: rq.lang, CSRF: token, Path: r.URL.RequestURI(), Nav: "signin", Error: msg}
	c.write(w, r, status, "signin", "layout", v)
}

// signIn checks the credential and starts a session under a new id.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	rq := &request{lang: pickLanguage(r)}
	if err := r.ParseForm(); err != nil {
		c.renderError(w, r, rq, http.StatusBadRequest, rq.t("error.form"))
		return
	}
	pre, err := r.Cookie(preCookie)
	if err != nil || !sameOrigin(r) || !equalTokens(r.PostFormValue("csrf"), pre.Value) {
		c.forbidden(w, r, rq)
		return
	}
	credential := strings.TrimSpace(r.PostFormValue("token"))
	p, err := server.Authenticate(r, c.authn, credential)
	if err != nil || len(p.Scopes) == 0 {
		// One answer for every failure: it tells nothing about why.
		c.showSignIn(w, r, rq, http.StatusUnauthorized, rq.t("signin.failed"))
		return
	}
	if old, ok := c.currentSession(r); ok {
		c.sessions.end(old.id)
	}
	ss, ok := c.sessions.start(credential)
	if !ok {
		c.renderError(w, r, rq, http.StatusServiceUnavailable, rq.t("error.busy"))
		return
	}
	setCookie(w, r, preCookie, "", -1)
	setCookie(w, r, sessionCookie, ss.id, 0)
	http.Redirect(w, r, "/console/users", http.StatusSeeOther)
}

// signOut ends the session.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request, rq *request) {
	c.sessions.end(rq.session.id)
	setCookie(w, r, sessionCookie, "", -1)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}
