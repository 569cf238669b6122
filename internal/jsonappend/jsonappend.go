// Package jsonappend appends JSON values to a byte slice byte for byte as
// encoding/json writes them, for the hand-written encoders of the answers
// userd serves most (a user, a batch of users, a page of users), where
// encoding through reflection cost a good part of the request. What is
// common is copied directly; whatever needs escaping or is not a string
// is left to encoding/json, so there is one escaper, encoding/json's.
package jsonappend

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String appends s as a JSON string escaped as encoding/json escapes it:
// as json.Marshal does when escapeHTML is true, as a json.Encoder with
// SetEscapeHTML(false) does otherwise. Most strings need no escaping and
// are copied; the others (control characters, quotes, backslashes, with
// escapeHTML <, > and &, invalid UTF-8, U+2028 and U+2029) are left to
// encoding/json.
func String(b []byte, s string, escapeHTML bool) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch byteKinds[s[i]] {
		case plainByte:
		case escapedByte:
			return marshalString(b, s, escapeHTML)
		case htmlByte:
			if escapeHTML {
				return marshalString(b, s, escapeHTML)
			}
		case multiByte:
			ascii = false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.ContainsRune(s, '\u2028') || strings.ContainsRune(s, '\u2029')) {
		return marshalString(b, s, escapeHTML)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// What String makes of each byte of a string: one lookup where a chain of
// comparisons per byte cost a page of 100 users a twentieth of its CPU.
const (
	plainByte   = iota // printable ASCII, copied as it is
	escapedByte        // a control character, '"' or '\\': always escaped
	htmlByte           // '<', '>' or '&': escaped only with escapeHTML
	multiByte          // part of a multi-byte UTF-8 sequence, or invalid
)

var byteKinds = func() (kinds [256]uint8) {
	for c := range kinds {
		switch {
		case c < 0x20, c == '"', c == '\\':
			kinds[c] = escapedByte
		case c == '<', c == '>', c == '&':
			kinds[c] = htmlByte
		case c >= utf8.RuneSelf:
			kinds[c] = multiByte
		}
	}
	return kinds
}()

func marshalString(b []byte, s string, escapeHTML bool) []byte {
	b, _ = Value(b, s, escapeHTML) // a string always encodes
	return b
}

// Value appends v as encoding/json encodes it (escaping HTML or not, as
// String), through reflection: for values of no fixed shape, such as a
// user's extension. It returns b unchanged with the error of a v that
// cannot be encoded.
func Value(b []byte, v any, escapeHTML bool) ([]byte, error) {
	buf := bytes.NewBuffer(b)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		return b, err
	}
	out := buf.Bytes()
	return out[:len(out)-1], nil // Encode ends the value with a newline
}

// Object appends m as encoding/json encodes it, as Value, but writes
// an empty or nil map as {} and a small map of plain values (strings,
// booleans, nulls and integer json.Numbers, as a user's extension mostly
// holds) without reflection. Other maps go through Value.
func Object(b []byte, m map[string]any, escapeHTML bool) ([]byte, error) {
	if len(m) == 0 {
		return append(b, "{}"...), nil
	}
	var array [8]string
	keys := array[:0]
	for k, v := range m {
		if len(keys) == len(array) || !plain(v) {
			return Value(b, m, escapeHTML)
		}
		keys = append(keys, k)
	}
	slices.Sort(keys) // encoding/json sorts a map's keys so
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(String(b, k, escapeHTML), ':')
		switch v := m[k].(type) {
		case nil:
			b = append(b, "null"...)
		case bool:
			b = strconv.AppendBool(b, v)
		case string:
			b = String(b, v, escapeHTML)
		case json.Number:
			b = append(b, v...)
		}
	}
	return append(b, '}'), nil
}

// plain reports whether Object appends v itself: nil, a bool, a string or
// a json.Number that is an integer in canonical form, which encoding/json
// writes as it is.
func plain(v any) bool {
	switch v := v.(type) {
	case nil, bool, string:
		return true
	case json.Number:
		n, err := strconv.ParseInt(string(v), 10, 64)
		return err == nil && strconv.FormatInt(n, 10) == string(v)
	}
	return false
}

// Member appends name, the JSON text before a value such as `,"email":`,
// and the string s as String does.
func Member(b []byte, name, s string, escapeHTML bool) []byte {
	return String(append(b, name...), s, escapeHTML)
}

// NullableMember appends name and *s as Member does, or name and null
// when s is nil: encoding/json's *string.
func NullableMember(b []byte, name string, s *string, escapeHTML bool) []byte {
	if s == nil {
		return append(append(b, name...), "null"...)
	}
	return Member(b, name, *s, escapeHTML)
}
