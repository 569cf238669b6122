package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/userd/userd/internal/apidoc/apidoctest"
	"github.com/userd/userd/internal/directory"
)

var update = flag.Bool("update", false, "rewrite golden files")

// tokenCall is one request to the token endpoint.
type tokenCall struct {
	path        string // default /api/v2/tenant/token
	query       string
	contentType string // default application/x-www-form-urlencoded; "-" for none
	auth        string // Authorization header; "" for none
	body        string
	remote      string // RemoteAddr; default httptest's 192.0.2.1:1234
}

// post sends call to the token endpoint and checks the exchange against
// the OpenAPI document.
func (e *env) post(t testing.TB, call tokenCall) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	Routes(mux, e.authn)
	path := call.path
	if path == "" {
		path = "/api/v2/tenant/token"
	}
	if call.query != "" {
		path += "?" + call.query
	}
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(call.body))
	switch call.contentType {
	case "":
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	case "-":
	default:
		r.Header.Set("Content-Type", call.contentType)
	}
	if call.auth != "" {
		r.Header.Set("Authorization", call.auth)
	}
	if call.remote != "" {
		r.RemoteAddr = call.remote
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r)
	apidoctest.Check(t, r, []byte(call.body), w.Code, w.Header(), w.Body.Bytes())
	return w
}

// form encodes key/value pairs in the order given.
func form(kv ...string) string {
	var b strings.Builder
	for i := 0; i < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(kv[i]) + "=" + url.QueryEscape(kv[i+1]))
	}
	return b.String()
}

// basic returns an HTTP Basic header with id and secret form-urlencoded
// as RFC 6749 §2.3.1 asks.
func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(secret)))
}

// maskedBody returns the response body indented, its access_token value
// replaced by MASKED, its fields in the order they were sent.
func maskedBody(t testing.TB, body []byte) []byte {
	t.Helper()
	var resp tokenResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		t.Fatalf("body %q is not a JSON object: %v", body, err)
	}
	if resp.AccessToken != "" {
		body = bytes.Replace(body, []byte(resp.AccessToken), []byte("MASKED"), 1)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, body, "", "  "); err != nil {
		t.Fatalf("indent: %v", err)
	}
	return out.Bytes()
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("body differs from %s:\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}

func TestTokenEndpointGolden(t *testing.T) {
	e := newEnv(t)
	c, secret := e.client(t, directory.ScopeUsersRead, directory.ScopeUsersWrite)
	id, sec := c.ClientID, secret.Reveal()
	grant := "client_credentials"

	tests := []struct {
		name       string
		call       tokenCall
		wantStatus int
	}{
		{"success", tokenCall{body: form("grant_type", grant, "client_id", id, "client_secret", sec)}, 200},
		{"success_oauth_path", tokenCall{path: "/oauth/token", body: form("grant_type", grant, "client_id", id, "client_secret", sec)}, 200},
		{"success_basic", tokenCall{auth: basic(id, sec), body: form("grant_type", grant)}, 200},
		{"success_scope", tokenCall{body: form("grant_type", grant, "client_id", id, "client_secret", sec, "scope", "users:read")}, 200},
		{"success_charset", tokenCall{contentType: "application/x-www-form-urlencoded; charset=UTF-8", body: form("grant_type", grant, "client_id", id, "client_secret", sec, "scope", "")}, 200},

		{"error_content_type", tokenCall{contentType: "application/json", body: `{"grant_type":"client_credentials"}`}, 400},
		{"error_content_type", tokenCall{contentType: "-", body: form("grant_type", grant)}, 400},
		{"error_body_too_large", tokenCall{body: form("grant_type", grant, "pad", strings.Repeat("a", maxTokenBody))}, 413},
		{"error_malformed", tokenCall{body: "grant_type=%zz"}, 400},
		{"error_repeated", tokenCall{body: form("grant_type", grant, "grant_type", grant, "client_id", id, "client_secret", sec)}, 400},
		{"error_in_query", tokenCall{query: form("client_secret", sec), body: form("grant_type", grant, "client_id", id)}, 400},
		{"error_no_grant_type", tokenCall{body: form("client_id", id, "client_secret", sec)}, 400},
		{"error_two_methods", tokenCall{auth: basic(id, sec), body: form("grant_type", grant, "client_secret", sec)}, 400},
		{"error_grant_type", tokenCall{body: form("grant_type", "password", "client_id", id, "client_secret", sec)}, 400},
		{"error_no_client", tokenCall{body: form("grant_type", grant, "client_id", id)}, 400},
		{"error_bad_basic", tokenCall{auth: "Basic !!!", body: form("grant_type", grant)}, 401},
		{"error_bad_basic", tokenCall{auth: "Bearer " + sec, body: form("grant_type", grant)}, 401},
		{"error_client_auth", tokenCall{body: form("grant_type", grant, "client_id", id, "client_secret", sec+"x")}, 400},
		{"error_client_auth", tokenCall{auth: basic(id, sec+"x"), body: form("grant_type", grant)}, 401},
		{"error_unknown_scope", tokenCall{body: form("grant_type", grant, "client_id", id, "client_secret", sec, "scope", "users:read root")}, 400},
		{"error_scope_not_held", tokenCall{body: form("grant_type", grant, "client_id", id, "client_secret", sec, "scope", "users:read admin")}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := e.post(t, tt.call)
			if w.Code != tt.wantStatus {
				t.Errorf("got status %d, want %d (body %s)", w.Code, tt.wantStatus, w.Body)
			}
			if got := w.Header().Get("Cache-Control"); got != "no-store" {
				t.Errorf("got Cache-Control %q, want no-store", got)
			}
			wantAuthn := ""
			if tt.wantStatus == 401 {
				wantAuthn = `Basic realm="userd"`
			}
			if got := w.Header().Get("WWW-Authenticate"); got != wantAuthn {
				t.Errorf("got WWW-Authenticate %q, want %q", got, wantAuthn)
			}
			if bytes.Contains(w.Body.Bytes(), []byte(sec)) {
				t.Errorf("body %s holds the client secret", w.Body)
			}
			checkGolden(t, tt.name, maskedBody(t, w.Body.Bytes()))
			if tt.wantStatus == 200 {
				var resp tokenResponse
				if err := json.Unmarshal(w.Body.Bytes(), &resp); err != nil {
					t.Fatalf("decode: %v", err)
				}
				p, err := e.authn.Authenticate(context.Background(), resp.AccessToken)
				if err != nil {
					t.Fatalf("the issued token does not authenticate: %v", err)
				}
				if p.Scopes.String() != resp.Scope || p.TenantID != e.tenant.ID {
					t.Errorf("got principal %+v, want scopes %q in tenant %d", p, resp.Scope, e.tenant.ID)
				}
			}
		})
	}
}

