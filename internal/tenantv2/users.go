package tenantv2

import (
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// userIDBody is the answer of the calls that change a user.
type userIDBody struct {
	UserID string `json:"user_id"`
}

func userIDOf(u directory.User) userIDBody { return userIDBody{strconv.FormatInt(u.ID, 10)} }

// getUser answers GET /api/v2/tenant/users/{user_id} with the user's
// details and org relations.
func (a api) getUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseUserID(r.PathValue("user_id"))
	if err != nil {
		return err
	}
	u, err := a.d.Service.User(r.Context(), p, id)
	if err != nil {
		return err
	}
	d := newUserDetail(u, a.loc)
	return server.WriteAppended(w, http.StatusOK, "application/json", d.appendJSON)
}

// deleteUser answers DELETE /api/v2/tenant/users/{user_id}: 204, no body.
func (a api) deleteUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseUserID(r.PathValue("user_id"))
	if err != nil {
		return err
	}
	if err := a.d.Service.DeleteUser(r.Context(), p, id, 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// emptyBody is the body of the calls that take none: nothing, or {}.
type emptyBody struct{}

// setDisabled answers PUT .../users/{user_id}/enable and /disable.
func (a api) setDisabled(disabled bool) call {
	return func(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
		id, err := parseUserID(r.PathValue("user_id"))
		if err != nil {
			return err
		}
		if err := a.decodeBody(w, r, &emptyBody{}, true); err != nil {
			return err
		}
		active := !disabled
		u, err := a.d.Service.UpdateUser(r.Context(), p, id, 0, directory.UserPatch{Active: &active})
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, userIDOf(u))
	}
}

// byUsernameRequest is the body of POST /api/v2/tenant/users/user-by-username.
type byUsernameRequest struct {
	UserName *string `json:"user_name"`
}

// userByUsername answers POST /api/v2/tenant/users/user-by-username with
// the same object as the GET by id, from the fields it shows
// (directory.AccountView).
func (a api) userByUsername(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var body byUsernameRequest
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	if body.UserName == nil {
		return directory.Errorf(directory.Invalid, "user_name", "is required")
	}
	u, err := a.d.Service.UserByUsername(r.Context(), p, *body.UserName, directory.AccountView)
	if err != nil {
		return err
	}
	d := newUserDetail(u, a.loc)
	return server.WriteAppended(w, http.StatusOK, "application/json", d.appendJSON)
}

// listUsers answers GET /api/v2/tenant/users?org_id=&offset=&limit=,
// reading only the fields a user object shows (directory.AccountView).
func (a api) listUsers(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	q, err := queryParams(r, "org_id", "offset", "limit")
	if err != nil {
		return err
	}
	page, limit, err := pageParams(q)
	if err != nil {
		return err
	}
	orgID, err := optionalID(q, "org_id", "an org id")
	if err != nil {
		return err
	}
	release, err := a.d.HeavyReads.Admit(p, limit)
	if err != nil {
		return err
	}
	defer release()
	users, total, err := a.d.Service.UsersByPage(r.Context(), p, directory.UserPage{OrgID: orgID, Page: page, Limit: limit, View: directory.AccountView})
	if err != nil {
		return err
	}
	return server.WriteAppended(w, http.StatusOK, "application/json", func(b []byte) ([]byte, error) {
		return appendUserList(b, total, users, a.loc)
	})
}

// changePasswordRequest is the body of PUT .../change-password.
type changePasswordRequest struct {
	Password      *string `json:"password"`
	PwdMustModify *bool   `json:"pwd_must_modify"`
}

// changePassword answers PUT /api/v2/tenant/users/{user_id}/change-password.
func (a api) changePassword(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseUserID(r.PathValue("user_id"))
	if err != nil {
		return err
	}
	var body changePasswordRequest
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	if body.Password == nil {
		return directory.Errorf(directory.Invalid, "password", "is required")
	}
	u, err := a.d.Service.ChangePassword(r.Context(), p, id, directory.PasswordChange{Password: *body.Password, MustChange: body.PwdMustModify})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userIDOf(u))
}

// verifiedPasswordRequest is the body of PUT .../change-password-verify.
type verifiedPasswordRequest struct {
	Password    *string `json:"password"`
	OldPassword *string `json:"old_password"`
}

// changePasswordVerified answers PUT
// /api/v2/tenant/users/{user_id}/change-password-verify: the change happens
// only if old_password verifies.
func (a api) changePasswordVerified(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseUserID(r.PathValue("user_id"))
	if err != nil {
		return err
	}
	var body verifiedPasswordRequest
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	switch {
	case body.Password == nil:
		return directory.Errorf(directory.Invalid, "password", "is required")
	case body.OldPassword == nil:
		return directory.Errorf(directory.Invalid, "old_password", "is required")
	}
	u, err := a.d.Service.ChangePassword(r.Context(), p, id, directory.PasswordChange{Password: *body.Password, OldPassword: body.OldPassword})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userIDOf(u))
}
