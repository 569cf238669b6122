// Package tenantv2 serves the "tenant v2" dialect described by seed 001 (the
// OneAccess tenant API): user details by id, for callers holding a bearer
// token from POST /api/v2/tenant/token (served by package auth). It only
// translates between that wire format and directory.Service.
package tenantv2

import (
	"context"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// Authenticator turns the bearer credential of a request into a principal.
// It returns a *directory.Error of kind Unauthenticated when the credential
// is missing, bad, expired or revoked.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (directory.Principal, error)
}

// Config holds the dialect's settings.
type Config struct {
	// Location is the time zone times are written in (the server's
	// --timezone); nil means UTC.
	Location *time.Location
}

// Routes registers the dialect's endpoints on mux.
func Routes(mux server.Router, svc *directory.Service, authn Authenticator, cfg Config) {
	loc := cfg.Location
	if loc == nil {
		loc = time.UTC
	}
	mux.Handle("GET /api/v2/tenant/users/{user_id}", handleGetUser(svc, authn, loc))
}
