// Package userinfov1 serves the "user-info v1" dialect described by seed
// 002: a batch lookup of users by id, authenticated by the x-api-tenantId and
// x-api-token headers, answering errors as HTTP 200 with an mcode in English
// or Chinese. It only translates between that wire format and
// directory.Service.
package userinfov1

import (
	"context"

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// Authenticator turns the x-api-token credential (an API token, or a client
// access token) into a principal. It returns a *directory.Error of kind
// Unauthenticated when the credential is bad, expired or revoked.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (directory.Principal, error)
}

// Config holds the dialect's settings.
type Config struct {
	// HeavyReads admits every batch lookup; nil admits all.
	HeavyReads *admission.Limiter
}

// Routes registers the dialect's endpoint on mux.
func Routes(mux server.Router, svc *directory.Service, authn Authenticator, cfg Config) {
	mux.Handle("GET /v1/api/user/info", handleUserInfo(svc, authn, cfg.HeavyReads))
}
