package tenantv2

import (
	"net/http"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// handleGetUser answers GET /api/v2/tenant/users/{user_id} with the user's
// details and org relations.
func handleGetUser(d server.Deps, loc *time.Location) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authenticate(r, d.Authn)
		if err != nil {
			writeError(w, r, d.Logger, err)
			return
		}
		id, err := parseUserID(r.PathValue("user_id"))
		if err != nil {
			writeError(w, r, d.Logger, err)
			return
		}
		u, err := d.Service.User(r.Context(), p, id)
		if err == nil {
			err = writeJSON(w, http.StatusOK, newUserDetail(u, loc))
		}
		if err != nil {
			writeError(w, r, d.Logger, err)
		}
	})
}

// authenticate reads the "Authorization: Bearer" credential and returns the
// principal it stands for, with the caller's address set.
func authenticate(r *http.Request, authn server.Authenticator) (directory.Principal, error) {
	credential := server.BearerCredential(r)
	if credential == "" {
		return directory.Principal{}, directory.Errorf(directory.Unauthenticated, "", "send the header Authorization: Bearer {access_token}")
	}
	return server.Authenticate(r, authn, credential)
}

// parseUserID reads the {user_id} path segment by server.ParseID's rule;
// any other string is an invalid parameter (400).
func parseUserID(s string) (int64, error) {
	id, ok := server.ParseID(s)
	if !ok {
		return 0, directory.Errorf(directory.Invalid, "user_id", "must be a user id such as \"42\"")
	}
	return id, nil
}
