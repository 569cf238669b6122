// Package admin serves userd's native admin API under /admin/v1: users,
// orgs, API clients, API tokens, the audit log and the change log of the
// caller's tenant, as JSON with RFC 9457 problem details for errors. It
// only translates between HTTP and directory.Service, which holds every
// rule; docs/api/admin.md is its reference.
package admin

import (
	"log/slog"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// Routes registers the admin API on mux. Cursor signing uses the
// installation's "cursor-key" secret from the service's store, created on
// first use.
func Routes(mux server.Router, d server.Deps) {
	d = d.WithDefaults()
	a := &api{svc: d.Service, authn: d.Authn, logger: d.Logger, maxBody: d.MaxBodyBytes,
		cursors: &cursorSealer{store: d.Service.Store()}, heavyReads: d.HeavyReads}
	users, orgs := a.users(), a.orgs()
	routes := []struct {
		pattern string
		h       handlerFunc
	}{
		{"POST /admin/v1/users", users.handleCreate},
		{"GET /admin/v1/users", a.heavy(a.listUsers)},
		{"GET /admin/v1/users/{id}", users.handleGet},
		{"PATCH /admin/v1/users/{id}", users.handlePatch},
		{"DELETE /admin/v1/users/{id}", users.handleDelete},

		{"POST /admin/v1/orgs", orgs.handleCreate},
		{"GET /admin/v1/orgs", a.heavy(a.listOrgs)},
		{"GET /admin/v1/orgs/{id}", orgs.handleGet},
		{"PATCH /admin/v1/orgs/{id}", orgs.handlePatch},
		{"DELETE /admin/v1/orgs/{id}", orgs.handleDelete},

		{"POST /admin/v1/clients", a.createClient},
		{"GET /admin/v1/clients", a.heavy(a.listClients)},
		{"PATCH /admin/v1/clients/{client_id}", a.patchClient},

		{"POST /admin/v1/tokens", a.createToken},
		{"GET /admin/v1/tokens", a.heavy(a.listTokens)},
		{"DELETE /admin/v1/tokens/{id}", a.revokeToken},

		{"GET /admin/v1/audit-events", a.heavy(a.listAuditEvents)},

		{"GET /admin/v1/changes", a.listChanges},
	}
	for _, rt := range routes {
		mux.Handle(rt.pattern, a.handle(rt.h))
	}
	for pattern, h := range a.webhookRoutes() {
		mux.Handle(pattern, a.handle(h))
	}
	a.signInRoutes(mux)
}

type api struct {
	svc        *directory.Service
	authn      server.Authenticator
	logger     *slog.Logger
	maxBody    int64
	cursors    *cursorSealer
	heavyReads *admission.Limiter
}

// handlerFunc serves one authenticated request. A returned error is answered
// by writeError.
type handlerFunc func(w http.ResponseWriter, r *http.Request, p directory.Principal) error

func (a *api) handle(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := a.authenticate(r)
		if err == nil {
			err = h(w, r, p)
		}
		if err != nil {
			a.writeError(w, r, err)
		}
	})
}

// errNoCredential answers a request without an Authorization: Bearer header.
var errNoCredential = directory.Errorf(directory.Unauthenticated, "", "send an Authorization: Bearer header with an access token or an API token")

// heavy admits h, a list answer, as a heavy read of its principal, which
// holds its place until the answer is written. It weighs as many items as
// the page may hold: its limit parameter, else the default page size (h
// itself rejects a limit that is out of range or malformed).
func (a *api) heavy(h handlerFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
		items, err := strconv.Atoi(r.URL.Query().Get("limit"))
		if err != nil || items < 1 || items > directory.MaxPageSize {
			items = directory.DefaultPageSize
		}
		release, err := a.heavyReads.Admit(p, items)
		if err != nil {
			return err
		}
		defer release()
		return h(w, r, p)
	}
}

func (a *api) authenticate(r *http.Request) (directory.Principal, error) {
	credential := server.BearerCredential(r)
	if credential == "" {
		return directory.Principal{}, errNoCredential
	}
	return server.Authenticate(r, a.authn, credential)
}
