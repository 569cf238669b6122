package tenantv2

import (
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

// handleGetUser answers GET /api/v2/tenant/users/{user_id} with the user's
// details and org relations.
func handleGetUser(svc *directory.Service, authn Authenticator, loc *time.Location) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authenticate(r, authn)
		if err != nil {
			writeError(w, r, err)
			return
		}
		id, err := parseUserID(r.PathValue("user_id"))
		if err != nil {
			writeError(w, r, err)
			return
		}
		u, err := svc.User(r.Context(), p, id)
		if err != nil {
			writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, newUserDetail(u, loc))
	})
}

// authenticate reads the "Authorization: Bearer" credential and returns the
// principal it stands for, with the caller's address set.
func authenticate(r *http.Request, authn Authenticator) (directory.Principal, error) {
	scheme, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	credential = strings.TrimSpace(credential)
	if !strings.EqualFold(scheme, "Bearer") || credential == "" {
		return directory.Principal{}, directory.Errorf(directory.Unauthenticated, "", "send the header Authorization: Bearer {access_token}")
	}
	p, err := authn.Authenticate(r.Context(), credential)
	if err != nil {
		return directory.Principal{}, err
	}
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		p.ClientIP = host
	} else {
		p.ClientIP = r.RemoteAddr
	}
	return p, nil
}

// parseUserID reads the {user_id} path segment. userd's user ids are
// integers written as decimal strings, from 1 to directory.MaxSafeID; any
// other string is an invalid parameter (400).
func parseUserID(s string) (int64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id < 1 || id > directory.MaxSafeID {
		return 0, directory.Errorf(directory.Invalid, "user_id", "must be a user id such as \"42\"")
	}
	return int64(id), nil
}
