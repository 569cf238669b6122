// Package scim serves SCIM 2.0 (RFC 7643, RFC 7644, RFC 9865 cursors) at
// /scim/v2/, so identity providers such as Microsoft Entra ID and Okta
// provision users and groups into userd. Users are userd's users; Groups
// are userd's organizations, their members the org memberships. It only
// translates between SCIM and directory.Service: filters become a
// directory.UserQuery the stores compile to SQL, PATCH operations apply to
// the resource's JSON form, which then maps back like a PUT.
//
// Subpackages: filter (the filter and path grammar), patch (PATCH
// decoding and application) and schemas (the discovery documents).
package scim

import (
	"net/http"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/schemas"
	"github.com/userd/userd/internal/server"
)

// Prefix is where the dialect is mounted.
const Prefix = "/scim/v2"

// Routes registers the dialect on mux. Every resource route takes the
// tenant's bearer credential (an API token or a client access token):
// users:read to read, users:write to change. The discovery documents need
// none (RFC 7644 §4 allows that), so a client can be configured before it
// holds a token.
func Routes(mux server.Router, d server.Deps) {
	d = d.WithDefaults()
	h := &handler{d: d}
	mux.Handle("GET "+Prefix+"/ServiceProviderConfig", http.HandlerFunc(h.serviceProviderConfig))
	mux.Handle("GET "+Prefix+"/ResourceTypes", http.HandlerFunc(h.resourceTypes))
	mux.Handle("GET "+Prefix+"/ResourceTypes/{id}", http.HandlerFunc(h.resourceType))
	mux.Handle("GET "+Prefix+"/Schemas", http.HandlerFunc(h.schemaList))
	mux.Handle("GET "+Prefix+"/Schemas/{id}", http.HandlerFunc(h.schema))

	mux.Handle("GET "+Prefix+"/Users", h.auth(h.listUsers))
	mux.Handle("POST "+Prefix+"/Users/.search", h.auth(h.searchUsers))
	mux.Handle("POST "+Prefix+"/Users", h.auth(h.createUser))
	mux.Handle("GET "+Prefix+"/Users/{id}", h.auth(h.getUser))
	mux.Handle("PUT "+Prefix+"/Users/{id}", h.auth(h.replaceUser))
	mux.Handle("PATCH "+Prefix+"/Users/{id}", h.auth(h.patchUser))
	mux.Handle("DELETE "+Prefix+"/Users/{id}", h.auth(h.deleteUser))

	mux.Handle("GET "+Prefix+"/Groups", h.auth(h.listGroups))
	mux.Handle("POST "+Prefix+"/Groups/.search", h.auth(h.searchGroups))
	mux.Handle("POST "+Prefix+"/Groups", h.auth(h.createGroup))
	mux.Handle("GET "+Prefix+"/Groups/{id}", h.auth(h.getGroup))
	mux.Handle("PUT "+Prefix+"/Groups/{id}", h.auth(h.replaceGroup))
	mux.Handle("PATCH "+Prefix+"/Groups/{id}", h.auth(h.patchGroup))
	mux.Handle("DELETE "+Prefix+"/Groups/{id}", h.auth(h.deleteGroup))

	mux.Handle("POST "+Prefix+"/Bulk", h.auth(h.bulk))
	mux.Handle("POST "+Prefix+"/.search", h.auth(h.searchAll))
}

type handler struct {
	d server.Deps
}

// call is one authenticated request.
type call struct {
	w    http.ResponseWriter
	r    *http.Request
	p    directory.Principal
	base string // the dialect's URL, for meta.location
}

// auth authenticates the bearer credential and checks a request body's
// media type before calling next.
func (h *handler) auth(next func(c *call) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, base: baseURL(r)}
		err := func() error {
			cred := server.BearerCredential(r)
			if cred == "" {
				return directory.Errorf(directory.Unauthenticated, "", "send a bearer token: Authorization: Bearer <token>")
			}
			p, err := server.Authenticate(r, h.d.Authn, cred)
			if err != nil {
				return err
			}
			c.p = p
			if r.Method == http.MethodPost || r.Method == http.MethodPut || r.Method == http.MethodPatch {
				if err := checkMediaType(r); err != nil {
					return err
				}
			}
			return next(c)
		}()
		if err != nil {
			writeError(w, r, h.d.Logger, err)
		}
	})
}

// checkMediaType accepts application/scim+json and application/json (and
// a body without a Content-Type, which some clients send).
func checkMediaType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return nil
	}
	mt, _, _ := strings.Cut(ct, ";")
	switch strings.ToLower(strings.TrimSpace(mt)) {
	case "application/scim+json", "application/json":
		return nil
	}
	return errorf(http.StatusUnsupportedMediaType, typeInvalidSyntax, "send the body as application/scim+json or application/json")
}

// baseURL is the dialect's URL as the client reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + Prefix
}

// readBody reads a request body within the server's limit.
func (c *call) readBody(h *handler) ([]byte, error) {
	return server.ReadBody(c.w, c.r, h.d.MaxBodyBytes)
}

func (h *handler) serviceProviderConfig(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, schemas.ServiceProviderConfigDoc(baseURL(r), h.limits()))
}

func (h *handler) limits() schemas.Limits {
	return schemas.Limits{MaxOperations: MaxBulkOperations, MaxPayloadSize: int(h.d.MaxBodyBytes),
		MaxResults: directory.MaxPageSize, DefaultPage: directory.DefaultPageSize}
}

func (h *handler) resourceTypes(w http.ResponseWriter, r *http.Request) {
	writeList(w, anySlice(schemas.ResourceTypes(baseURL(r))))
}

func (h *handler) resourceType(w http.ResponseWriter, r *http.Request) {
	for _, rt := range schemas.ResourceTypes(baseURL(r)) {
		if rt["id"] == r.PathValue("id") {
			writeJSON(w, http.StatusOK, rt)
			return
		}
	}
	writeError(w, r, h.d.Logger, directory.Errorf(directory.NotFound, "", "no such resource type"))
}

func (h *handler) schemaList(w http.ResponseWriter, r *http.Request) {
	writeList(w, anySlice(schemas.Schemas(baseURL(r))))
}

func (h *handler) schema(w http.ResponseWriter, r *http.Request) {
	for _, s := range schemas.Schemas(baseURL(r)) {
		if s["id"] == r.PathValue("id") {
			writeJSON(w, http.StatusOK, s)
			return
		}
	}
	writeError(w, r, h.d.Logger, directory.Errorf(directory.NotFound, "", "no such schema"))
}

func anySlice(docs []map[string]any) []any {
	out := make([]any, len(docs))
	for i, d := range docs {
		out[i] = d
	}
	return out
}

// writeList answers a whole list (the discovery documents) as a
// ListResponse.
func writeList(w http.ResponseWriter, resources []any) {
	writeJSON(w, http.StatusOK, doc{"schemas": []any{schemas.ListResponse}, "totalResults": len(resources),
		"itemsPerPage": len(resources), "startIndex": 1, "Resources": resources})
}
