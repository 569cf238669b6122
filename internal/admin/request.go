package admin

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/strictjson"
)

// Media types a body may be sent as.
const (
	mediaJSON       = "application/json"
	mediaMergePatch = "application/merge-patch+json"
)

// readOnly lists the fields the server sets; a body that writes one is
// rejected with a message saying so rather than "unknown field".
var readOnly = []string{"id", "tenant_id", "origin", "client_ip", "created_at", "updated_at", "version", "password_changed_at"}

// body is a decoded JSON request body.
type body struct {
	// top holds the body's top-level members as sent, to tell a key sent as
	// null from one left out.
	top map[string]json.RawMessage
}

// isNull reports whether the body set key to null.
func (b body) isNull(key string) bool {
	return string(b.top[key]) == "null"
}

// nullKeys returns the keys the body set to null, sorted.
func (b body) nullKeys() []string {
	var keys []string
	for k := range b.top {
		if b.isNull(k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// readJSON reads r's body, which must be of one of the media types and at
// most the API's body limit long, and decodes it strictly into v.
func (a *api) readJSON(w http.ResponseWriter, r *http.Request, v any, mediaTypes ...string) (body, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !slices.Contains(mediaTypes, mt) {
		return body{}, &statusError{http.StatusUnsupportedMediaType, "unsupported-media-type",
			"send the body with Content-Type: " + strings.Join(mediaTypes, " or ")}
	}
	data, err := server.ReadBody(w, r, a.maxBody)
	if err != nil {
		return body{}, err
	}
	return decodeJSON(data, v)
}

// decodeJSON decodes data strictly into v, rejecting server-set fields by
// name.
func decodeJSON(data []byte, v any) (body, error) {
	var b body
	// Lenient on purpose: only to find server-set fields and nulls.
	// strictjson below reports everything wrong with the body.
	if mayNameTop(data) && json.Unmarshal(data, &b.top) == nil {
		for _, k := range readOnly {
			if _, ok := b.top[k]; ok {
				return body{}, directory.Errorf(directory.Invalid, k, "is read-only: the server sets it, so leave it out")
			}
		}
	}
	if err := strictjson.Decode(data, v); err != nil {
		return body{}, err
	}
	return b, nil
}

// mayNameTop reports whether data may have a top-level member that
// decodeJSON's lenient parse looks for: one sent as null or named in
// readOnly. Without a backslash every key is spelled as its own bytes, so
// a body that holds neither the word null nor a read-only name in quotes
// has no such member, and the parse, which costs a small patch about as
// much as its strict decoding, can be left out.
func mayNameTop(data []byte) bool {
	if bytes.IndexByte(data, '\\') >= 0 || bytes.Contains(data, []byte("null")) {
		return true
	}
	for _, k := range quotedReadOnly {
		if bytes.Contains(data, k) {
			return true
		}
	}
	return false
}

// quotedReadOnly holds readOnly's names as they appear in a body that
// sends them: in quotes.
var quotedReadOnly = func() [][]byte {
	out := make([][]byte, len(readOnly))
	for i, k := range readOnly {
		out[i] = []byte(`"` + k + `"`)
	}
	return out
}()

// pathID parses the path value name as an object id. Anything that is not
// the canonical decimal form of a possible id answers NotFound, as no object
// lives at such a URL.
func pathID(r *http.Request, name string) (int64, error) {
	id, ok := server.ParseID(r.PathValue(name))
	if !ok {
		return 0, directory.Errorf(directory.NotFound, "", "no such object")
	}
	return id, nil
}

// etag is the entity tag of an object at version.
func etag(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// ifMatch returns the version the If-Match header pins, or 0 when there is
// none or it is "*" (any current version).
func ifMatch(r *http.Request) (int64, error) {
	values := r.Header.Values("If-Match")
	if len(values) == 0 {
		return 0, nil
	}
	v := strings.TrimSpace(values[0])
	if len(values) == 1 && v == "*" {
		return 0, nil
	}
	if len(values) == 1 && len(v) >= 3 && v[0] == '"' && v[len(v)-1] == '"' {
		s := v[1 : len(v)-1]
		if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 && strconv.FormatInt(n, 10) == s {
			return n, nil
		}
	}
	return 0, directory.Errorf(directory.Invalid, "If-Match", `must be * or one ETag this API returned, such as "3"`)
}

// query returns r's query parameters after checking that each is one of
// known and given at most once.
func query(r *http.Request, known ...string) (url.Values, error) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, directory.Errorf(directory.Invalid, "", "the query string is malformed; percent-encode special characters")
	}
	for k, vs := range q {
		if !slices.Contains(known, k) {
			return nil, directory.Errorf(directory.Invalid, k, "is not a query parameter of this endpoint; known ones are %s", strings.Join(known, ", "))
		}
		if len(vs) > 1 {
			return nil, directory.Errorf(directory.Invalid, k, "is given %d times; give it once", len(vs))
		}
	}
	return q, nil
}

// limit parses the limit query parameter; 0 means the default page size.
// The Service checks the range.
func limit(q url.Values) (int, error) {
	s := q.Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n == 0 {
		return 0, directory.Errorf(directory.Invalid, "limit", "must be an integer between 1 and %d", directory.MaxPageSize)
	}
	return n, nil
}
