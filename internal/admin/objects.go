package admin

import (
	"context"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

// object serves the endpoints that users and orgs share: create, read,
// merge-patch and delete one object of type T, changed by patches of type P,
// with ETags from its version.
type object[T, P any] struct {
	// path is the collection's path, e.g. "/admin/v1/users".
	path   string
	create func(ctx context.Context, p directory.Principal, patch P) (T, error)
	get    func(ctx context.Context, p directory.Principal, id int64) (T, error)
	update func(ctx context.Context, p directory.Principal, id, version int64, patch P) (T, error)
	delete func(ctx context.Context, p directory.Principal, id, version int64) error
	// decode reads a request body of one of the media types into a patch.
	decode func(w http.ResponseWriter, r *http.Request, mediaTypes ...string) (P, error)
	// wire returns the object's id, version and JSON form.
	wire func(T) (id, version int64, v any)
}

func (o *object[T, P]) handleCreate(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	patch, err := o.decode(w, r, mediaJSON)
	if err != nil {
		return err
	}
	t, err := o.create(r.Context(), p, patch)
	if err != nil {
		return err
	}
	id, _, _ := o.wire(t)
	w.Header().Set("Location", o.path+"/"+strconv.FormatInt(id, 10))
	return o.write(w, r, http.StatusCreated, t)
}

func (o *object[T, P]) write(w http.ResponseWriter, r *http.Request, status int, t T) error {
	_, version, v := o.wire(t)
	w.Header().Set("ETag", etag(version))
	return writeJSON(w, status, v)
}

func (o *object[T, P]) handleGet(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := o.get(r.Context(), p, id)
	if err != nil {
		return err
	}
	return o.write(w, r, http.StatusOK, t)
}

// target returns the id in r's path and the version its If-Match pins.
func target(r *http.Request) (id, version int64, err error) {
	if id, err = pathID(r, "id"); err != nil {
		return 0, 0, err
	}
	version, err = ifMatch(r)
	return id, version, err
}

func (o *object[T, P]) handlePatch(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	patch, err := o.decode(w, r, mediaMergePatch, mediaJSON)
	if err != nil {
		return err
	}
	t, err := o.update(r.Context(), p, id, version, patch)
	if err != nil {
		return err
	}
	return o.write(w, r, http.StatusOK, t)
}

func (o *object[T, P]) handleDelete(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, version, err := target(r)
	if err != nil {
		return err
	}
	if err := o.delete(r.Context(), p, id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
