package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// doc is a resource in its JSON form, as decoded with json.Number numbers.
// Attribute names are matched ignoring case, as RFC 7643 §2.1 asks.
type doc = map[string]any

// reader reads the attributes of one object of a request, ignoring case,
// and remembers which it read, so that an attribute userd does not keep is
// refused rather than silently dropped.
type reader struct {
	obj  doc
	path string // the object's path, for errors: "", "name", the URN
	used map[string]bool
	err  error
	// children are the readers of the complex attributes read from it.
	children []*reader
}

func newReader(obj doc, path string) *reader {
	return &reader{obj: obj, path: path, used: map[string]bool{}}
}

func (r *reader) fail(attr, format string, args ...any) {
	if r.err == nil {
		r.err = errorf(http.StatusBadRequest, typeInvalidValue, r.name(attr)+": "+fmt.Sprintf(format, args...))
	}
}

func (r *reader) name(attr string) string {
	if r.path == "" {
		return attr
	}
	if strings.HasPrefix(r.path, "urn:") {
		return r.path + ":" + attr
	}
	return r.path + "." + attr
}

// get returns the attribute's value; a null value is absent.
func (r *reader) get(attr string) (any, bool) {
	for k, v := range r.obj {
		if strings.EqualFold(k, attr) {
			r.used[k] = true
			return v, v != nil
		}
	}
	return nil, false
}

// ignore marks attributes as read without reading them (read-only ones a
// client may send back).
func (r *reader) ignore(attrs ...string) {
	for _, a := range attrs {
		r.get(a)
	}
}

// str returns a string attribute, "" when absent.
func (r *reader) str(attr string) string {
	v, ok := r.get(attr)
	if !ok {
		return ""
	}
	s, isStr := v.(string)
	if !isStr {
		r.fail(attr, "must be a string")
	}
	return s
}

// boolean reads a boolean attribute, also from the strings "True" and
// "False" in any case, as Entra ID sends them; def when absent.
func (r *reader) boolean(attr string, def bool) bool {
	v, ok := r.get(attr)
	if !ok {
		return def
	}
	switch v := v.(type) {
	case bool:
		return v
	case string:
		switch strings.ToLower(v) {
		case "true":
			return true
		case "false":
			return false
		}
	}
	r.fail(attr, "must be true or false")
	return def
}

// object returns a reader of a complex attribute, or nil when absent.
func (r *reader) object(attr string) *reader {
	v, ok := r.get(attr)
	if !ok {
		return nil
	}
	obj, isObj := v.(doc)
	if !isObj {
		r.fail(attr, "must be an object")
		return nil
	}
	c := newReader(obj, r.name(attr))
	r.children = append(r.children, c)
	return c
}

// objectIfObject is object for an attribute that may also come in
// another form the caller has read: nil unless it is an object.
func (r *reader) objectIfObject(attr string) *reader {
	if v, ok := r.get(attr); ok {
		if _, isObj := v.(doc); isObj {
			return r.object(attr)
		}
	}
	return nil
}

// list returns readers of a multi-valued complex attribute's elements.
func (r *reader) list(attr string) []*reader {
	v, ok := r.get(attr)
	if !ok {
		return nil
	}
	l, isList := v.([]any)
	if !isList {
		r.fail(attr, "must be an array")
		return nil
	}
	out := make([]*reader, 0, len(l))
	for i, el := range l {
		obj, isObj := el.(doc)
		if !isObj {
			r.fail(attr, "element %d must be an object", i)
			return nil
		}
		c := newReader(obj, r.name(attr)+"["+strconv.Itoa(i)+"]")
		r.children = append(r.children, c)
		out = append(out, c)
	}
	return out
}

// done returns the first error met, or an error naming an attribute that
// was sent with a value but not read: userd does not keep it, and dropping
// it would make a client send it again forever.
func (r *reader) done() error {
	if r.err != nil {
		return r.err
	}
	for _, c := range r.children {
		if err := c.done(); err != nil {
			return err
		}
	}
	for k, v := range r.obj {
		if !r.used[k] && !empty(v) {
			return errorf(http.StatusBadRequest, typeInvalidValue, r.name(k)+": userd does not keep this attribute; see GET /scim/v2/Schemas for the ones it does")
		}
	}
	return nil
}

// decodeDoc decodes a request body holding one JSON object.
func decodeDoc(data []byte) (doc, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var d doc
	if err := dec.Decode(&d); err != nil || d == nil {
		return nil, errorf(http.StatusBadRequest, typeInvalidSyntax, "the body must be a JSON object")
	}
	if dec.More() {
		return nil, errorf(http.StatusBadRequest, typeInvalidSyntax, "the body holds more than one JSON value")
	}
	return d, nil
}

// empty reports whether an attribute's value carries nothing (null, "",
// [] or {}): Entra ID sends "roles": [] with every user, and refusing
// what holds no value would only break it.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case []any:
		return len(v) == 0
	case doc:
		return len(v) == 0
	}
	return false
}
