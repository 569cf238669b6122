package console

import (
	"net/http/httptest"
	"slices"
	"testing"
)

// FuzzParseExtension checks the extension box's parser: it never panics,
// and it accepts exactly the input that is one JSON object (or nothing).
func FuzzParseExtension(f *testing.F) {
	for _, s := range []string{"", "{}", `{"a":1}`, `{"a":{"b":[1,2,null]}}`, "[1]", "null", `{"a":1} {}`, `{"a":1.5e300}`, "{", " \n "} {
		f.Add(s)
	}
	rq := &request{lang: "en"}
	f.Fuzz(func(t *testing.T, s string) {
		ext, err := parseExtension(s, rq)
		if err == nil && ext == nil {
			t.Fatalf("parseExtension(%q): no error and no object", s)
		}
		if err != nil && ext != nil {
			t.Fatalf("parseExtension(%q): both an error and an object", s)
		}
	})
}

// FuzzPickLanguage checks that any Accept-Language header or cookie picks
// one of the console's languages.
func FuzzPickLanguage(f *testing.F) {
	for _, s := range []string{"", "zh-CN,zh;q=0.9", "en;q=0", "*", "x-klingon", ";;;q=", "zh-Hant-TW"} {
		f.Add(s, "")
	}
	f.Add("en", "zh-CN")
	f.Fuzz(func(t *testing.T, accept, cookie string) {
		r := httptest.NewRequest("GET", "/console/", nil)
		r.Header.Set("Accept-Language", accept)
		r.Header.Set("Cookie", langCookie+"="+cookie)
		if got := pickLanguage(r); !slices.Contains(languages, got) {
			t.Fatalf("Accept-Language %q, cookie %q: picked %q", accept, cookie, got)
		}
	})
}
