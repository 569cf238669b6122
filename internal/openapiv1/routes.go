// Package openapiv1 serves the "openapi v1" dialect described by seeds 000
// and 003: reading a user as UserInfo and updating it with UpdateUser. It
// only translates between that wire format and directory.Service; every rule
// lives in the Service.
package openapiv1

import (
	"github.com/userd/userd/internal/server"
)

// Routes registers the dialect's endpoints on mux. An UpdateUser body may be
// d.MaxBodyBytes long; the largest valid one (a 256-character password and
// every other field at its limit) is well under 4 KiB.
func Routes(mux server.Router, d server.Deps) {
	d = d.WithDefaults()
	mux.Handle("GET /openapi/v1/users/{user_id}", handle(d, getUser(d.Service)))
	mux.Handle("PUT /openapi/v1/users/{user_id}", handle(d, putUser(d.Service, d.MaxBodyBytes)))
}
