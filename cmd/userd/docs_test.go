package main

import (
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
)

// TestServedDocumentNamesThisNode reads /openapi.json from a node on a
// random port and checks that a client following its servers list (as
// Swagger UI, Prism or a generated client does) reaches that node, not
// the default address.
func TestServedDocumentNamesThisNode(t *testing.T) {
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"))
	docURL := s.base + "/openapi.json"
	var doc struct {
		Servers []struct {
			URL string `json:"url"`
		} `json:"servers"`
	}
	call(t, http.MethodGet, docURL, nil, "", http.StatusOK, &doc)
	if len(doc.Servers) == 0 {
		t.Fatal("openapi.json lists no server")
	}
	base, err := url.Parse(docURL)
	if err != nil {
		t.Fatal(err)
	}
	for _, srv := range doc.Servers {
		u, err := url.Parse(srv.URL)
		if err != nil {
			t.Errorf("server %q: %v", srv.URL, err)
			continue
		}
		healthz := base.ResolveReference(u).JoinPath("healthz")
		if healthz.Host != base.Host {
			t.Errorf("server %q resolves to %s, want this node, %s", srv.URL, healthz.Host, base.Host)
			continue
		}
		call(t, http.MethodGet, healthz.String(), nil, "", http.StatusOK, nil)
	}
}
