// Package console is userd's admin web console: server-rendered pages at
// /console/ over the same directory.Service as the APIs. It holds no rule of
// its own; it translates forms into Service calls and Service answers into
// pages. Templates, translations, one stylesheet and one small script are
// embedded, so the binary serves the console with no build step and no
// network.
package console

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

//go:embed locales/*.json
var localeFS embed.FS

// Prefix is where the console is served.
const Prefix = "/console/"

// pageSize is how many rows a console list shows.
const pageSize = 50

// Console serves the admin console.
type Console struct {
	svc     *directory.Service
	logger  *slog.Logger
	maxBody int64
	pages   map[string]*template.Template
	mux     *http.ServeMux
	now     func() time.Time
}

// Routes mounts the console on mux: every page under /console/, reached
// through one GET and one POST pattern so the server's route list stays
// short; the console dispatches inside.
func Routes(mux server.Router, d server.Deps) {
	c := New(d)
	mux.Handle("GET "+Prefix, c)
	mux.Handle("POST "+Prefix, c)
}

// New returns the console over d's Service, which also signs people in
// and keeps their sessions.
func New(d server.Deps) *Console {
	d = d.WithDefaults()
	c := &Console{svc: d.Service, logger: d.Logger, maxBody: d.MaxBodyBytes,
		pages: parsePages(), now: time.Now}
	c.mux = http.NewServeMux()
	c.routes()
	return c
}

// ServeHTTP sets the security headers every console answer carries, notes
// when it took the request (for the pages' Server-Timing), and dispatches
// to the page.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	securityHeaders(w.Header())
	c.mux.ServeHTTP(w, withStart(r, c.now()))
}

func (c *Console) routes() {
	static, _ := fs.Sub(staticFS, "static")
	c.mux.Handle("GET /console/static/", http.StripPrefix("/console/static/", staticHandler(http.FileServerFS(static))))
	c.mux.HandleFunc("GET /console/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/console/users", http.StatusSeeOther)
	})
	c.mux.HandleFunc("GET /console/lang/{lang}", c.switchLanguage)
	c.mux.HandleFunc("GET /console/signin", c.signInPage)
	c.mux.HandleFunc("POST /console/signin", c.signIn)
	c.mux.Handle("POST /console/signout", c.passwordOnly(c.signOut))
	c.mux.Handle("GET /console/password", c.passwordOnly(c.passwordPage))
	c.mux.Handle("POST /console/password", c.passwordOnly(c.changePassword))
	c.mux.HandleFunc("GET /console/setup", c.setupPage)
	c.mux.HandleFunc("POST /console/setup", c.completeSetup)

	c.mux.Handle("GET /console/users", c.authed(c.usersPage))
	c.mux.Handle("GET /console/users/pick", c.authed(c.pickUser))
	c.mux.Handle("GET /console/users/new", c.authed(c.newUserPage))
	c.mux.Handle("POST /console/users/new", c.authed(c.createUser))
	c.mux.Handle("GET /console/users/{id}", c.authed(c.userPage))
	c.mux.Handle("POST /console/users/{id}", c.authed(c.updateUser))
	c.mux.Handle("POST /console/users/{id}/password", c.authed(c.setPassword))
	c.mux.Handle("POST /console/users/{id}/flag", c.authed(c.setFlag))
	c.mux.Handle("GET /console/users/{id}/delete", c.authed(c.deleteUserPage))
	c.mux.Handle("POST /console/users/{id}/delete", c.authed(c.deleteUser))

	c.mux.Handle("GET /console/orgs", c.authed(c.orgsPage))
	c.mux.Handle("GET /console/orgs/children", c.authed(c.orgChildren))
	c.mux.Handle("GET /console/orgs/pick", c.authed(c.pickOrg))
	c.mux.Handle("POST /console/orgs/new", c.authed(c.createOrg))
	c.mux.Handle("GET /console/orgs/{id}", c.authed(c.orgPage))
	c.mux.Handle("POST /console/orgs/{id}", c.authed(c.updateOrg))
	c.mux.Handle("POST /console/orgs/{id}/delete", c.authed(c.deleteOrg))

	c.mux.Handle("GET /console/clients", c.authed(c.clientsPage))
	c.mux.Handle("POST /console/clients/new", c.authed(c.createClient))
	c.mux.Handle("POST /console/clients/{id}/disabled", c.authed(c.setClientDisabled))
	c.mux.Handle("POST /console/tokens/new", c.authed(c.createToken))
	c.mux.Handle("POST /console/tokens/{id}/revoke", c.authed(c.revokeToken))

	c.mux.Handle("GET /console/audit", c.authed(c.auditPage))

	c.mux.Handle("GET /console/webhooks", c.authed(c.webhooksPage))
	c.mux.Handle("POST /console/webhooks/new", c.authed(c.createWebhook))
	c.mux.Handle("GET /console/webhooks/{id}", c.authed(c.webhookPage))
	c.mux.Handle("POST /console/webhooks/{id}/disabled", c.authed(c.setWebhookDisabled))
	c.mux.Handle("POST /console/webhooks/{id}/delete", c.authed(c.deleteWebhook))

	c.mux.Handle("GET /console/import", c.authed(c.importPage))
	c.mux.Handle("POST /console/import", c.authed(c.importUsers))
	c.mux.Handle("GET /console/export", c.authed(c.exportUsers))
}

// staticHandler serves the embedded assets; they change only with the
// binary, so a browser may keep them a day.
func staticHandler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}
