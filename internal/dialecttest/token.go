package dialecttest

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
)

// accessToken creates an API client of tenant acme with scopes and returns
// an access token obtained from the real token endpoint.
func accessToken(t testing.TB, e *Env, scopes directory.Scopes) string {
	t.Helper()
	c, secret, err := e.Service.CreateClient(context.Background(), e.Principal(), "dialect tests", scopes)
	if err != nil {
		t.Fatalf("create client: %v", err)
	}
	mux := http.NewServeMux()
	auth.Routes(mux, e.Authn)
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.ClientID}, "client_secret": {secret.Reveal()}}
	req := httptest.NewRequest("POST", "/api/v2/tenant/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &tok); rec.Code != http.StatusOK || err != nil || tok.AccessToken == "" {
		t.Fatalf("token endpoint: got %d %s, want 200 with an access_token", rec.Code, rec.Body)
	}
	return tok.AccessToken
}
