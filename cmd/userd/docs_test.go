package main

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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

// TestBodyLimitDefaults checks the request body rows of docs/security.md's
// limits table against a node started with default settings: each API
// accepts a body of exactly its documented default and answers 413, in
// its own format, to one byte more.
func TestBodyLimitDefaults(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"))
	tokenForm, bearer := adminSession(t, s)
	formType := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	var user struct{ ID int64 }
	call(t, "POST", s.base+"/admin/v1/users", bearer, `{"username":"ada"}`, http.StatusCreated, &user)
	userPath := "/users/" + strconv.FormatInt(user.ID, 10)

	for _, row := range []struct {
		api          string
		row          string // the start of the row in docs/security.md
		limit        int
		method, path string
		header       map[string]string
		body, filler string // the body, padded with filler, which the API ignores
		tooLarge     string // in the 413 body
	}{
		{"admin", "| request body: admin API | 64 KiB", 64 << 10, "PATCH", "/admin/v1" + userPath, bearer, `{"name":"Ada"}`, " ", `"status":413`},
		{"openapiv1", "| request body: openapi v1 | 64 KiB", 64 << 10, "PUT", "/openapi/v1" + userPath, bearer, `{"phone":"5550100"}`, " ", `"code":"body_too_large"`},
		{"token", "| request body: token endpoint | 8 KiB", 8 << 10, "POST", "/oauth/token", formType, tokenForm + "&pad=", "a", `"error_code":"TOKEN.1002"`},
	} {
		t.Run(row.api, func(t *testing.T) {
			if !bytes.Contains(doc, []byte("\n"+row.row)) {
				t.Errorf("docs/security.md has no row starting %q; make the table and this test agree", row.row)
			}
			pad := func(n int) string { return row.body + strings.Repeat(row.filler, n-len(row.body)) }
			status, got := send(t, row.method, s.base+row.path, row.header, pad(row.limit))
			if status >= 400 {
				t.Errorf("body of %d bytes: got %d %.200s, want it accepted", row.limit, status, got)
			}
			status, got = send(t, row.method, s.base+row.path, row.header, pad(row.limit+1))
			if status != http.StatusRequestEntityTooLarge || !strings.Contains(got, row.tooLarge) {
				t.Errorf("body of %d bytes: got %d %.200s, want 413 with %s", row.limit+1, status, got, row.tooLarge)
			}
		})
	}
}

// printedCredentials returns the client_id and client_secret that s
// printed at its first start.
func printedCredentials(t *testing.T, s *serveProc) map[string]string {
	t.Helper()
	creds := map[string]string{}
	for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
		creds[m[1]] = m[2]
	}
	if creds["client_id"] == "" || creds["client_secret"] == "" {
		t.Fatalf("first start printed no admin credentials; stdout:\n%s", s.stdout)
	}
	return creds
}

// adminSession returns the token request of the admin client s printed,
// and the headers of a JSON request with an access token it grants.
func adminSession(t *testing.T, s *serveProc) (tokenForm string, bearer map[string]string) {
	t.Helper()
	creds := printedCredentials(t, s)
	tokenForm = "grant_type=client_credentials&client_id=" + creds["client_id"] + "&client_secret=" + creds["client_secret"]
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	call(t, "POST", s.base+"/oauth/token", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, tokenForm, http.StatusOK, &grant)
	return tokenForm, map[string]string{"Authorization": "Bearer " + grant.AccessToken, "Content-Type": "application/json"}
}
