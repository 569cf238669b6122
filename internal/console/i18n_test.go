package console

import (
	"encoding/json"
	"io/fs"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// usedKey finds the message keys the templates and handlers name.
var usedKey = regexp.MustCompile(`(?:\.T|rq\.t)\(?\s*"([a-z_]+\.[a-z_.]+)"`)

// TestTranslationsComplete fails when a template or handler names a key
// that a language lacks, or when the languages do not hold the same keys.
func TestTranslationsComplete(t *testing.T) {
	used := map[string]bool{}
	read := func(name string, data []byte) {
		for _, m := range usedKey.FindAllSubmatch(data, -1) {
			used[string(m[1])] = true
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := templateFS.ReadFile(path)
		read(path, data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, _ := fs.Glob(os.DirFS("."), "*.go")
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		read(f, data)
	}
	// The user page builds these keys from the field names.
	for _, f := range userFields {
		used["field."+f.Name] = true
	}
	if len(used) < 100 {
		t.Fatalf("found only %d keys in use; is the pattern still right?", len(used))
	}
	cat, err := loadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range languages {
		for k := range used {
			if _, ok := cat.msgs[lang][k]; !ok {
				t.Errorf("locales/%s.json lacks key %q", lang, k)
			}
		}
		for k := range cat.msgs[lang] {
			if _, ok := cat.msgs[languages[0]][k]; !ok {
				t.Errorf("locales/%s.json has key %q, which locales/%s.json lacks", lang, k, languages[0])
			}
			if !used[k] {
				t.Errorf("locales/%s.json has key %q, which nothing uses", lang, k)
			}
		}
		for k, msg := range cat.msgs[languages[0]] {
			if verbs(msg) != verbs(cat.msgs[lang][k]) {
				t.Errorf("key %q: %s takes %q, %s takes %q", k, languages[0], verbs(msg), lang, verbs(cat.msgs[lang][k]))
			}
		}
	}
}

var verb = regexp.MustCompile(`%[sdv]`)

func verbs(s string) string { return strings.Join(verb.FindAllString(s, -1), "") }

// TestLanguageChoice checks that the language comes from the switcher's
// cookie, else from Accept-Language, else is English.
func TestLanguageChoice(t *testing.T) {
	for _, tc := range []struct{ accept, cookie, want string }{
		{"", "", "en"},
		{"zh-CN,zh;q=0.9,en;q=0.8", "", "zh-CN"},
		{"zh", "", "zh-CN"},
		{"fr-FR, de;q=0.5", "", "en"},
		{"en-GB,en;q=0.9", "", "en"},
		{"zh-CN", "en", "en"},
		{"en", "zh-CN", "zh-CN"},
		{"en", "klingon", "en"},
		{strings.Repeat("x", 5000), "", "en"},
	} {
		r := httptest.NewRequest("GET", "/console/signin", nil)
		r.Header.Set("Accept-Language", tc.accept)
		if tc.cookie != "" {
			r.Header.Set("Cookie", langCookie+"="+tc.cookie)
		}
		if got := pickLanguage(r); got != tc.want {
			t.Errorf("Accept-Language %.20q, cookie %q: got %s, want %s", tc.accept, tc.cookie, got, tc.want)
		}
	}
}

// TestLocaleFilesAreFlat keeps the translation files simple for
// translators: one flat object of strings, keys sorted.
func TestLocaleFilesAreFlat(t *testing.T) {
	for _, lang := range languages {
		data, err := localeFS.ReadFile("locales/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(strings.NewReader(string(data)))
		var keys []string
		if _, err := dec.Token(); err != nil {
			t.Fatal(err)
		}
		for dec.More() {
			k, _ := dec.Token()
			keys = append(keys, k.(string))
			var v string
			if err := dec.Decode(&v); err != nil {
				t.Fatalf("locales/%s.json: key %v: %v", lang, k, err)
			}
		}
		if !slices.IsSorted(keys) {
			t.Errorf("locales/%s.json: keys are not sorted", lang)
		}
	}
}
