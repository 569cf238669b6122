package admin

import (
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

func (a *api) createUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in userInput
	b, err := readJSON(w, r, &in, mediaJSON)
	if err != nil {
		return err
	}
	patch, err := in.toPatch(b)
	if err != nil {
		return err
	}
	u, err := a.svc.CreateUser(r.Context(), p, directory.OriginAdmin, patch)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/admin/v1/users/"+strconv.FormatInt(u.ID, 10))
	return writeUser(w, r, http.StatusCreated, u)
}

func writeUser(w http.ResponseWriter, r *http.Request, status int, u directory.User) error {
	w.Header().Set("ETag", etag(u.Version))
	return writeJSON(w, r, status, toUserJSON(u))
}

func (a *api) getUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := a.svc.User(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeUser(w, r, http.StatusOK, u)
}

func (a *api) patchUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in userInput
	b, err := readJSON(w, r, &in, mediaMergePatch, mediaJSON)
	if err != nil {
		return err
	}
	patch, err := in.toPatch(b)
	if err != nil {
		return err
	}
	u, err := a.svc.UpdateUser(r.Context(), p, id, version, patch)
	if err != nil {
		return err
	}
	return writeUser(w, r, http.StatusOK, u)
}

func (a *api) deleteUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteUser(r.Context(), p, id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	q, err := query(r, "limit", "cursor", "username", "email", "q")
	if err != nil {
		return err
	}
	n, err := limit(q)
	if err != nil {
		return err
	}
	f := directory.UserFilter{Username: q.Get("username"), Email: q.Get("email"), Query: q.Get("q"), Limit: n}
	binding := []string{"users", f.Username, f.Email, f.Query}
	if f.AfterID, err = a.cursors.open(r.Context(), p.TenantID, q.Get("cursor"), binding...); err != nil {
		return err
	}
	users, next, err := a.svc.ListUsers(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := userListJSON{Users: make([]userJSON, len(users))}
	for i, u := range users {
		out.Users[i] = toUserJSON(u)
	}
	if out.NextCursor, err = a.cursors.seal(r.Context(), p.TenantID, next, binding...); err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, out)
}
