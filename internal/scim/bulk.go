package scim

import (
	"bytes"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/schemas"
	"github.com/userd/userd/internal/strictjson"
)

// MaxBulkOperations is the most operations one Bulk request may hold; the
// largest body is the server's request body limit (maxPayloadSize).
const MaxBulkOperations = 1000

type bulkRequest struct {
	Schemas      []string        `json:"schemas"`
	FailOnErrors int             `json:"failOnErrors"`
	Operations   []bulkOperation `json:"Operations"`
}

type bulkOperation struct {
	Method  string          `json:"method"`
	BulkID  string          `json:"bulkId"`
	Version string          `json:"version"`
	Path    string          `json:"path"`
	Data    json.RawMessage `json:"data"`
}

type bulkResult struct {
	Method   string `json:"method"`
	BulkID   string `json:"bulkId,omitempty"`
	Version  string `json:"version,omitempty"`
	Location string `json:"location,omitempty"`
	Status   string `json:"status"`
	Response any    `json:"response,omitempty"`
}

// bulkRef is a reference to a resource created earlier in the request.
var bulkRef = regexp.MustCompile(`bulkId:([A-Za-z0-9._~-]+)`)

// bulk runs a Bulk request's operations in order, as the caller: a user
// creation through the code a POST /Users runs (addUser), any other
// operation through the handler its own request would reach; a run of user
// creations that refer to nothing is made in one transaction, or, if one
// of them fails, one by one. A "bulkId:x"
// reference in a path or in data becomes the id of the resource the
// operation with bulkId x created; a reference to one that was not created
// (later, failed, or unknown) fails its operation. After failOnErrors
// failures (when not 0) the rest are not run.
func (h *handler) bulk(c *call) error {
	body, err := c.readBody(h)
	if err != nil {
		return err
	}
	var req bulkRequest
	if err := strictjson.Decode(body, &req); err != nil {
		return err
	}
	if len(req.Schemas) != 1 || req.Schemas[0] != schemas.BulkRequest {
		return errorf(http.StatusBadRequest, typeInvalidSyntax, `schemas must be ["`+schemas.BulkRequest+`"]`)
	}
	if len(req.Operations) > MaxBulkOperations {
		return errorf(http.StatusRequestEntityTooLarge, typeTooMany, "a Bulk request holds at most "+strconv.Itoa(MaxBulkOperations)+" operations (maxOperations)")
	}
	if req.FailOnErrors < 0 {
		return errorf(http.StatusBadRequest, typeInvalidValue, "failOnErrors must be 0 or more")
	}
	created := map[string]string{} // bulkId → id
	seen := map[string]bool{}
	results := make([]bulkResult, 0, len(req.Operations))
	failures := 0
	for i := 0; i < len(req.Operations); {
		if n := creationRun(req.Operations[i:], seen); n > 1 {
			if batch, ok := h.bulkCreate(c, req.Operations[i:i+n], created, seen); ok {
				results = append(results, batch...)
				i += n
				continue
			}
		}
		res := h.bulkOne(c, req.Operations[i], created, seen)
		i++
		if st, _ := strconv.Atoi(res.Status); st >= 400 {
			failures++
		}
		results = append(results, res)
		if req.FailOnErrors > 0 && failures >= req.FailOnErrors {
			break
		}
	}
	writeJSON(c.w, http.StatusOK, doc{"schemas": []any{schemas.BulkResponse}, "Operations": results})
	return nil
}

// creationRun returns how many operations at the start of ops create a
// user without referring to another operation: those can be created in
// one transaction.
func creationRun(ops []bulkOperation, seen map[string]bool) int {
	ids := map[string]bool{}
	n := 0
	for _, op := range ops {
		if !strings.EqualFold(op.Method, http.MethodPost) || op.Path != "/Users" || op.BulkID == "" ||
			seen[op.BulkID] || ids[op.BulkID] || bytes.Contains(op.Data, []byte("bulkId:")) {
			break
		}
		ids[op.BulkID] = true
		n++
	}
	return n
}

// bulkCreate creates the users of a run of creations in one transaction
// (Service.CreateUsers), far cheaper than one each. If any of them fails,
// it does nothing and reports false: the caller runs them one by one,
// which gives each its own answer.
func (h *handler) bulkCreate(c *call, ops []bulkOperation, created map[string]string, seen map[string]bool) ([]bulkResult, bool) {
	patches := make([]directory.UserPatch, len(ops))
	for i, op := range ops {
		d, err := decodeDoc(op.Data)
		if err != nil {
			return nil, false
		}
		if patches[i], err = userPatch(d); err != nil {
			return nil, false
		}
	}
	users, err := h.d.Service.CreateUsers(c.r.Context(), c.p, directory.OriginAPI, patches)
	if err != nil {
		return nil, false
	}
	results := make([]bulkResult, len(ops))
	for i, u := range users {
		id := strconv.FormatInt(u.ID, 10)
		seen[ops[i].BulkID] = true
		created[ops[i].BulkID] = id
		results[i] = bulkResult{Method: ops[i].Method, BulkID: ops[i].BulkID, Version: etag(u.Version),
			Location: c.base + "/Users/" + id, Status: strconv.Itoa(http.StatusCreated)}
	}
	return results, true
}

