package openapiv1

import (
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

// userHandler serves one request about the user named by {user_id} on
// behalf of principal p. A returned error is answered by writeError.
type userHandler func(w http.ResponseWriter, r *http.Request, p directory.Principal, id int64) error

// handle authenticates the request and parses {user_id} before calling h,
// and answers every error in the dialect's shape.
func handle(authn Authenticator, h userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authenticate(r, authn)
		if err == nil {
			var id int64
			if id, err = parseUserID(r.PathValue("user_id")); err == nil {
				err = h(w, r, p, id)
			}
		}
		if err != nil {
			writeError(w, r, err)
		}
	})
}

// getUser answers GET /openapi/v1/users/{user_id} with UserInfo.
func getUser(svc *directory.Service) userHandler {
	return func(w http.ResponseWriter, r *http.Request, p directory.Principal, id int64) error {
		u, err := svc.User(r.Context(), p, id)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, newUserInfo(u))
		return nil
	}
}

// putUser answers PUT /openapi/v1/users/{user_id}: it applies an UpdateUser
// body and answers the UpdateUser model as now stored.
func putUser(svc *directory.Service, maxBody int64) userHandler {
	return func(w http.ResponseWriter, r *http.Request, p directory.Principal, id int64) error {
		if err := checkJSONContentType(r.Header.Get("Content-Type")); err != nil {
			return err
		}
		data, err := readBody(w, r, maxBody)
		if err != nil {
			return err
		}
		patch, err := decodeUpdateUser(data)
		if err != nil {
			return err
		}
		u, err := svc.UpdateUser(r.Context(), p, id, 0, patch)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, newUpdateUser(u))
		return nil
	}
}

// authenticate reads the "Authorization: Bearer" credential and returns the
// principal it stands for, with the caller's address set.
func authenticate(r *http.Request, authn Authenticator) (directory.Principal, error) {
	scheme, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	credential = strings.TrimSpace(credential)
	if !strings.EqualFold(scheme, "Bearer") || credential == "" {
		return directory.Principal{}, directory.Errorf(directory.Unauthenticated, "", "send the header Authorization: Bearer <access token or API token>")
	}
	p, err := authn.Authenticate(r.Context(), credential)
	if err != nil {
		return directory.Principal{}, err
	}
	p.ClientIP = remoteHost(r.RemoteAddr)
	return p, nil
}

// remoteHost returns the host part of a request's RemoteAddr.
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}

// parseUserID reads the {user_id} path segment: decimal digits naming an id
// from 1 to directory.MaxSafeID. Anything else answers 400.
func parseUserID(s string) (int64, error) {
	bad := &apiError{status: http.StatusBadRequest, code: codeInvalidUserID, field: "user_id",
		message: "must be a user id: an integer from 1 to " + strconv.FormatInt(directory.MaxSafeID, 10)}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id < 1 || id > directory.MaxSafeID {
		return 0, bad
	}
	return int64(id), nil
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

// readBody reads at most maxBody bytes of the request body. A larger body
// is a *http.MaxBytesError (413); a body cut off by the client answers 400.
func readBody(w http.ResponseWriter, r *http.Request, maxBody int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooLarge *http.MaxBytesError
	if err != nil && !errors.As(err, &tooLarge) {
		return nil, &apiError{status: http.StatusBadRequest, code: codeInvalidBody, message: "the request body could not be read; send it again"}
	}
	return data, err
}