// TestClientAuthFailuresIdentical checks that an unknown client_id, a wrong
// secret and a disabled client cannot be told apart by their answer.
func TestClientAuthFailuresIdentical(t *testing.T) {
	e := newEnv(t)
	c, secret := e.client(t, directory.ScopeUsersRead)
	d, dSecret := e.client(t, directory.ScopeUsersRead)
	e.disable(t, d.ClientID, true)

	creds := map[string][2]string{
		"unknown client": {directory.NewClientID(), secret.Reveal()},
		"wrong secret":   {c.ClientID, directory.NewSecret(directory.ClientSecretPrefix).Reveal()},
		"disabled":       {d.ClientID, dSecret.Reveal()},
	}
	for _, viaBasic := range []bool{false, true} {
		var first *httptest.ResponseRecorder
		for name, cr := range creds {
			call := tokenCall{body: form("grant_type", "client_credentials", "client_id", cr[0], "client_secret", cr[1])}
			if viaBasic {
				call = tokenCall{auth: basic(cr[0], cr[1]), body: form("grant_type", "client_credentials")}
			}
			w := e.post(t, call)
			if first == nil {
				first = w
				continue
			}
			if w.Code != first.Code || w.Body.String() != first.Body.String() || !equalHeaders(w.Header(), first.Header()) {
				t.Errorf("basic=%v %s: got %d %v %s, want the same as the others: %d %v %s",
					viaBasic, name, w.Code, w.Header(), w.Body, first.Code, first.Header(), first.Body)
			}
		}
	}
}

func equalHeaders(a, b http.Header) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if a.Get(k) != b.Get(k) {
			return false
		}
	}
	return true
}

// documentedErrors are every error the token endpoint answers with.
var documentedErrors = []*grantError{
	errContentType, errBodyTooLarge, errMalformed, errRepeated, errInQuery, errNoGrantType, errTwoMethods,
	errGrantType, errNoClient, errBadBasic, errClientAuth, errRateLimited, errScope, errServer, errUnavailable,
}

// TestErrorCodesDocumented checks that docs/api/token.md lists every code
// with its RFC 6749 name.
func TestErrorCodesDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "api", "token.md"))
	if err != nil {
		t.Fatalf("read docs: %v", err)
	}
	for _, ge := range documentedErrors {
		row := "| `" + ge.code + "` | `" + ge.oauth + "` |"
		if !strings.Contains(string(doc), row) {
			t.Errorf("docs/api/token.md lacks a table row starting %q", row)
		}
	}
}

