package dialecttest

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/apidoc/apidoctest"
)

// Exchange is one request of a golden test. Header values may name a
// credential of the Env as {{name}}: the request carries the secret, the
// golden file the placeholder, so files stay the same from run to run.
type Exchange struct {
	// Name is the golden file's name in testdata/, without ".golden".
	Name   string
	Method string
	Target string
	// Header lists "Key: value" lines in the order the golden file shows them.
	Header []string
	Body   string
}

// shownHeaders are the response headers a golden file records.
var shownHeaders = []string{"Content-Type", "Content-Language", "WWW-Authenticate"}

// Golden sends x to h and compares the exchange, request in and response out,
// with testdata/<x.Name>.golden; with update set it rewrites the file. The
// exchange must also match the OpenAPI document (apidoctest.Check). mask,
// if not nil, rewrites the response body before the comparison; use it only
// for values the test cannot fix, such as creation times.
func (e *Env) Golden(t *testing.T, h http.Handler, x Exchange, update bool, mask func(string) string) {
	t.Helper()
	req := httptest.NewRequest(x.Method, x.Target, strings.NewReader(x.Body))
	var file bytes.Buffer
	file.WriteString(x.Method + " " + x.Target + "\n")
	for _, line := range x.Header {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("header line %q has no colon", line)
		}
		req.Header.Add(k, e.expand(t, strings.TrimSpace(v)))
		file.WriteString(line + "\n")
	}
	if x.Body != "" {
		file.WriteString("\n" + x.Body)
		if !strings.HasSuffix(x.Body, "\n") {
			file.WriteString("\n")
		}
	}

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	apidoctest.Check(t, req, []byte(x.Body), rec.Code, rec.Header(), rec.Body.Bytes())
	body := rec.Body.String()
	if mask != nil {
		body = mask(body)
	}
	file.WriteString("\n--- response\n" + strconv.Itoa(rec.Code) + " " + http.StatusText(rec.Code) + "\n")
	for _, k := range shownHeaders {
		if v := rec.Header().Get(k); v != "" {
			file.WriteString(k + ": " + v + "\n")
		}
	}
	file.WriteString("\n" + body)

	path := filepath.Join("testdata", x.Name+".golden")
	if update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatalf("create testdata: %v", err)
		}
		if err := os.WriteFile(path, file.Bytes(), 0o644); err != nil {
			t.Fatalf("write golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file: %v (run go test -update to create it)", err)
	}
	if got := file.String(); got != string(want) {
		t.Errorf("%s: exchange differs from the golden file (review, then go test -update)\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

// expand replaces {{name}} placeholders in v with the Env's credentials.
func (e *Env) expand(t *testing.T, v string) string {
	t.Helper()
	for {
		start := strings.Index(v, "{{")
		if start < 0 {
			return v
		}
		end := strings.Index(v[start:], "}}")
		if end < 0 {
			t.Fatalf("unterminated placeholder in %q", v)
		}
		name := v[start+2 : start+end]
		secret, ok := e.Credentials[name]
		if !ok {
			t.Fatalf("no credential named %q", name)
		}
		v = v[:start] + secret + v[start+end+2:]
	}
}

// PercentEncode writes every byte of s percent-encoded, as a client may
// write the digits of an id ("1" as "%31").
func PercentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02X", s[i])
	}
	return b.String()
}
