package scim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/patch"
	"github.com/userd/userd/internal/scim/schemas"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// userRules tell patch.Apply about the User resource.
var userRules = patch.Rules{
	CoreSchema: schemas.User,
	Single:     func(attr string) bool { return strings.EqualFold(attr, "addresses") },
	ReadOnly: func(uri, attr string) bool {
		core := uri == "" || strings.EqualFold(uri, schemas.User)
		return core && (strings.EqualFold(attr, "id") || strings.EqualFold(attr, "meta") || strings.EqualFold(attr, "groups"))
	},
}

// resourceID reads the {id} of a route; an id userd never gives is a
// missing resource.
func resourceID(r *http.Request) (int64, error) {
	id, ok := server.ParseID(r.PathValue("id"))
	if !ok {
		return 0, directory.Errorf(directory.NotFound, "", "no such resource")
	}
	return id, nil
}

// ifMatch reads If-Match as the version the change requires: 0 for none
// or "*". A tag that is not one of userd's matches no version.
func ifMatch(r *http.Request) (int64, error) {
	v := strings.TrimSpace(r.Header.Get("If-Match"))
	if v == "" || v == "*" {
		return 0, nil
	}
	n, ok := parseETag(v)
	if !ok {
		return 0, directory.ErrVersionMismatch
	}
	return n, nil
}

func parseETag(v string) (int64, bool) {
	v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return 0, false
	}
	n, err := strconv.ParseInt(v[1:len(v)-1], 10, 64)
	return n, err == nil && n > 0
}

// notModified reports whether If-None-Match names version (or is "*").
func notModified(r *http.Request, version int64) bool {
	for _, tag := range strings.Split(r.Header.Get("If-None-Match"), ",") {
		tag = strings.TrimSpace(tag)
		if tag == "*" {
			return true
		}
		if n, ok := parseETag(tag); ok && n == version {
			return true
		}
	}
	return false
}

// writeResource answers one resource with its ETag and, for a creation,
// its Location.
func (c *call) writeResource(status int, d doc, p projection) error {
	m := d["meta"].(doc)
	c.w.Header().Set("ETag", m["version"].(string))
	if status == http.StatusCreated {
		c.w.Header().Set("Location", m["location"].(string))
	}
	writeJSON(c.w, status, p.apply(d))
	return nil
}

// writeUser answers one user as a User resource, as writeResource
// answers its map form, through the struct encoder.
func (c *call) writeUser(status int, u directory.User, p projection) error {
	tag := etag(u.Version)
	c.w.Header().Set("ETag", tag)
	if status == http.StatusCreated {
		c.w.Header().Set("Location", c.base+"/Users/"+strconv.FormatInt(u.ID, 10))
	}
	pl := planUser(p)
	return server.WriteAppended(c.w, status, contentType, func(b []byte) ([]byte, error) {
		return newUserJSON(&u, c.base).appendJSON(b, pl), nil
	})
}

// readProjection reads attributes and excludedAttributes from the query.
func readProjection(r *http.Request, core string) (projection, error) {
	q := r.URL.Query()
	return newProjection(core, splitList(q.Get("attributes")), splitList(q.Get("excludedAttributes")))
}

func (h *handler) getUser(c *call) error {
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.User)
	if err != nil {
		return err
	}
	u, err := h.d.Service.User(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	if notModified(c.r, u.Version) {
		c.w.Header().Set("ETag", etag(u.Version))
		c.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return c.writeUser(http.StatusOK, u, proj)
}

func (h *handler) createUser(c *call) error {
	d, err := c.readDoc(h)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.User)
	if err != nil {
		return err
	}
	u, err := h.addUser(c, d)
	if err != nil {
		return err
	}
	return c.writeUser(http.StatusCreated, u, proj)
}

// addUser creates the user a User resource describes: the work of a POST
// /Users, shared with a Bulk operation's.
func (h *handler) addUser(c *call, d doc) (directory.User, error) {
	up, err := userPatch(d)
	if err != nil {
		return directory.User{}, err
	}
	return h.d.Service.CreateUser(c.r.Context(), c.p, directory.OriginAPI, up)
}

func (c *call) readDoc(h *handler) (doc, error) {
	body, err := c.readBody(h)
	if err != nil {
		return nil, err
	}
	return decodeDoc(body)
}

func (h *handler) replaceUser(c *call) error {
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	version, err := ifMatch(c.r)
	if err != nil {
		return err
	}
	d, err := c.readDoc(h)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.User)
	if err != nil {
		return err
	}
	up, err := userPatch(d)
	if err != nil {
		return err
	}
	u, err := h.d.Service.UpdateUser(c.r.Context(), c.p, id, version, up)
	if err != nil {
		return err
	}
	return c.writeUser(http.StatusOK, u, proj)
}

func (h *handler) patchUser(c *call) error {
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	version, err := ifMatch(c.r)
	if err != nil {
		return err
	}
	body, err := c.readBody(h)
	if err != nil {
		return err
	}
	ops, err := patch.Decode(body, schemas.User)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.User)
	if err != nil {
		return err
	}
	u, err := patchUser(c, h.d.Service, id, version, ops)
	if err != nil {
		return err
	}
	if preferMinimal(c.r) {
		c.w.Header().Set("ETag", etag(u.Version))
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	return c.writeUser(http.StatusOK, u, proj)
}

