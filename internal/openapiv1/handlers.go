package openapiv1

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// userHandler serves one request about the user named by {user_id} on
// behalf of principal p. A returned error is answered by writeError.
type userHandler func(w http.ResponseWriter, r *http.Request, p directory.Principal, id int64) error

// handle authenticates the request and parses {user_id} before calling h,
// and answers every error in the dialect's shape.
func handle(d server.Deps, h userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authenticate(r, d.Authn)
		if err == nil {
			var id int64
			if id, err = parseUserID(r.PathValue("user_id")); err == nil {
				err = h(w, r, p, id)
			}
		}
		if err != nil {
			writeError(w, r, d.Logger, err)
		}
	})
}

// getUser answers GET /openapi/v1/users/{user_id} with UserInfo, which
// shows no more of a user than its directory.Brief.
func getUser(svc *directory.Service) userHandler {
	return func(w http.ResponseWriter, r *http.Request, p directory.Principal, id int64) error {
		u, err := svc.UserBrief(r.Context(), p, id)
		if err != nil {
			return err
		}
		return server.WriteAppended(w, http.StatusOK, "application/json", func(b []byte) ([]byte, error) {
			return appendUserInfo(b, &u), nil
		})
	}
}

// putUser answers PUT /openapi/v1/users/{user_id}: it applies an UpdateUser
// body and answers the UpdateUser model as now stored.
func putUser(svc *directory.Service, maxBody int64) userHandler {
	return func(w http.ResponseWriter, r *http.Request, p directory.Principal, id int64) error {
		if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
			return err
		}
		data, err := server.ReadBody(w, r, maxBody)
		if err != nil {
			return err
		}
		patch, err := decodeUpdateUser(data)
		if err != nil {
			return err
		}
		u, err := svc.UpdateUserWithoutOrgs(r.Context(), p, id, 0, patch)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, newUpdateUser(u))
	}
}

// authenticate reads the "Authorization: Bearer" credential and returns the
// principal it stands for, with the caller's address set.
func authenticate(r *http.Request, authn server.Authenticator) (directory.Principal, error) {
	credential := server.BearerCredential(r)
	if credential == "" {
		return directory.Principal{}, directory.Errorf(directory.Unauthenticated, "", "send the header Authorization: Bearer <access token or API token>")
	}
	return server.Authenticate(r, authn, credential)
}

// parseUserID reads the {user_id} path segment by server.ParseID's rule.
// Anything else answers 400.
func parseUserID(s string) (int64, error) {
	id, ok := server.ParseID(s)
	if !ok {
		return 0, &apiError{status: http.StatusBadRequest, code: codeInvalidUserID, field: "user_id",
			message: "must be a user id: an integer from 1 to " + strconv.FormatInt(directory.MaxSafeID, 10) + " without leading zeros"}
	}
	return id, nil
}

// checkJSONContentType accepts application/json with no charset or UTF-8.
func checkJSONContentType(header string) error {
	mediaType, params, err := mime.ParseMediaType(header)
	if err == nil && mediaType == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	return &apiError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType,
		message: "send the body as Content-Type: application/json (UTF-8)"}
}

// decodeUpdateUser decodes an UpdateUser body into a patch. Absent and null
// fields leave the stored value as it is; an empty email is invalid because
// the seed types email as an address (clear it through the native API).
func decodeUpdateUser(data []byte) (directory.UserPatch, error) {
	var body updateUserRequest
	if err := strictjson.Decode(data, &body); err != nil {
		return directory.UserPatch{}, err
	}
	if body.Email != nil && *body.Email == "" {
		return directory.UserPatch{}, directory.ValidateEmail("")
	}
	return directory.UserPatch{
		Password:     body.Password,
		EnterpriseID: body.EnterpriseID,
		Email:        body.Email,
		Phone:        body.Phone,
		Active:       body.IsActive,
	}, nil
}
