package jsonappend

import (
	"bytes"
	"encoding/json"
	"testing"
)

// Awkward are strings that need escaping, or look as if they might.
var awkward = []string{"", "plain", `quote " and \ backslash`, "<b>&amp;</b>", "R&D", "tab\tnewline\n\x00\x1f", "\x7f",
	"Zoë 李雷 🙂", "line\u2028sep\u2029", "bad \xff utf-8 \xc3", "\xed\xa0\x80 surrogate", "ends mid-rune \xe6\x9d"}

// encodingJSON is what a json.Encoder writes for v, without its newline.
func encodingJSON(t *testing.T, v any, escapeHTML bool) string {
	t.Helper()
	s, err := encode(v, escapeHTML)
	if err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	return s
}

func encode(v any, escapeHTML bool) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	err := enc.Encode(v)
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), err
}

// checkObject checks Object against encoding/json, errors included.
func checkObject(t *testing.T, m map[string]any) {
	t.Helper()
	for _, escapeHTML := range []bool{true, false} {
		want, wantErr := encode(m, escapeHTML)
		if len(m) == 0 {
			want, wantErr = "{}", nil
		}
		got, err := Object([]byte("["), m, escapeHTML)
		if (err != nil) != (wantErr != nil) || err == nil && string(got) != "["+want || err != nil && string(got) != "[" {
			t.Errorf("Object(%#v, escapeHTML %v) = %s, %v; encoding/json writes %s, %v", m, escapeHTML, got, err, want, wantErr)
		}
	}
}

func checkString(t *testing.T, s string) {
	t.Helper()
	for _, escapeHTML := range []bool{true, false} {
		want := encodingJSON(t, s, escapeHTML)
		if got := String([]byte("x"), s, escapeHTML); string(got) != "x"+want {
			t.Errorf("String(%q, escapeHTML %v) = %s, encoding/json writes %s", s, escapeHTML, got[1:], want)
		}
	}
}

func TestString(t *testing.T) {
	for _, s := range awkward {
		checkString(t, s)
	}
	if got, want := string(String(nil, "<&>", true)), `"\u003c\u0026\u003e"`; got != want {
		t.Errorf("String escaping HTML = %s, want %s", got, want)
	}
	if got, want := string(String(nil, "<&>", false)), `"<&>"`; got != want {
		t.Errorf("String not escaping HTML = %s, want %s", got, want)
	}
}

func TestObject(t *testing.T) {
	for _, m := range []map[string]any{
		nil, {}, {"b": "<x>", "a": json.Number("1.50"), "c": []any{true, nil, map[string]any{"z": "é\u2028"}}},
		{"role_id": json.Number("2"), "level_id": json.Number("-6"), "z": nil, "<k>": "v\n", "é": true, "": false},
		{"n": json.Number("007")}, {"n": json.Number("")}, {"n": json.Number("1e3")}, {"f": 1.5, "i": 3},
		{"1": "", "2": "", "3": "", "4": "", "5": "", "6": "", "7": "", "8": ""},
		{"1": "", "2": "", "3": "", "4": "", "5": "", "6": "", "7": "", "8": "", "9": ""},
	} {
		checkObject(t, m)
	}
}

func TestValueError(t *testing.T) {
	b := []byte("kept")
	got, err := Value(b, map[string]any{"f": func() {}}, false)
	if err == nil || string(got) != "kept" {
		t.Errorf("Value of a func = %q, %v; want %q and an error", got, err, "kept")
	}
}

func FuzzObject(f *testing.F) {
	for _, s := range awkward {
		f.Add(s, s, "12", false)
	}
	f.Fuzz(func(t *testing.T, k1, k2, number string, b bool) {
		checkObject(t, map[string]any{k1: k2, k2: json.Number(number), "b": b, "nil": nil})
	})
}

func FuzzString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkString(t, s)
	})
}

// BenchmarkString appends the strings of a typical user, which need no
// escaping: what String spends most of its time on.
func BenchmarkString(b *testing.B) {
	strs := []string{"user00012345", "User 12345", "u12345", "user00012345@bench.example", "5550012345", "+1",
		"ent-45", "E12345", "Springfield", "US", "", "2026-12-06T17:46:51.123456Z", "Zoë Müller"}
	buf := make([]byte, 0, 1024)
	b.ReportAllocs()
	for b.Loop() {
		buf = buf[:0]
		for _, s := range strs {
			buf = String(buf, s, false)
		}
	}
}
