// Package openapiv1 serves the "openapi v1" dialect described by seeds 000
// and 003: reading a user as UserInfo and updating it with UpdateUser. It
// only translates between that wire format and directory.Service; every rule
// lives in the Service.
package openapiv1

import (
	"context"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// Authenticator turns the bearer credential of a request (an access token or
// an API token) into a principal. It returns a *directory.Error of kind
// Unauthenticated when the credential is missing, bad, expired or revoked.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (directory.Principal, error)
}

// DefaultMaxBodyBytes caps an UpdateUser body when Config.MaxBodyBytes is 0.
// The largest valid body (a 256-character password and every other field at
// its limit) is well under 4 KiB.
const DefaultMaxBodyBytes = 64 << 10

// Config holds the dialect's settings.
type Config struct {
	// MaxBodyBytes caps a request body; a larger one answers 413. 0 means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64
}

// Routes registers the dialect's endpoints on mux.
func Routes(mux server.Router, svc *directory.Service, authn Authenticator, cfg Config) {
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	mux.Handle("GET /openapi/v1/users/{user_id}", handle(authn, getUser(svc)))
	mux.Handle("PUT /openapi/v1/users/{user_id}", handle(authn, putUser(svc, cfg.MaxBodyBytes)))
}
