package admin

import (
	"net/http"
	"net/netip"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// signInRoutes registers the password check and the console roles.
func (a *api) signInRoutes(mux server.Router) {
	mux.Handle("POST /admin/v1/users/authenticate", a.handle(a.authenticateUser))
	mux.Handle("GET /admin/v1/users/{id}/role", a.handle(a.getRole))
	mux.Handle("PUT /admin/v1/users/{id}/role", a.handle(a.putRole))
}

// authenticateInput is the body of POST /admin/v1/users/authenticate.
type authenticateInput struct {
	// Login is the user's username or email.
	Login    string `json:"login"`
	Password string `json:"password"`
	// RemoteIP is the address of the person signing in to the calling
	// system, for the per-address limit and the audit log; the caller's own
	// address when absent. (Not client_ip: that is a user's read-only
	// field.)
	RemoteIP string `json:"remote_ip"`
}

// authenticateUser checks a user's password for another system: the user,
// or one uniform failure (writeError's authentication-failed).
func (a *api) authenticateUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in authenticateInput
	if _, err := a.readJSON(w, r, &in, mediaJSON); err != nil {
		return err
	}
	switch {
	case in.Login == "":
		return directory.Errorf(directory.Invalid, "login", "is required: the user's username or email")
	case in.Password == "":
		return directory.Errorf(directory.Invalid, "password", "is required")
	}
	if in.RemoteIP != "" {
		addr, err := netip.ParseAddr(in.RemoteIP)
		if err != nil {
			return directory.Errorf(directory.Invalid, "remote_ip", "must be an IPv4 or IPv6 address such as 198.51.100.7")
		}
		in.RemoteIP = addr.Unmap().String()
	}
	u, err := a.svc.Authenticate(r.Context(), p, in.Login, in.Password, in.RemoteIP)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toUserJSON(u))
}

// roleJSON is a user's console role on the wire: "admin", "viewer" or
// "none".
type roleJSON struct {
	UserID      int64  `json:"user_id"`
	ConsoleRole string `json:"console_role"`
}

type roleInput struct {
	ConsoleRole *string `json:"console_role"`
}

func toRoleJSON(userID int64, r directory.Role) roleJSON {
	if r == directory.RoleNone {
		return roleJSON{UserID: userID, ConsoleRole: "none"}
	}
	return roleJSON{UserID: userID, ConsoleRole: string(r)}
}

func (a *api) getRole(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	role, err := a.svc.ConsoleRole(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRoleJSON(id, role))
}

func (a *api) putRole(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in roleInput
	if _, err := a.readJSON(w, r, &in, mediaJSON); err != nil {
		return err
	}
	if in.ConsoleRole == nil {
		return directory.Errorf(directory.Invalid, "console_role", `is required: "admin", "viewer" or "none"`)
	}
	role, err := directory.ParseRole(*in.ConsoleRole)
	if err != nil || *in.ConsoleRole == "" {
		return directory.Errorf(directory.Invalid, "console_role", `must be "admin", "viewer" or "none"`)
	}
	if err := a.svc.SetConsoleRole(r.Context(), p, id, role); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRoleJSON(id, role))
}
