package tenantv2

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// call is one endpoint of the dialect: it answers r for principal p, or
// returns the error writeError answers.
type call func(w http.ResponseWriter, r *http.Request, p directory.Principal) error

// api holds what every endpoint needs.
type api struct {
	d   server.Deps
	cfg Config
	loc *time.Location
}

// handle authenticates the caller and runs c; obj says what a NotFound is
// about.
func (a api) handle(obj object, c call) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p, err := authenticate(r, a.d.Authn)
		if err == nil {
			err = c(w, r, p)
		}
		if err != nil {
			writeError(w, r, a.d.Logger, obj, err)
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
	return parseID("user_id", "a user id", s)
}

// parseID reads an id named field (a path segment, a parameter or a body
// field) by server.ParseID's rule; any other string is an invalid
// parameter (400).
func parseID(field, what, s string) (int64, error) {
	id, ok := server.ParseID(s)
	if !ok {
		return 0, directory.Errorf(directory.Invalid, field, "must be %s such as \"42\"", what)
	}
	return id, nil
}

// decodeBody reads r's body, at most the server's limit, into v strictly
// (strictjson: one object, no unknown or repeated fields, right types).
// An empty body is an empty object when empty is true.
func (a api) decodeBody(w http.ResponseWriter, r *http.Request, v any, empty bool) error {
	data, err := server.ReadBody(w, r, a.d.MaxBodyBytes)
	if err != nil {
		return err
	}
	if len(data) == 0 && empty {
		return nil
	}
	return strictjson.Decode(data, v)
}

// queryParams reads r's query, refusing parameters other than allowed and
// any given twice: a filter this dialect does not know must not be ignored.
func queryParams(r *http.Request, allowed ...string) (map[string]string, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, directory.Errorf(directory.Invalid, "", "the query string is not valid: %s", "use name=value pairs joined by &")
	}
	out := map[string]string{}
	for k, vs := range q {
		known := false
		for _, a := range allowed {
			known = known || a == k
		}
		if !known {
			return nil, directory.Errorf(directory.Invalid, k, "is not a parameter of this call")
		}
		if len(vs) > 1 {
			return nil, directory.Errorf(directory.Invalid, k, "is given more than once")
		}
		out[k] = vs[0]
	}
	return out, nil
}

// Paging defaults and bounds of the list calls (docs/api/tenant-v2.md).
const (
	defaultLimit = 10
	maxLimit     = 100
)

// pageParams reads offset, a page number from 0, and limit, 1 to maxLimit.
func pageParams(q map[string]string) (page, limit int, err error) {
	page, limit = 0, defaultLimit
	if s, ok := q["offset"]; ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 || n > directory.MaxPageNumber {
			return 0, 0, directory.Errorf(directory.Invalid, "offset", "must be a page number from 0 to %d", directory.MaxPageNumber)
		}
		page = n
	}
	if s, ok := q["limit"]; ok && s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return 0, 0, directory.Errorf(directory.Invalid, "limit", "must be a number from 1 to %d", maxLimit)
		}
		limit = n
	}
	return page, limit, nil
}

// optionalID reads the id parameter field: "" or absent is 0.
func optionalID(q map[string]string, field, what string) (int64, error) {
	s := q[field]
	if s == "" {
		return 0, nil
	}
	return parseID(field, what, s)
}
