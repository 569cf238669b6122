// Package tenantv2 serves the "tenant v2" dialect described by seed 001 (the
// OneAccess tenant API family): its user and organization calls, for
// callers holding a bearer token from POST /api/v2/tenant/token (served by
// package auth). It only translates between that wire format and
// directory.Service.
package tenantv2

import (
	"time"

	"github.com/userd/userd/internal/server"
)

// Config holds the dialect's settings.
type Config struct {
	// Location is the time zone times are written in (the server's
	// --timezone); nil means UTC.
	Location *time.Location
	// MobileOptional lets CreateUser and UpdateUser go without a mobile
	// number (userd serve --tenantv2-mobile-optional); OneAccess requires
	// one by default. A mobile given is unique in the tenant either way.
	MobileOptional bool
}

// Routes registers the dialect's endpoints on mux.
func Routes(mux server.Router, d server.Deps, cfg Config) {
	d = d.WithDefaults()
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	a := api{d: d, cfg: cfg, loc: loc}
	mux.Handle("POST /api/v2/tenant/users", a.handle(aUser, a.createUser))
	mux.Handle("PUT /api/v2/tenant/users/{user_id}", a.handle(aUser, a.updateUser))
	mux.Handle("GET /api/v2/tenant/users/{user_id}", a.handle(aUser, a.getUser))
	mux.Handle("DELETE /api/v2/tenant/users/{user_id}", a.handle(aUser, a.deleteUser))
	mux.Handle("PUT /api/v2/tenant/users/{user_id}/enable", a.handle(aUser, a.setDisabled(false)))
	mux.Handle("PUT /api/v2/tenant/users/{user_id}/disable", a.handle(aUser, a.setDisabled(true)))
	mux.Handle("PUT /api/v2/tenant/users/{user_id}/change-password", a.handle(aUser, a.changePassword))
	mux.Handle("PUT /api/v2/tenant/users/{user_id}/change-password-verify", a.handle(aUser, a.changePasswordVerified))
	mux.Handle("POST /api/v2/tenant/users/user-by-username", a.handle(aUser, a.userByUsername))
	mux.Handle("GET /api/v2/tenant/users", a.handle(anOrg, a.listUsers))
	mux.Handle("POST /api/v2/tenant/organizations", a.handle(anOrg, a.createOrg))
	mux.Handle("GET /api/v2/tenant/organizations", a.handle(anOrg, a.listOrgs))
	mux.Handle("GET /api/v2/tenant/organizations/{org_id}", a.handle(anOrg, a.getOrg))
	mux.Handle("PUT /api/v2/tenant/organizations/{org_id}", a.handle(anOrg, a.updateOrg))
	mux.Handle("DELETE /api/v2/tenant/organizations/{org_id}", a.handle(anOrg, a.deleteOrg))
}
