package admin

import (
	"context"
	"net/http"

	"github.com/userd/userd/internal/directory"
)

func (a *api) users() *object[directory.User, directory.UserPatch] {
	return &object[directory.User, directory.UserPatch]{
		path: "/admin/v1/users",
		create: func(ctx context.Context, p directory.Principal, patch directory.UserPatch) (directory.User, error) {
			return a.svc.CreateUser(ctx, p, directory.OriginAdmin, patch)
		},
		get:    a.svc.User,
		update: a.svc.UpdateUser,
		delete: a.svc.DeleteUser,
		decode: a.decodeUser,
		wire: func(u directory.User) (int64, int64, any) {
			return u.ID, u.Version, userWire(u)
		},
	}
}

func (a *api) decodeUser(w http.ResponseWriter, r *http.Request, mediaTypes ...string) (directory.UserPatch, error) {
	var in userInput
	b, err := a.readJSON(w, r, &in, mediaTypes...)
	if err != nil {
		return directory.UserPatch{}, err
	}
	return in.toPatch(b)
}

func (a *api) listUsers(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	q, err := query(r, "limit", "cursor", "username", "email", "q", "external_id")
	if err != nil {
		return err
	}
	n, err := limit(q)
	if err != nil {
		return err
	}
	f := directory.UserFilter{Username: q.Get("username"), Email: q.Get("email"), Query: q.Get("q"), ExternalID: q.Get("external_id"), Limit: n}
	binding := []string{"users", f.Username, f.Email, f.Query, f.ExternalID}
	after, err := a.cursors.open(r.Context(), p.TenantID, q.Get("cursor"), binding...)
	if err != nil {
		return err
	}
	f.AfterKey, f.AfterID = after.Key, after.ID
	users, next, err := a.svc.ListUsers(r.Context(), p, f)
	if err != nil {
		return err
	}
	var end position
	if next != nil {
		end = position{ID: next.AfterID, Key: next.AfterKey}
	}
	cursor, err := a.cursors.seal(r.Context(), p.TenantID, end, binding...)
	if err != nil {
		return err
	}
	return writeList(w, r, "users", users, pageUserWire(), pageTail{NextCursor: cursor})
}

// userWire is the wire form of u for writeJSON and writeList, which encode
// it with its hand-written encoder.
func userWire(u directory.User) any {
	j := toUserJSON(u)
	return &j
}

// pageUserWire returns userWire for writeList, which encodes each item
// before it asks for the next: one userJSON serves the whole page, where
// one per user cost the page a hundred allocations of its size.
func pageUserWire() func(directory.User) any {
	var j userJSON
	return func(u directory.User) any {
		j = toUserJSON(u)
		return &j
	}
}
