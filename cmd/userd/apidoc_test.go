package main

import (
	"context"
	"strings"
	"testing"

	"github.com/userd/userd/internal/apidoc/apidoctest"
)

// TestDocumentCoversEveryRoute fails when the server registers a route the
// OpenAPI document does not describe, or the document describes one the
// server does not serve.
func TestDocumentCoversEveryRoute(t *testing.T) {
	doc, err := apidoctest.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	registered := map[string]bool{}
	for _, p := range newAuthzEnv(t).handler.Routes() {
		registered[p] = true
		if isConsole(strings.TrimPrefix(strings.TrimPrefix(p, "GET "), "POST ")) {
			continue
		}
		if !documented[p] {
			t.Errorf("route %q is not in internal/apidoc/openapi.json; describe it there", p)
		}
	}
	for op := range documented {
		if !registered[op] {
			t.Errorf("internal/apidoc/openapi.json describes %q, which the server does not register; remove it", op)
		}
	}
}