// patchUser applies ops to the user's resource and stores the result as a
// PUT would, through Service.EditUser: a change made in between is never
// overwritten (with If-Match it answers 412, without it the PATCH is
// applied again to a fresh read).
func patchUser(c *call, svc *directory.Service, id, version int64, ops []patch.Operation) (directory.User, error) {
	return svc.EditUser(c.r.Context(), c.p, id, version, func(u directory.User) (directory.UserPatch, error) {
		d := userDoc(u, c.base)
		if err := patch.Apply(d, ops, userRules); err != nil {
			return directory.UserPatch{}, err
		}
		return userPatch(d)
	})
}

// preferMinimal reports whether the client asked for no body (RFC 7240
// Prefer: return=minimal), which a PATCH answers with 204.
func preferMinimal(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		if strings.Contains(strings.ToLower(v), "return=minimal") {
			return true
		}
	}
	return false
}

func (h *handler) deleteUser(c *call) error {
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	version, err := ifMatch(c.r)
	if err != nil {
		return err
	}
	if err := h.d.Service.DeleteUser(c.r.Context(), c.p, id, version); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *handler) listUsers(c *call) error {
	lp, err := parseListQuery(c.r)
	if err != nil {
		return err
	}
	return h.queryUsers(c, lp)
}

func (h *handler) searchUsers(c *call) error {
	lp, err := c.readSearch(h)
	if err != nil {
		return err
	}
	return h.queryUsers(c, lp)
}

// queryUsers answers a page of users as a ListResponse: by index
// (startIndex, count; totalResults counted up to directory.MaxQueryCount
// past the page's start) or by cursor (RFC 9865; nextCursor).
func (h *handler) queryUsers(c *call, lp listParams) error {
	pg, release, err := h.userPage(c, lp)
	if err != nil {
		return err
	}
	defer release()
	c.writePage(lp, pg)
	return nil
}

// userPage reads the page of users lp asks for. It holds the page's
// admission to the heavy reads until release is called, once the page has
// been written.
func (h *handler) userPage(c *call, lp listParams) (_ listPage, release func(), _ error) {
	fail := func(err error) (listPage, func(), error) { return listPage{}, nil, err }
	proj, err := newProjection(schemas.User, lp.attributes, lp.excluded)
	if err != nil {
		return fail(err)
	}
	sort, err := userSort(lp.sortBy, lp.sortOrder)
	if err != nil {
		return fail(err)
	}
	// A User resource shows no more than directory.ResourceView, whatever
	// the attributes asked for (userjson.go).
	pg := directory.UserQueryPage{Limit: directory.DefaultPageSize, Count: true, Sort: sort, View: directory.ResourceView}
	if lp.count >= 0 {
		pg.Limit = min(lp.count, directory.MaxPageSize)
	}
	if lp.filter != "" {
		e, err := filter.Parse(lp.filter)
		if err != nil {
			return fail(err)
		}
		q, err := userQuery(e)
		if err != nil {
			return fail(err)
		}
		pg.Query = &q
	}
	if lp.cursor != nil {
		if *lp.cursor != "" {
			after, ok := server.ParseID(*lp.cursor)
			if !ok {
				return fail(errorf(http.StatusBadRequest, "invalidCursor", "cursor: not a cursor userd gave; start again without one"))
			}
			pg.AfterID = after
		}
	} else {
		pg.Offset = lp.startIndex - 1
	}
	release, err = h.d.HeavyReads.Admit(c.p, max(pg.Limit, 1))
	if err != nil {
		return fail(err)
	}
	res, err := h.d.Service.QueryUsers(c.r.Context(), c.p, pg)
	if err != nil {
		release()
		switch e := directory.AsError(err); {
		case e.Kind == directory.Invalid && e.Field == "startIndex":
			return fail(errorf(http.StatusBadRequest, typeTooMany, "startIndex: "+e.Message))
		case e.Kind == directory.Invalid && e.Field == "sortBy":
			return fail(errorf(http.StatusBadRequest, typeTooMany, "sortBy: "+e.Message))
		}
		return fail(err)
	}
	out := listPage{users: res.Users, plan: planUser(proj), total: res.Total}
	if res.More {
		out.next = strconv.FormatInt(res.Users[len(res.Users)-1].ID, 10)
	}
	return out, release, nil
}

// readSearch reads the body of POST /.search as list parameters.
func (c *call) readSearch(h *handler) (listParams, error) {
	body, err := c.readBody(h)
	if err != nil {
		return listParams{}, err
	}
	var s searchRequest
	if err := strictjson.Decode(body, &s); err != nil {
		return listParams{}, err
	}
	if len(s.Schemas) != 1 || s.Schemas[0] != schemas.SearchRequest {
		return listParams{}, errorf(http.StatusBadRequest, typeInvalidSyntax, "schemas must be [\""+schemas.SearchRequest+"\"]")
	}
	return newListParams(listParams{filter: s.Filter, cursor: s.Cursor, attributes: s.Attributes, excluded: s.ExcludedAttributes,
		sortBy: s.SortBy, sortOrder: s.SortOrder}, string(s.StartIndex), string(s.Count))
}
