// Package tenantv2 serves the "tenant v2" dialect described by seed 001 (the
// OneAccess tenant API): user details by id, for callers holding a bearer
// token from POST /api/v2/tenant/token (served by package auth). It only
// translates between that wire format and directory.Service.
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
}

// Routes registers the dialect's endpoints on mux.
func Routes(mux server.Router, d server.Deps, cfg Config) {
	d = d.WithDefaults()
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	mux.Handle("GET /api/v2/tenant/users/{user_id}", handleGetUser(d, loc))
}
