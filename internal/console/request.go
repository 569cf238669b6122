package console

import (
	"bytes"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// request is what a signed-in page handler gets: the principal it acts
// as, the session's secret and CSRF token, who signed in, and the language
// to answer in.
type request struct {
	p      directory.Principal
	secret directory.SessionSecret
	csrf   string
	user   string
	lang   string
}

type pageHandler func(w http.ResponseWriter, r *http.Request, rq *request)

// authed runs h for a signed-in browser. Without a live session a page
// read goes to the sign-in page and a change is refused. Every POST must
// carry the session's CSRF token and, when the browser names one, this
// server's origin. A session that must change its password reaches only
// the password page.
func (c *Console) authed(h pageHandler) http.Handler {
	return c.signedIn(h, false)
}

// passwordOnly is authed for the pages a session that must change its
// password may use.
func (c *Console) passwordOnly(h pageHandler) http.Handler {
	return c.signedIn(h, true)
}

func (c *Console) signedIn(h pageHandler, passwordPage bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rq := &request{lang: pickLanguage(r)}
		ck, err := r.Cookie(sessionCookie)
		var in directory.SignedIn
		if err == nil {
			in, err = c.svc.Session(r.Context(), directory.SessionSecret(ck.Value), server.ClientIP(r))
		}
		if err != nil {
			if k := directory.KindOf(err); k != directory.Unauthenticated && k != directory.Internal {
				c.fail(w, r, rq, err)
				return
			}
			if ck != nil {
				setCookie(w, r, sessionCookie, "", -1)
			}
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
				return
			}
			c.forbidden(w, r, rq)
			return
		}
		rq.p, rq.secret, rq.csrf, rq.user = in.Principal, directory.SessionSecret(ck.Value), csrfToken(ck.Value), in.User.Username
		if r.Method == http.MethodPost {
			if err := parseForm(r); err != nil {
				c.renderError(w, r, rq, http.StatusBadRequest, rq.t("error.form"))
				return
			}
			if !sameOrigin(r) || !equalTokens(r.PostFormValue("csrf"), rq.csrf) {
				c.forbidden(w, r, rq)
				return
			}
		}
		if in.MustChangePassword && !passwordPage {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/console/password", http.StatusSeeOther)
				return
			}
			c.renderError(w, r, rq, http.StatusForbidden, rq.t("password.first"))
			return
		}
		h(w, r, rq)
	})
}

// parseForm reads a POST body: a multipart one (an import upload) or a
// URL-encoded form. The server already bounds its size.
func parseForm(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(1 << 20)
	}
	return r.ParseForm()
}

func (c *Console) forbidden(w http.ResponseWriter, r *http.Request, rq *request) {
	c.renderError(w, r, rq, http.StatusForbidden, rq.t("error.csrf"))
}

func (rq *request) t(key string, args ...any) string {
	return consoleCatalog.text(rq.lang, key, args...)
}

// consoleCatalog is the embedded translations, loaded once.
var consoleCatalog = mustCatalog()

// view is what every page template gets.
type view struct {
	lang   string
	CSRF   string
	Signed bool
	Actor  string
	Nav    string
	Path   string
	Notice string
	Error  string
	D      any
	// Write and Admin say whether the signed-in principal holds
	// users:write and admin: a page shows a form only to who may send it.
	Write, Admin bool
}

// T returns the message key in the page's language.
func (v *view) T(key string, args ...any) string { return consoleCatalog.text(v.lang, key, args...) }

// Lang is the page's language tag.
func (v *view) Lang() string { return v.lang }

// Other is the language the switcher offers.
func (v *view) Other() string {
	if v.lang == "en" {
		return "zh-CN"
	}
	return "en"
}

// sign fills in what v shows of the signed-in principal, if any.
func (rq *request) sign(v *view) {
	if rq.csrf == "" {
		return
	}
	v.Signed, v.CSRF, v.Actor = true, rq.csrf, rq.user
	v.Write, v.Admin = rq.p.Holds(directory.ScopeUsersWrite), rq.p.Holds(directory.ScopeAdmin)
}

