// Package apidoc serves userd's API description: the OpenAPI 3.1 document
// kept beside this file (openapi.json) at GET /openapi.json, and an HTML
// reference generated from it at GET /docs, so both come from the binary
// without reaching the internet. The document covers every endpoint of
// every API; apidoctest validates the golden exchanges against it, so it
// cannot drift from behaviour.
package apidoc

import (
	"bytes"
	_ "embed"
	"fmt"
	"net/http"

	"github.com/userd/userd/internal/server"
)

//go:embed openapi.json
var document []byte

// Document returns the OpenAPI 3.1 document as JSON.
func Document() []byte { return bytes.Clone(document) }

// Reference is the API description, ready to serve.
type Reference struct {
	page []byte
}

// New renders the HTML reference from the embedded document.
func New() (*Reference, error) {
	page, err := render(document)
	if err != nil {
		return nil, fmt.Errorf("apidoc: render the API reference from openapi.json: %w", err)
	}
	return &Reference{page: page}, nil
}

// Routes registers GET /openapi.json and GET /docs on mux. Both are
// public: they describe the API, never its data.
func (ref *Reference) Routes(mux server.Router) {
	mux.Handle("GET /openapi.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write(w, "application/json", document)
	}))
	mux.Handle("GET /docs", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		write(w, "text/html; charset=utf-8", ref.page)
	}))
}

func write(w http.ResponseWriter, contentType string, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(body)
}
