package scim

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/patch"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// ErrorSchema is the schema URN of an error answer (RFC 7644 §3.12).
const ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error"

// The scimType values of RFC 7644 §3.12 userd answers itself; the patch
// package's errors carry noTarget, mutability and the others of a PATCH.
// invalidVers is never answered: userd serves SCIM 2.0 alone, at its own
// path.
const (
	typeInvalidFilter = "invalidFilter"
	typeTooMany       = "tooMany"
	typeUniqueness    = "uniqueness"
	typeInvalidSyntax = "invalidSyntax"
	typeInvalidPath   = "invalidPath"
	typeInvalidValue  = "invalidValue"
	typeSensitive     = "sensitive"
)

// scimError is an error the dialect finds in a request, already in wire
// terms.
type scimError struct {
	status   int
	scimType string
	detail   string
}

func (e *scimError) Error() string { return "scim: " + e.detail }

func errorf(status int, scimType, detail string) error {
	return &scimError{status: status, scimType: scimType, detail: detail}
}

// errorBody is the SCIM error answer; status is a string, as RFC 7644
// §3.12 writes it.
type errorBody struct {
	Schemas  []string `json:"schemas"`
	Status   string   `json:"status"`
	ScimType string   `json:"scimType,omitempty"`
	Detail   string   `json:"detail,omitempty"`
}

// writeError answers err as a SCIM error. It is the one place that maps
// errors to statuses and scimTypes; internal details are logged, never
// sent.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	e := toSCIM(r, logger, err)
	switch e.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="userd"`)
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "1")
	}
	writeJSON(w, e.status, errorBody{Schemas: []string{ErrorSchema}, Status: strconv.Itoa(e.status), ScimType: e.scimType, Detail: e.detail})
}

func toSCIM(r *http.Request, logger *slog.Logger, err error) *scimError {
	var (
		se       *scimError
		fe       *filter.Error
		pe       *patch.Error
		tooLarge *http.MaxBytesError
		badJSON  *strictjson.Error
	)
	switch {
	case errors.As(err, &se):
		return se
	case errors.As(err, &fe):
		return &scimError{http.StatusBadRequest, typeInvalidFilter, fe.Msg}
	case errors.As(err, &pe):
		return &scimError{http.StatusBadRequest, pe.Type, pe.Msg}
	case errors.As(err, &badJSON):
		detail := badJSON.Reason
		if badJSON.Field != "" {
			detail = badJSON.Field + ": " + detail
		}
		return &scimError{http.StatusBadRequest, typeInvalidSyntax, detail}
	case errors.As(err, &tooLarge):
		return &scimError{http.StatusRequestEntityTooLarge, "", "the request body is larger than " + strconv.FormatInt(tooLarge.Limit, 10) + " bytes"}
	}
	e := directory.AsError(err)
	detail := e.Message
	if e.Field != "" {
		detail = attributeOf(e.Field) + ": " + e.Message
	}
	switch e.Kind {
	case directory.Invalid:
		if e.Field == "filter" {
			return &scimError{http.StatusBadRequest, typeInvalidFilter, detail}
		}
		return &scimError{http.StatusBadRequest, typeInvalidValue, detail}
	case directory.NotFound:
		// The same answer for a missing object and another tenant's.
		return &scimError{http.StatusNotFound, "", "no such resource"}
	case directory.Conflict:
		return &scimError{http.StatusConflict, typeUniqueness, detail}
	case directory.PreconditionFailed:
		return &scimError{http.StatusPreconditionFailed, "", "the resource was changed since the version given in If-Match; read it again"}
	case directory.Unauthenticated:
		return &scimError{http.StatusUnauthorized, "", e.Message}
	case directory.Forbidden:
		return &scimError{http.StatusForbidden, "", e.Message}
	case directory.TooMany:
		return &scimError{http.StatusTooManyRequests, typeTooMany, e.Message}
	case directory.Overloaded:
		return &scimError{http.StatusServiceUnavailable, "", e.Message}
	case directory.Unavailable:
		server.LogError(logger, r, slog.LevelError, "scim: store unavailable", e)
		return &scimError{http.StatusServiceUnavailable, "", "the directory is unavailable; retry later"}
	}
	server.LogError(logger, r, slog.LevelError, "scim: internal error", e)
	return &scimError{http.StatusInternalServerError, "", "internal error; retry later or contact the operator with the X-Request-Id"}
}

// attributeOf names a native field as its SCIM attribute.
func attributeOf(field string) string {
	if a, ok := scimAttributes[field]; ok {
		return a
	}
	return field
}

var scimAttributes = map[string]string{
	"username":           "userName",
	"name":               "name.formatted",
	"nick_name":          "nickName",
	"email":              "emails",
	"phone":              "phoneNumbers",
	"employee_number":    "employeeNumber",
	"manager_id":         "manager",
	"password":           "password",
	"orgs":               "members",
	"external_id":        "externalId",
	"given_name":         "name.givenName",
	"middle_name":        "name.middleName",
	"family_name":        "name.familyName",
	"honorific_prefix":   "name.honorificPrefix",
	"honorific_suffix":   "name.honorificSuffix",
	"display_name":       "displayName",
	"title":              "title",
	"user_type":          "userType",
	"preferred_language": "preferredLanguage",
	"profile_url":        "profileUrl",
	"email_type":         "emails.type",
	"phone_type":         "phoneNumbers.type",
	"other_emails":       "emails",
	"other_phones":       "phoneNumbers",
	"postal_code":        "addresses.postalCode",
	"address_type":       "addresses.type",
	"address":            "addresses.streetAddress",
	"city":               "addresses.locality",
	"province":           "addresses.region",
	"country":            "addresses.country",
	"cost_center":        "costCenter",
	"code":               "externalId",
	"parent_id":          "parent",
}

// contentType is the media type of every answer.
const contentType = "application/scim+json"

// writeJSON answers v with status as application/scim+json.
func writeJSON(w http.ResponseWriter, status int, v any) {
	_ = server.WriteJSON(w, status, contentType, v) // the dialect's values always encode
}
