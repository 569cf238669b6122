// Package strictjson decodes JSON request bodies strictly: exactly one
// object, no unknown fields, no keys that match a field only in a different
// letter case, no duplicate keys, bounded nesting and values of the right
// type, each reported as an *Error that names the offending key.
//
// Go's encoding/json accepts all of those silently (it matches "EMAIL" to a
// field tagged "email" and keeps the last of two equal keys), which lets two
// parsers of the same body disagree about what it says. Decode first walks
// the body token by token alongside the target type and only then hands it to
// encoding/json.
package strictjson

import (
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is how deeply objects and arrays may nest; the top-level object
// is depth 1.
const MaxDepth = 32

// Error describes why a body was rejected. Its Reason is safe to show to the
// caller.
type Error struct {
	// Field is the path of the offending key from the top-level object:
	// "email", "orgs[0].org_id", "extension.team". It is "" when the error is
	// not about one key (invalid JSON, trailing data, not an object).
	Field string
	// Reason says what is wrong and what to send instead.
	Reason string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field == "" {
		return "json body: " + e.Reason
	}
	return "json body: " + e.Field + ": " + e.Reason
}

// Decode decodes data, which must hold exactly one JSON object, into v, a
// non-nil pointer to a struct. Numbers decoded into interface values become
// json.Number, so large integers keep their precision. Every rejection is an
// *Error; a v that is not a pointer to a struct is a programming error and
// panics.
func Decode(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		panic(fmt.Sprintf("strictjson: Decode needs a non-nil pointer to a struct, got %T", v))
	}
	if err := checkText(data); err != nil {
		return err
	}
	if err := check(data, rv.Elem().Type()); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fromDecodeError(err)
	}
	return nil
}

// check walks data token by token against type t.
func check(data []byte, t reflect.Type) error {
	w := walker{dec: json.NewDecoder(bytes.NewReader(data))}
	w.dec.UseNumber()
	tok, err := w.dec.Token()
	if err == io.EOF {
		return &Error{Reason: "the body is empty; send a JSON object"}
	}
	if err != nil {
		return syntaxError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return &Error{Reason: "the body must be a JSON object"}
	}
	if err := w.object(t, "", 1); err != nil {
		return err
	}
	if _, err := w.dec.Token(); err != io.EOF {
		return &Error{Reason: "unexpected data after the JSON object; send exactly one object"}
	}
	return nil
}

// checkText refuses text encoding/json would silently replace with
// U+FFFD: bytes that are not UTF-8, and \u escapes of half a surrogate
// pair. A caller that sent them meant something else than the replacement
// character, and storing it would lose what they sent.
func checkText(data []byte) *Error {
	if !utf8.Valid(data) {
		i := 0
		for i < len(data) {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return &Error{Reason: fmt.Sprintf("the body is not valid UTF-8 (at byte %d); send text as UTF-8", i)}
	}
	inString := false
	for i := 0; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			if data[i+1] != 'u' {
				i++ // a one-character escape, such as \" or \\
				continue
			}
			r, ok := escaped(data[i:])
			if !ok {
				i++ // invalid JSON; the walk reports it
				continue
			}
			if utf16.IsSurrogate(r) {
				r2, ok2 := escaped(data[i+6:])
				if r >= 0xdc00 || !ok2 || r2 < 0xdc00 || r2 > 0xdfff {
					return &Error{Reason: fmt.Sprintf("the \\u escape at byte %d is half of a UTF-16 surrogate pair; send whole characters", i)}
				}
				i += 6
			}
			i += 5
		}
	}
	return nil
}

// escaped decodes the \uXXXX escape that b starts with.
func escaped(b []byte) (rune, bool) {
	if len(b) < 6 || b[0] != '\\' || b[1] != 'u' {
		return 0, false
	}
	n, err := strconv.ParseUint(string(b[2:6]), 16, 16)
	return rune(n), err == nil
}

type walker struct {
	dec *json.Decoder
}

// value checks the value that starts with tok at path. t is the Go type it
// will be decoded into, or nil when any JSON value is acceptable.
func (w *walker) value(tok json.Token, t reflect.Type, path string, depth int) error {
	t = deref(t)
	if d, ok := tok.(json.Delim); ok {
		if depth > MaxDepth {
			return &Error{Field: path, Reason: fmt.Sprintf("nests deeper than %d levels", MaxDepth)}
		}
		if d == '{' {
			if t != nil && t.Kind() != reflect.Struct && t.Kind() != reflect.Map {
				return typeError(path, t)
			}
			return w.object(t, path, depth)
		}
		if t != nil && t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return typeError(path, t)
		}
		return w.array(t, path, depth)
	}
	if t == nil || tok == nil {
		return nil // null fits every type
	}
	ok := true
	switch x := tok.(type) {
	case string:
		ok = t.Kind() == reflect.String || isBytes(t) || t.Implements(textUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler)
	case bool:
		ok = t.Kind() == reflect.Bool
	case json.Number:
		ok = numberFits(string(x), t)
	}
	if !ok {
		return typeError(path, t)
	}
	return nil
}

