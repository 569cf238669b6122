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
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(escapeHTML)
	if err := enc.Encode(v); err != nil {
		t.Fatalf("encode %#v: %v", v, err)
	}
	return string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
}

func checkString(t *testing.T, s string) {
	t.Helper()
	for _, escapeHTML := range []bool{true, false} {
		want := encodingJSON(t, s, escapeHTML)
		if got := String([]byte("x"), s, escapeHTML); string(got) != "x"+want {
			t.Errorf("String(%q, escapeHTML %v) = %s, encoding/json writes %s", s, escapeHTML, got[1:], want)
		}
		var p *string
		if s != "" {
			p = &s
		}
		if got, want := StringOrNull(nil, s, escapeHTML), encodingJSON(t, p, escapeHTML); string(got) != want {
			t.Errorf("StringOrNull(%q, escapeHTML %v) = %s, encoding/json writes %s", s, escapeHTML, got, want)
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
	} {
		for _, escapeHTML := range []bool{true, false} {
			want := "{}"
			if len(m) > 0 {
				want = encodingJSON(t, m, escapeHTML)
			}
			got, err := Object([]byte("["), m, escapeHTML)
			if err != nil || string(got) != "["+want {
				t.Errorf("Object(%v, escapeHTML %v) = %s, %v; want %s", m, escapeHTML, got, err, want)
			}
		}
	}
}

func TestValueError(t *testing.T) {
	b := []byte("kept")
	got, err := Value(b, map[string]any{"f": func() {}}, false)
	if err == nil || string(got) != "kept" {
		t.Errorf("Value of a func = %q, %v; want %q and an error", got, err, "kept")
	}
}

func FuzzString(f *testing.F) {
	for _, s := range awkward {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkString(t, s)
	})
}
