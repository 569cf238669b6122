package apidoc_test

import (
	"bytes"
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/apidoc"
	"github.com/userd/userd/internal/apidoc/apidoctest"
)

func serve(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	ref, err := apidoc.New()
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	ref.Routes(mux)
	req := httptest.NewRequest(http.MethodGet, target, nil)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	apidoctest.Check(t, req, nil, rec.Code, rec.Header(), rec.Body.Bytes())
	return rec
}

func TestServesDocument(t *testing.T) {
	rec := serve(t, "/openapi.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("got Content-Type %q, want application/json", got)
	}
	if !bytes.Equal(rec.Body.Bytes(), apidoc.Document()) {
		t.Error("got a body other than the embedded document")
	}
}

// TestDocsListsEveryOperation checks that the reference page names every
// path and operation of the document, and every schema.
func TestDocsListsEveryOperation(t *testing.T) {
	rec := serve(t, "/docs")
	if rec.Code != http.StatusOK {
		t.Fatalf("got status %d, want 200", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); !strings.HasPrefix(got, "text/html") {
		t.Errorf("got Content-Type %q, want text/html", got)
	}
	page, err := io.ReadAll(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := apidoctest.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"<!doctype html>", `href="/openapi.json"`}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			want = append(want,
				"<code>"+html.EscapeString(path)+"</code>",
				`id="`+op.OperationID+`"`,
				`<span class="method `+method+`">`+method+`</span>`,
				html.EscapeString(op.Summary))
		}
	}
	for name := range doc.Components.Schemas {
		want = append(want, `id="schema-`+name+`"`)
	}
	for _, s := range want {
		if !bytes.Contains(page, []byte(s)) {
			t.Errorf("the page lacks %s", s)
		}
	}
	if bytes.Contains(page, []byte("http://")) || bytes.Contains(page, []byte("<script")) {
		t.Error("the page loads something from elsewhere; it must work offline")
	}
}
