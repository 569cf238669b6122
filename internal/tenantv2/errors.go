package tenantv2

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// The dialect's error codes, shaped DOMAIN.NNNN as the OneAccess family
// writes them (APP.0001, PARAM.0005; the token endpoint's TOKEN.NNNN).
// docs/api/tenant-v2.md lists them with their statuses; writeError is the
// only place that picks one.
const (
	codeBadJSON        = "PARAM.0001"  // 400: the body is not the JSON object the call takes
	codeInvalid        = "PARAM.0002"  // 400: a parameter or field breaks a rule
	codeTooLarge       = "PARAM.0003"  // 413: the body is larger than the server reads
	codeInvalidToken   = "AUTH.0001"   // 401
	codeScope          = "AUTH.0002"   // 403
	codeUserNotFound   = "USER.0001"   // 404
	codeUserTaken      = "USER.0002"   // 400: user_name, mobile or email belongs to another user
	codeWrongPassword  = "USER.0003"   // 400: old_password does not verify
	codePasswordLocked = "USER.0004"   // 429: too many failed password checks
	codeOrgNotFound    = "ORG.0001"    // 404
	codeOrgTaken       = "ORG.0002"    // 400: the org code belongs to another org
	codeOrgHasChildren = "ORG.0003"    // 400: delete refused, the org has child orgs
	codeOrgHasMembers  = "ORG.0004"    // 400: delete refused, the org has members
	codeOrgNameTaken   = "ORG.0005"    // 400: a sibling org has the name
	codeConflict       = "SYSTEM.0001" // 409: a concurrent change won; retry
	codeBusy           = "SYSTEM.0002" // 429: too many requests in flight; retry
	codeInternal       = "SYSTEM.0003" // 500
	codeUnavailable    = "SYSTEM.0004" // 503
	codeOverloaded     = "SYSTEM.0005" // 503: the node serves as many list items as it may; retry shortly
)

// errorBody is the error shape of the OneAccess pages.
type errorBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
}

// object says what a call's path (or org_id filter) names, so that
// NotFound reads "user not found" or "org not found".
type object int

const (
	aUser object = iota
	anOrg
)

// writeError answers err as {"error_code", "error_msg"}. It is the one place
// that maps errors to status codes. Internal details are logged, never sent.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, obj object, err error) {
	status, body := errorOf(obj, err)
	if body.ErrorCode == codeBusy || body.ErrorCode == codeOverloaded {
		w.Header().Set("Retry-After", "1")
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="userd", error="invalid_token"`)
	case http.StatusServiceUnavailable:
		if body.ErrorCode == codeOverloaded {
			break
		}
		server.LogError(logger, r, slog.LevelError, "tenantv2: store unavailable", err)
	case http.StatusInternalServerError:
		server.LogError(logger, r, slog.LevelError, "tenantv2: internal error", err)
	}
	_ = writeJSON(w, status, body) // always encodes
}

// errorOf returns the status and body err is answered with.
func errorOf(obj object, err error) (int, errorBody) {
	var (
		tooLarge *http.MaxBytesError
		badJSON  *strictjson.Error
	)
	switch {
	case errors.As(err, &tooLarge):
		return http.StatusRequestEntityTooLarge, errorBody{codeTooLarge, "the request body is larger than " + strconv.FormatInt(tooLarge.Limit, 10) + " bytes"}
	case errors.As(err, &badJSON):
		return http.StatusBadRequest, errorBody{codeBadJSON, fieldMsg(wireName(badJSON.Field), badJSON.Reason)}
	}
	e := directory.AsError(err)
	switch e.Kind {
	case directory.Invalid:
		if e == directory.ErrWrongPassword {
			return http.StatusBadRequest, errorBody{codeWrongPassword, fieldMsg("old_password", e.Message)}
		}
		return http.StatusBadRequest, errorBody{codeInvalid, fieldMsg(wireName(e.Field), e.Message)}
	case directory.NotFound:
		// The same answer for a missing object and another tenant's.
		if obj == anOrg {
			return http.StatusNotFound, errorBody{codeOrgNotFound, "org not found"}
		}
		return http.StatusNotFound, errorBody{codeUserNotFound, "user not found"}
	case directory.Conflict:
		switch {
		case e.Constraint == directory.HasChildren:
			return http.StatusBadRequest, errorBody{codeOrgHasChildren, e.Message}
		case e.Constraint == directory.HasMembers:
			return http.StatusBadRequest, errorBody{codeOrgHasMembers, e.Message}
		case e.Constraint == directory.Taken && e.Field == "name":
			return http.StatusBadRequest, errorBody{codeOrgNameTaken, fieldMsg("name", e.Message)}
		case e.Constraint == directory.Taken && e.Field == "code":
			return http.StatusBadRequest, errorBody{codeOrgTaken, fieldMsg("code", e.Message)}
		case e.Constraint == directory.Taken:
			return http.StatusBadRequest, errorBody{codeUserTaken, fieldMsg(wireName(e.Field), e.Message)}
		}
		return http.StatusConflict, errorBody{codeConflict, e.Message}
	case directory.PreconditionFailed:
		return http.StatusConflict, errorBody{codeConflict, "the object was changed by another request at the same time; send the request again"}
	case directory.Unauthenticated:
		return http.StatusUnauthorized, errorBody{codeInvalidToken, e.Message}
	case directory.Forbidden:
		return http.StatusForbidden, errorBody{codeScope, e.Message}
	case directory.TooMany:
		if e.Field == "old_password" {
			return http.StatusTooManyRequests, errorBody{codePasswordLocked, e.Message}
		}
		return http.StatusTooManyRequests, errorBody{codeBusy, "this credential has too many list requests in flight; retry shortly"}
	case directory.Overloaded:
		return http.StatusServiceUnavailable, errorBody{codeOverloaded, "the server is serving as many list requests as it may; retry shortly"}
	case directory.Unavailable:
		return http.StatusServiceUnavailable, errorBody{codeUnavailable, "the directory is unavailable; try again later"}
	}
	return http.StatusInternalServerError, errorBody{codeInternal, "system busy; try again later"}
}

func fieldMsg(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}

// wireNames spells the native field names the Service reports in this
// dialect's words.
var wireNames = map[string]string{
	"username":             "user_name",
	"phone":                "mobile",
	"must_change_password": "pwd_must_modify",
	"orgs":                 "user_org_relation_list",
	"employee_number":      "employee_id",
	"given_name":           "first_name",
	"family_name":          "last_name",
	"nick_name":            "attr_nick_name",
	"gender":               "attr_gender",
	"birthday":             "attr_birthday",
	"identity_type":        "attr_identity_type",
	"identity_number":      "attr_identity_number",
	"area":                 "attr_area",
	"city":                 "attr_city",
	"manager_id":           "attr_manager_id",
	"user_type":            "attr_user_type",
	"hire_date":            "attr_hire_date",
	"work_place":           "attr_work_place",
}

func wireName(field string) string {
	if w, ok := wireNames[field]; ok {
		return w
	}
	return field
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) error {
	return server.WriteJSON(w, status, "application/json", v)
}
