package admin

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// problemTypeBase prefixes every problem type; docs/api/admin.md has a
// section for each.
const problemTypeBase = "https://github.com/userd/userd/blob/main/docs/api/admin.md#"

// problem is an RFC 9457 problem details object. Field, an extension member,
// names the request field at fault (a body key such as "email" or
// "orgs[0].org_id", or a query parameter such as "limit") when there is one.
type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Field  string `json:"field,omitempty"`
}

// statusError is an HTTP-level failure that the domain has no kind for.
type statusError struct {
	status int
	slug   string
	detail string
}

func (e *statusError) Error() string { return e.detail }

// writeError answers err as application/problem+json. It is the one place
// that maps errors to status codes; internal details are logged, never sent.
func (a *api) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		je       *strictjson.Error
		se       *statusError
		tooLarge *http.MaxBytesError
		p        problem
	)
	switch {
	case errors.As(err, &tooLarge):
		p = problem{Type: "body-too-large", Title: http.StatusText(http.StatusRequestEntityTooLarge), Status: http.StatusRequestEntityTooLarge,
			Detail: "the request body is larger than " + strconv.FormatInt(tooLarge.Limit, 10) + " bytes"}
	case errors.As(err, &je):
		p = problem{Type: "invalid", Title: "Invalid request", Status: http.StatusBadRequest, Detail: je.Reason, Field: je.Field}
		if je.Field == "" {
			p.Detail = "the request body is not acceptable: " + je.Reason
		}
	case errors.As(err, &se):
		p = problem{Type: se.slug, Title: http.StatusText(se.status), Status: se.status, Detail: se.detail}
	case errors.Is(err, directory.ErrSignInFailed):
		// The caller is fine; the password it checks is not. 400, as OAuth
		// 2.0 answers a wrong password grant (RFC 6749 §5.2), never 401,
		// which would say the caller's own credential failed.
		p = problem{Type: "authentication-failed", Title: "Authentication failed", Status: http.StatusBadRequest, Detail: directory.AsError(err).Message}
	default:
		e := directory.AsError(err)
		switch e.Kind {
		case directory.Invalid:
			p = problem{Type: "invalid", Title: "Invalid request", Status: http.StatusBadRequest, Detail: e.Message, Field: e.Field}
		case directory.NotFound:
			// One fixed answer, so another tenant's object is indistinguishable
			// from a missing one.
			p = problem{Type: "not-found", Title: "Not found", Status: http.StatusNotFound, Detail: "nothing exists at this URL in your tenant"}
		case directory.Conflict:
			p = problem{Type: "conflict", Title: "Conflict", Status: http.StatusConflict, Detail: e.Message, Field: e.Field}
		case directory.PreconditionFailed:
			p = problem{Type: "precondition-failed", Title: "Precondition failed", Status: http.StatusPreconditionFailed,
				Detail: "If-Match does not match the current ETag; the object was changed by another request, so read it again and retry"}
		case directory.Unauthenticated:
			challenge := `Bearer realm="userd", error="invalid_token"`
			if e == errNoCredential {
				challenge = `Bearer realm="userd"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			p = problem{Type: "unauthenticated", Title: "Unauthenticated", Status: http.StatusUnauthorized, Detail: e.Message}
		case directory.Forbidden:
			w.Header().Set("WWW-Authenticate", `Bearer realm="userd", error="insufficient_scope"`)
			p = problem{Type: "forbidden", Title: "Forbidden", Status: http.StatusForbidden, Detail: e.Message}
		case directory.TooMany:
			w.Header().Set("Retry-After", "1")
			p = problem{Type: "too-many-requests", Title: "Too many requests", Status: http.StatusTooManyRequests, Detail: e.Message}
		case directory.Overloaded:
			w.Header().Set("Retry-After", "1")
			p = problem{Type: "overloaded", Title: "Service unavailable", Status: http.StatusServiceUnavailable, Detail: e.Message}
		case directory.Gone:
			p = problem{Type: "resync", Title: "Gone", Status: http.StatusGone, Detail: e.Message, Field: e.Field}
		case directory.Unavailable:
			server.LogError(a.logger, r, slog.LevelWarn, "admin: store unavailable", err)
			w.Header().Set("Retry-After", "5")
			p = problem{Type: "unavailable", Title: "Service unavailable", Status: http.StatusServiceUnavailable, Detail: "the directory is unavailable; try again in a few seconds"}
		default:
			server.LogError(a.logger, r, slog.LevelError, "admin: internal error", err)
			p = problem{Type: "internal", Title: "Internal server error", Status: http.StatusInternalServerError,
				Detail: "an unexpected error occurred; the operator can find it in the log by the X-Request-Id of this response"}
		}
	}
	p.Type = problemTypeBase + p.Type
	_ = server.WriteJSON(w, p.Status, "application/problem+json", p) // a problem always encodes
}

// writeJSON answers v as JSON with status, through v's own encoder when
// it has one.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	if a, ok := v.(jsonAppender); ok {
		return server.WriteAppended(w, status, "application/json", a.appendJSON)
	}
	return server.WriteJSON(w, status, "application/json", v)
}