// parsePages parses each page template with the layout around it.
func parsePages() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	funcs := template.FuncMap{
		"time":       formatTime,
		"pickerArgs": pickerArgs,
		"usable":     usable,
	}
	pages := map[string]*template.Template{}
	for _, name := range names {
		base := strings.TrimSuffix(path.Base(name), ".html")
		if base == "layout" || base == "partials" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS,
			"templates/layout.html", "templates/partials.html", name))
	}
	return pages
}

// render writes page name inside the layout.
func (c *Console) render(w http.ResponseWriter, r *http.Request, rq *request, status int, name, nav string, data any, notice string) {
	v := &view{lang: rq.lang, Nav: nav, Path: r.URL.RequestURI(), D: data, Notice: notice}
	rq.sign(v)
	c.write(w, r, status, name, "layout", v)
}

// renderFragment writes one template of page name alone: the rows a
// search-as-you-type request replaces.
func (c *Console) renderFragment(w http.ResponseWriter, r *http.Request, rq *request, name, tmpl string, data any) {
	v := &view{lang: rq.lang, D: data}
	rq.sign(v)
	v.Signed = false
	c.write(w, r, http.StatusOK, name, tmpl, v)
}

// pageBuffers holds the buffers pages are rendered into, so a page does
// not grow a fresh one from nothing each time.
var pageBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooledPage is the largest buffer put back in pageBuffers: an
// unusually large page's buffer is left to the garbage collector rather
// than kept for pages a tenth of its size.
const maxPooledPage = 256 << 10

func (c *Console) write(w http.ResponseWriter, r *http.Request, status int, name, tmpl string, v *view) {
	b := pageBuffers.Get().(*bytes.Buffer)
	b.Reset()
	defer func() {
		if b.Cap() <= maxPooledPage {
			pageBuffers.Put(b)
		}
	}()
	if err := c.pages[name].ExecuteTemplate(b, tmpl, v); err != nil {
		server.LogError(c.logger, r, slog.LevelError, "console: render "+name, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", v.lang)
	c.setServerTiming(w.Header(), r)
	w.WriteHeader(status)
	_, _ = w.Write(b.Bytes())
}

func (c *Console) renderError(w http.ResponseWriter, r *http.Request, rq *request, status int, msg string) {
	v := &view{lang: rq.lang, Error: msg}
	rq.sign(v)
	c.write(w, r, status, "error", "layout", v)
}

// errorText is what a page shows for err: the Service's own words for a
// request it refused, a generic message (and a log line) for a failure.
// This is the console's one mapping of error kinds.
func (c *Console) errorText(r *http.Request, rq *request, err error) (int, string) {
	var de *directory.Error
	kind := directory.KindOf(err)
	switch kind {
	case directory.Invalid, directory.Conflict, directory.NotFound, directory.Forbidden, directory.Unauthenticated:
		if errors.As(err, &de) {
			status := map[directory.Kind]int{directory.Invalid: 400, directory.Conflict: 409, directory.NotFound: 404,
				directory.Forbidden: 403, directory.Unauthenticated: 401}[kind]
			return status, shownText(de)
		}
	case directory.PreconditionFailed:
		return http.StatusPreconditionFailed, rq.t("error.conflict")
	case directory.Unavailable, directory.TooMany, directory.Overloaded:
		return http.StatusServiceUnavailable, rq.t("error.busy")
	}
	server.LogError(c.logger, r, slog.LevelError, "console", err)
	return http.StatusInternalServerError, rq.t("error.internal")
}

// shownText is de's message without its cause: a driver's words stay in
// the log.
func shownText(de *directory.Error) string {
	msg := de.Error()
	if de.Err != nil {
		msg = strings.TrimSuffix(msg, ": "+de.Err.Error())
	}
	return msg
}

func (c *Console) fail(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	status, msg := c.errorText(r, rq, err)
	c.renderError(w, r, rq, status, msg)
}

// pathID is the {id} of the request's path, or 0 when it is no id.
func pathID(r *http.Request) int64 {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 || id > directory.MaxSafeID {
		return 0
	}
	return id
}

// formID parses an id from a form or query value; "" and junk are 0.
func formID(s string) int64 {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 0 || id > directory.MaxSafeID {
		return 0
	}
	return id
}