// bulkOne runs one operation and says how it went.
func (h *handler) bulkOne(c *call, op bulkOperation, created map[string]string, seen map[string]bool) bulkResult {
	res := bulkResult{Method: op.Method, BulkID: op.BulkID}
	fail := func(err error) bulkResult {
		e := toSCIM(c.r, h.d.Logger, err)
		res.Status = strconv.Itoa(e.status)
		res.Response = errorBody{Schemas: []string{ErrorSchema}, Status: res.Status, ScimType: e.scimType, Detail: e.detail}
		return res
	}
	method := strings.ToUpper(op.Method)
	if op.BulkID != "" {
		if seen[op.BulkID] {
			return fail(errorf(http.StatusBadRequest, typeInvalidValue, "bulkId "+op.BulkID+" is used twice"))
		}
		seen[op.BulkID] = true
	}
	if method == http.MethodPost && op.BulkID == "" {
		return fail(errorf(http.StatusBadRequest, typeInvalidValue, "a POST operation needs a bulkId"))
	}
	var unresolved string
	resolve := func(s string) string {
		return bulkRef.ReplaceAllStringFunc(s, func(m string) string {
			id, ok := created[m[len("bulkId:"):]]
			if !ok {
				unresolved = m
				return m
			}
			return id
		})
	}
	path := resolve(op.Path)
	data := []byte(resolve(string(op.Data)))
	if unresolved != "" {
		return fail(errorf(http.StatusConflict, typeInvalidValue, unresolved+" names no resource created before this operation"))
	}
	route, id, ok := bulkRoute(method, path)
	if !ok {
		return fail(errorf(http.StatusBadRequest, typeInvalidPath, "path: "+op.Path+" is not /Users, /Groups or one of their resources, or "+op.Method+" does not apply to it"))
	}
	if method == http.MethodPost && strings.TrimPrefix(path, "/") == "Users" {
		d, err := decodeDoc(data)
		if err != nil {
			return fail(err)
		}
		u, err := h.addUser(c, d)
		if err != nil {
			return fail(err)
		}
		id := strconv.FormatInt(u.ID, 10)
		created[op.BulkID] = id
		res.Status, res.Version, res.Location = strconv.Itoa(http.StatusCreated), etag(u.Version), c.base+"/Users/"+id
		return res
	}
	r, err := http.NewRequestWithContext(c.r.Context(), method, c.base+path, bytes.NewReader(data))
	if err != nil {
		return fail(errorf(http.StatusBadRequest, typeInvalidPath, "path: "+op.Path+" is not a path"))
	}
	r.Host = c.r.Host
	r.RemoteAddr = c.r.RemoteAddr
	if id != "" {
		r.SetPathValue("id", id)
	}
	if op.Version != "" {
		r.Header.Set("If-Match", op.Version)
	}
	rec := &recorder{header: http.Header{}}
	sub := &call{w: rec, r: r, p: c.p, base: c.base}
	if err := route(h, sub); err != nil {
		return fail(err)
	}
	res.Status = strconv.Itoa(rec.status)
	res.Version = rec.header.Get("ETag")
	if method == http.MethodPost {
		res.Location = rec.header.Get("Location")
		created[op.BulkID] = strings.TrimPrefix(res.Location, c.base+"/Groups/")
	} else if method != http.MethodDelete {
		res.Location = c.base + path
	}
	return res
}

// bulkRoute finds the handler of a Bulk operation: method on /Users,
// /Groups, /Users/{id} or /Groups/{id}.
func bulkRoute(method, path string) (func(h *handler, c *call) error, string, bool) {
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(parts) == 0 || len(parts) > 2 {
		return nil, "", false
	}
	users := parts[0] == "Users"
	if !users && parts[0] != "Groups" {
		return nil, "", false
	}
	if len(parts) == 1 {
		if method != http.MethodPost {
			return nil, "", false
		}
		if users {
			return (*handler).createUser, "", true
		}
		return (*handler).createGroup, "", true
	}
	id := parts[1]
	type pair struct {
		user, group func(h *handler, c *call) error
	}
	routes := map[string]pair{
		http.MethodPut:    {(*handler).replaceUser, (*handler).replaceGroup},
		http.MethodPatch:  {(*handler).patchUser, (*handler).patchGroup},
		http.MethodDelete: {(*handler).deleteUser, (*handler).deleteGroup},
	}
	p, ok := routes[method]
	if !ok || id == "" {
		return nil, "", false
	}
	if users {
		return p.user, id, true
	}
	return p.group, id, true
}

// recorder keeps an operation's answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
