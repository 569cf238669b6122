package directory

import (
	"encoding/json"
	"unicode/utf8"
)

// decodeFlatExtension decodes data as DecodeExtension does when it is a
// JSON object whose members are all plain (strings without escapes,
// numbers, true, false, null), as most users' extensions are. It reads
// the text once, without encoding/json's decoder, and the keys, strings
// and numbers of the map it returns are substrings of data. ok is false
// for anything else (escapes, invalid UTF-8, nested objects and arrays,
// malformed text), which DecodeExtension leaves to encoding/json, so
// that there is one decoder of record. A page of 100 users spent a tenth
// to a fifth of its CPU decoding their extensions through encoding/json.
func decodeFlatExtension(data string) (ext map[string]any, ok bool) {
	d := flatDecoder{s: data}
	if !d.next('{') {
		return nil, false
	}
	ext = map[string]any{}
	if d.next('}') {
		return ext, d.end()
	}
	for {
		key, ok := d.string()
		if !ok || !d.next(':') {
			return nil, false
		}
		if ext[key], ok = d.value(); !ok {
			return nil, false
		}
		if d.next('}') {
			return ext, d.end()
		}
		if !d.next(',') {
			return nil, false
		}
	}
}

// flatDecoder reads the text s from position i.
type flatDecoder struct {
	s string
	i int
}

// space skips JSON whitespace.
func (d *flatDecoder) space() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// next skips whitespace and then c, reporting whether c was there.
func (d *flatDecoder) next(c byte) bool {
	d.space()
	if d.i < len(d.s) && d.s[d.i] == c {
		d.i++
		return true
	}
	return false
}

// end reports whether nothing but whitespace is left.
func (d *flatDecoder) end() bool {
	d.space()
	return d.i == len(d.s)
}

// string reads a string that holds no escape and no control character
// and is valid UTF-8: what encoding/json reads as the same bytes.
func (d *flatDecoder) string() (string, bool) {
	if !d.next('"') {
		return "", false
	}
	start, ascii := d.i, true
	for ; d.i < len(d.s); d.i++ {
		switch c := d.s[d.i]; {
		case c == '"':
			s := d.s[start:d.i]
			d.i++
			return s, ascii || utf8.ValidString(s)
		case c < 0x20, c == '\\':
			return "", false
		case c >= utf8.RuneSelf:
			ascii = false
		}
	}
	return "", false
}

// value reads a plain value: a string, a number (as json.Number), true,
// false or null.
func (d *flatDecoder) value() (any, bool) {
	d.space()
	if d.i == len(d.s) {
		return nil, false
	}
	switch c := d.s[d.i]; {
	case c == '"':
		return d.string()
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	}
	for _, lit := range [...]struct {
		text  string
		value any
	}{{"true", true}, {"false", false}, {"null", nil}} {
		if len(d.s)-d.i >= len(lit.text) && d.s[d.i:d.i+len(lit.text)] == lit.text {
			d.i += len(lit.text)
			return lit.value, true
		}
	}
	return nil, false
}

// number reads a number by JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (d *flatDecoder) number() (any, bool) {
	start := d.i
	if d.s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.digits() == 0:
		return nil, false
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return nil, false
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return nil, false
		}
	}
	return json.Number(d.s[start:d.i]), true
}

// digits skips decimal digits and returns how many there were.
func (d *flatDecoder) digits() int {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}
