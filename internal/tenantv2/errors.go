package tenantv2

import (
	"log/slog"
	"net/http"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// The dialect's error codes; docs/api/tenant-v2.md lists them. The 401 and
// 403 codes are RFC 6750's, as OneAccess's token endpoint speaks OAuth 2.0.
const (
	codeInvalidParameter  = "invalid_parameter"
	codeInvalidToken      = "invalid_token"
	codeInsufficientScope = "insufficient_scope"
	codeUserNotFound      = "user_not_found"
	codeUnavailable       = "service_unavailable"
	codeInternal          = "internal_error"
)

// errorBody is the error shape of seed 001.
type errorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// writeError answers err as {"error_code", "error_msg"}. It is the one place
// that maps errors to status codes. Internal details are logged, never sent.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	e := directory.AsError(err)
	status, body := http.StatusInternalServerError, errorBody{codeInternal, "system busy; try again later"}
	switch e.Kind {
	case directory.Invalid:
		msg := e.Message
		if e.Field != "" {
			msg = e.Field + ": " + msg
		}
		status, body = http.StatusBadRequest, errorBody{codeInvalidParameter, msg}
	case directory.NotFound:
		// The same answer for a missing user and another tenant's user.
		status, body = http.StatusNotFound, errorBody{codeUserNotFound, "user not found"}
	case directory.Unauthenticated:
		w.Header().Set("WWW-Authenticate", `Bearer realm="userd", error="invalid_token"`)
		status, body = http.StatusUnauthorized, errorBody{codeInvalidToken, e.Message}
	case directory.Forbidden:
		status, body = http.StatusForbidden, errorBody{codeInsufficientScope, e.Message}
	case directory.Unavailable:
		server.LogError(logger, r, slog.LevelError, "tenantv2: store unavailable", e)
		status, body = http.StatusServiceUnavailable, errorBody{codeUnavailable, "the directory is unavailable; try again later"}
	default:
		server.LogError(logger, r, slog.LevelError, "tenantv2: internal error", e)
	}
	_ = writeJSON(w, status, body) // always encodes
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	return server.WriteJSON(w, status, "application/json", v)
}
