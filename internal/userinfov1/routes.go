// Package userinfov1 serves the "user-info v1" dialect described by seed
// 002: a batch lookup of users by id, authenticated by the x-api-tenantId and
// x-api-token headers, answering errors as HTTP 200 with an mcode in English
// or Chinese. It only translates between that wire format and
// directory.Service.
package userinfov1

import (
	"github.com/userd/userd/internal/server"
)

// Routes registers the dialect's endpoint on mux. Its credential is the
// x-api-token header: an API token, or a client access token.
func Routes(mux server.Router, d server.Deps) {
	mux.Handle("GET /v1/api/user/info", handleUserInfo(d.WithDefaults()))
}