func (w *walker) object(t reflect.Type, path string, depth int) error {
	var fields map[string]reflect.Type
	var elem reflect.Type
	if t != nil && t.Kind() == reflect.Struct {
		fields = fieldsOf(t)
	} else if t != nil {
		elem = t.Elem()
	}
	seen := map[string]bool{}
	for {
		tok, err := w.dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		if d, ok := tok.(json.Delim); ok && d == '}' {
			return nil
		}
		key := tok.(string) // Token returns only strings in key position
		keyPath := join(path, key)
		if seen[key] {
			return &Error{Field: keyPath, Reason: "is given twice; send each key once"}
		}
		seen[key] = true
		vt := elem
		if fields != nil {
			f, ok := fields[key]
			if !ok {
				return unknownField(keyPath, key, fields)
			}
			vt = f
		}
		tok, err = w.dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		if err := w.value(tok, vt, keyPath, depth+1); err != nil {
			return err
		}
	}
}

func (w *walker) array(t reflect.Type, path string, depth int) error {
	var elem reflect.Type
	if t != nil {
		elem = t.Elem()
	}
	for i := 0; ; i++ {
		tok, err := w.dec.Token()
		if err != nil {
			return syntaxError(err)
		}
		if d, ok := tok.(json.Delim); ok && d == ']' {
			return nil
		}
		if err := w.value(tok, elem, path+"["+strconv.Itoa(i)+"]", depth+1); err != nil {
			return err
		}
	}
}

func unknownField(path, key string, fields map[string]reflect.Type) *Error {
	for name := range fields {
		if strings.EqualFold(name, key) {
			return &Error{Field: path, Reason: fmt.Sprintf("keys are case-sensitive; did you mean %q?", name)}
		}
	}
	return &Error{Field: path, Reason: "is not a known field; check its spelling or remove it"}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

var (
	unmarshaler     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// deref returns the type a JSON value is decoded into once pointers are
// followed, or nil when the type decodes itself (json.Unmarshaler, e.g.
// json.RawMessage) or takes any value (interfaces).
func deref(t reflect.Type) reflect.Type {
	for t != nil {
		if t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler) || t.Kind() == reflect.Interface {
			return nil
		}
		if t.Kind() != reflect.Pointer {
			return t
		}
		t = t.Elem()
	}
	return nil
}

// isBytes reports whether t is a byte slice, which encoding/json fills from
// a base64 string.
func isBytes(t reflect.Type) bool {
	return t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8
}

// numberFits reports whether encoding/json decodes the number s into t
// without an error: the same strconv calls with the same bit sizes.
func numberFits(s string, t reflect.Type) bool {
	var err error
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		_, err = strconv.ParseInt(s, 10, t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		_, err = strconv.ParseUint(s, 10, t.Bits())
	case reflect.Float32, reflect.Float64:
		_, err = strconv.ParseFloat(s, t.Bits())
	default:
		return t == reflect.TypeFor[json.Number]()
	}
	return err == nil
}

func typeError(path string, t reflect.Type) *Error {
	return &Error{Field: path, Reason: "must be " + describe(t)}
}

// describe names the JSON value a Go type takes.
func describe(t reflect.Type) string {
	if t == reflect.TypeFor[json.Number]() {
		return "a number"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return fmt.Sprintf("an integer that fits in %d bits", t.Bits())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return fmt.Sprintf("a non-negative integer that fits in %d bits", t.Bits())
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	}
	return "a value of another type"
}

func syntaxError(err error) *Error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &Error{Reason: fmt.Sprintf("invalid JSON at byte %d: %s", se.Offset, strings.TrimPrefix(se.Error(), "json: "))}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &Error{Reason: "invalid JSON: the body ends before the object does"}
	}
	return &Error{Reason: "invalid JSON"}
}

// fromDecodeError turns what encoding/json reports after a successful walk
// into an *Error. The walk catches nearly everything first; this covers what
// it cannot see, such as an Unmarshaler's own complaints.
func fromDecodeError(err error) *Error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return &Error{Field: te.Field, Reason: "must be " + describe(te.Type)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return syntaxError(err)
	}
	return &Error{Reason: "the body does not match the expected object"}
}

var fieldCache sync.Map // struct type -> map[string]reflect.Type

// fieldsOf returns the JSON keys encoding/json decodes into struct type t,
// following its rules for tags, unexported fields and embedded structs.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if f, ok := fieldCache.Load(t); ok {
		return f.(map[string]reflect.Type)
	}
	fields := map[string]reflect.Type{}
	collectFields(t, fields, map[reflect.Type]bool{})
	fieldCache.Store(t, fields)
	return fields
}

func collectFields(t reflect.Type, fields map[string]reflect.Type, visiting map[reflect.Type]bool) {
	if visiting[t] {
		return
	}
	visiting[t] = true
	// Fields of t itself first: they shadow those of embedded structs.
	var embedded []reflect.Type
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := sf.Type
		if sf.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				embedded = append(embedded, ft)
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		if strings.Contains(","+opts+",", ",string,") {
			ft = nil // quoted scalars; leave the type check to encoding/json
		}
		if _, dup := fields[name]; !dup {
			fields[name] = ft
		}
	}
	for _, et := range embedded {
		collectFields(et, fields, visiting)
	}
}