// TestTokenEndpointStoreDown checks that a store failure is a 5xx with a
// documented body, not an authentication failure.
func TestTokenEndpointStoreDown(t *testing.T) {
	e := newEnv(t)
	c, secret := e.client(t, directory.ScopeUsersRead)
	e.store.Store.Close()
	w := e.post(t, tokenCall{body: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", secret.Reveal())})
	var body errorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("decode %s: %v", w.Body, err)
	}
	if !((w.Code == 503 && body.ErrorCode == errUnavailable.code) || (w.Code == 500 && body.ErrorCode == errServer.code)) {
		t.Errorf("got %d %s, want 503 %s or 500 %s", w.Code, w.Body, errUnavailable.code, errServer.code)
	}
}

// FuzzTokenRequest throws arbitrary bodies, content types and
// Authorization headers at the token endpoint. Every answer must be either
// a grant whose token authenticates or one of the documented error bodies.
func FuzzTokenRequest(f *testing.F) {
	e := newEnv(f)
	c, secret := e.client(f, directory.ScopeUsersRead, directory.ScopeUsersWrite)
	id, sec := c.ClientID, secret.Reveal()
	ct := "application/x-www-form-urlencoded"
	f.Add(ct, "", form("grant_type", "client_credentials", "client_id", id, "client_secret", sec))
	f.Add(ct, "", form("grant_type", "client_credentials", "client_id", id, "client_secret", sec, "scope", "users:write"))
	f.Add(ct, basic(id, sec), form("grant_type", "client_credentials"))
	f.Add(ct, basic(id, sec), form("grant_type", "client_credentials", "client_id", id))
	f.Add(ct, "Basic "+base64.StdEncoding.EncodeToString([]byte(id+"%3A:"+sec)), "grant_type=client_credentials")
	f.Add(ct, "basic  "+base64.StdEncoding.EncodeToString([]byte(":")), "grant_type=client_credentials")
	f.Add(ct, "Bearer x", "grant_type=client_credentials")
	f.Add(ct, "", "grant_type=client_credentials&grant_type=password")
	f.Add(ct, "", "grant_type=%zz;x=1")
	f.Add(ct, "", "grant_type=client_credentials&client_id=udc_x&client_secret=uds_y&scope=admin+bogus")
	f.Add("application/json", "", `{"grant_type":"client_credentials"}`)
	f.Add("text/plain; charset=", "", "")
	f.Add(ct+"; charset=latin1", "", "grant_type=refresh_token")

	codes := map[string]*grantError{}
	for _, ge := range documentedErrors {
		codes[ge.code] = ge
	}
	f.Fuzz(func(t *testing.T, contentType, authorization, body string) {
		if contentType == "" {
			contentType = "-"
		}
		w := e.post(t, tokenCall{contentType: contentType, auth: authorization, body: body})
		dec := json.NewDecoder(w.Body)
		dec.DisallowUnknownFields()
		if w.Code == http.StatusOK {
			var resp tokenResponse
			if err := dec.Decode(&resp); err != nil {
				t.Fatalf("200 with body that is not a token response: %v", err)
			}
			if resp.TokenType != "Bearer" || resp.ExpiresIn != 1800 {
				t.Errorf("got %+v, want a Bearer token for 1800 s", resp)
			}
			if _, err := e.authn.Authenticate(context.Background(), resp.AccessToken); err != nil {
				t.Errorf("issued token does not authenticate: %v", err)
			}
			return
		}
		var eb errorBody
		if err := dec.Decode(&eb); err != nil {
			t.Fatalf("status %d with body that is not an error body: %v", w.Code, err)
		}
		ge, ok := codes[eb.ErrorCode]
		if !ok || ge.oauth != eb.Error {
			t.Fatalf("got undocumented error %+v", eb)
		}
		if w.Code != 400 && w.Code != 401 && !(w.Code == 429 && ge == errRateLimited) && !(w.Code == 413 && ge == errBodyTooLarge) {
			t.Errorf("got status %d for %+v, want 400 or 401 (or 429 once failures pile up)", w.Code, eb)
		}
		if (w.Code == 401) != (w.Header().Get("WWW-Authenticate") != "") {
			t.Errorf("status %d with WWW-Authenticate %q", w.Code, w.Header().Get("WWW-Authenticate"))
		}
	})
}

// TestErrorsCarryRFC6749Description checks that every error answer carries
// error_description (RFC 6749 §5.2), the field standard OAuth 2.0 clients
// such as golang.org/x/oauth2 show, with the same text as error_msg.
func TestErrorsCarryRFC6749Description(t *testing.T) {
	e := newEnv(t)
	c, _ := e.client(t, directory.ScopeUsersRead)
	for name, call := range map[string]tokenCall{
		"wrong secret": {body: form("grant_type", "client_credentials", "client_id", c.ClientID, "client_secret", "uds_wrong")},
		"bad grant":    {body: form("grant_type", "password")},
	} {
		w := e.post(t, call)
		var body struct {
			Error            string `json:"error"`
			ErrorDescription string `json:"error_description"`
			ErrorMsg         string `json:"error_msg"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
			t.Fatalf("%s: decode %s: %v", name, w.Body, err)
		}
		if body.Error == "" || body.ErrorDescription == "" || body.ErrorDescription != body.ErrorMsg {
			t.Errorf("%s: got error %q, error_description %q, error_msg %q; want error_description set and equal to error_msg",
				name, body.Error, body.ErrorDescription, body.ErrorMsg)
		}
	}
}
