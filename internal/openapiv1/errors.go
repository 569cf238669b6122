package openapiv1

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// The codes of the dialect's error body; docs/api/openapi-v1.md lists them.
const (
	codeInvalidUserID        = "invalid_user_id"
	codeInvalidBody          = "invalid_body"
	codeInvalidField         = "invalid_field"
	codeUnauthenticated      = "unauthenticated"
	codeForbidden            = "forbidden"
	codeUserNotFound         = "user_not_found"
	codeConflict             = "conflict"
	codeBodyTooLarge         = "body_too_large"
	codeUnsupportedMediaType = "unsupported_media_type"
	codeInternal             = "internal_error"
	codeUnavailable          = "unavailable"
)

// apiError is an error the dialect itself finds in a request, already in
// wire terms.
type apiError struct {
	status  int
	code    string
	field   string
	message string
}

func (e *apiError) Error() string { return "openapiv1: " + e.code + ": " + e.message }

// errorBody is the dialect's one error shape (the seeds define none).
type errorBody struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

// wireFields renames the native field names the Service reports to this
// dialect's spelling.
var wireFields = map[string]string{"active": "is_active"}

// writeError answers err in the dialect's error shape. It is the one place
// that maps errors to status codes. Internal details are logged, never sent.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	var (
		api      *apiError
		tooLarge *http.MaxBytesError
		badJSON  *strictjson.Error
	)
	switch {
	case errors.As(err, &api):
	case errors.As(err, &tooLarge):
		api = &apiError{status: http.StatusRequestEntityTooLarge, code: codeBodyTooLarge,
			message: "the request body is larger than " + strconv.FormatInt(tooLarge.Limit, 10) + " bytes; send a smaller UpdateUser body"}
	case errors.As(err, &badJSON):
		api = &apiError{status: http.StatusBadRequest, code: codeInvalidBody, field: badJSON.Field, message: badJSON.Reason}
	default:
		api = fromDirectory(r, logger, directory.AsError(err))
	}
	if api.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="userd"`)
	}
	_ = writeJSON(w, api.status, errorBody{Code: api.code, Message: api.message, Field: api.field}) // always encodes
}

// fromDirectory maps a domain error kind to the dialect's status and code.
func fromDirectory(r *http.Request, logger *slog.Logger, e *directory.Error) *apiError {
	field := e.Field
	if wire, ok := wireFields[field]; ok {
		field = wire
	}
	switch e.Kind {
	case directory.Invalid:
		return &apiError{status: http.StatusBadRequest, code: codeInvalidField, field: field, message: e.Message}
	case directory.NotFound:
		// The same answer for a missing user and another tenant's user.
		return &apiError{status: http.StatusNotFound, code: codeUserNotFound, message: "no such user"}
	case directory.Conflict, directory.PreconditionFailed:
		return &apiError{status: http.StatusConflict, code: codeConflict, field: field, message: e.Message}
	case directory.Unauthenticated:
		return &apiError{status: http.StatusUnauthorized, code: codeUnauthenticated, message: e.Message}
	case directory.Forbidden:
		return &apiError{status: http.StatusForbidden, code: codeForbidden, message: e.Message}
	case directory.Unavailable:
		server.LogError(logger, r, slog.LevelError, "openapiv1: store unavailable", e)
		return &apiError{status: http.StatusServiceUnavailable, code: codeUnavailable, message: "the directory is unavailable; retry later"}
	}
	server.LogError(logger, r, slog.LevelError, "openapiv1: internal error", e)
	return &apiError{status: http.StatusInternalServerError, code: codeInternal, message: "internal error; retry later or contact the operator with the X-Request-Id"}
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	return server.WriteJSON(w, status, "application/json", v)
}
