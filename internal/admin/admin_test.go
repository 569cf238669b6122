package admin_test

import (
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

var update = flag.Bool("update", false, "rewrite golden files")

// newEnv returns the shared dialect test directory, its admin API, and an
// extra credential "all" holding every scope in tenant acme.
func newEnv(t testing.TB) (*dialecttest.Env, http.Handler) {
	t.Helper()
	e := dialecttest.New(t)
	_, secret, err := e.Service.CreateAPIToken(context.Background(), directory.System(e.Tenant.ID), "all", directory.AllScopes, 0)
	if err != nil {
		t.Fatalf("create token all: %v", err)
	}
	e.Credentials["all"] = secret.Reveal()
	mux := http.NewServeMux()
	admin.Routes(mux, e.Deps())
	return e, mux
}

var (
	timePattern   = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"`)
	secretPattern = regexp.MustCompile(`(ud[cst]_)[A-Za-z0-9_-]+`)
	cursorPattern = regexp.MustCompile(`"next_cursor":"[^"]+"`)
)

// mask hides what differs from run to run: times (the Service reads the
// clock), generated secrets and client ids, and cursors (signed with a key
// generated per database).
func mask(body string) string {
	body = timePattern.ReplaceAllString(body, `"<time>"`)
	body = secretPattern.ReplaceAllString(body, "${1}<random>")
	return cursorPattern.ReplaceAllString(body, `"next_cursor":"<cursor>"`)
}

func TestGolden(t *testing.T) {
	e, h := newEnv(t)
	ada, carol := id(e.Ada.ID), id(e.Carol.ID)
	// mary is the id users-create-profile gets: the next after grace's,
	// which users-create gets, on both engines (no failed insert before
	// them spends an id of PostgreSQL's sequence).
	mary := id(e.Carol.ID + 2)
	auth := func(cred string) string { return "Authorization: Bearer {{" + cred + "}}" }
	const asJSON, asMergePatch = "Content-Type: application/json", "Content-Type: application/merge-patch+json"
	// Exchanges run in order on one directory; later ones see earlier changes.
	exchanges := []dialecttest.Exchange{
		{Name: "users-get", Method: "GET", Target: "/admin/v1/users/" + ada, Header: []string{auth("ro")}},
		{Name: "users-get-other-tenant", Method: "GET", Target: "/admin/v1/users/" + carol, Header: []string{auth("ro")}},
		{Name: "users-get-non-numeric-id", Method: "GET", Target: "/admin/v1/users/abc", Header: []string{auth("ro")}},
		{Name: "users-get-leading-zero", Method: "GET", Target: "/admin/v1/users/0" + ada, Header: []string{auth("ro")}},
		{Name: "users-get-percent-encoded-id", Method: "GET", Target: "/admin/v1/users/" + dialecttest.PercentEncode(ada), Header: []string{auth("ro")}},
		{Name: "users-get-no-credential", Method: "GET", Target: "/admin/v1/users/" + ada},
		{Name: "users-get-revoked-token", Method: "GET", Target: "/admin/v1/users/" + ada, Header: []string{auth("revoked")}},
		{Name: "users-get-missing-scope", Method: "GET", Target: "/admin/v1/users/" + ada, Header: []string{auth("admin")}},
		{Name: "users-create", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"grace","name":"Grace Hopper","email":"grace@example.com","password":"cobol forever","manager_id":` + ada +
				`,"extension":{"rank":"rear admiral","ships":[1,2]},"orgs":[{"org_id":` + id(e.Eng.ID) + `,"relation_type":1}]}`},
		{Name: "users-create-profile", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"mary","name":"Mary Somerville","email":"mary@example.com","phone":"5550111","external_id":"00u1Mary",` +
				`"given_name":"Mary","middle_name":"Fairfax","family_name":"Somerville","honorific_prefix":"Mrs.","honorific_suffix":"Hon.",` +
				`"display_name":"Mary S.","title":"Science writer","user_type":"Employee","preferred_language":"en-GB","locale":"en-GB",` +
				`"timezone":"Europe/London","profile_url":"https://example.com/mary","email_type":"work","phone_type":"mobile",` +
				`"other_emails":[{"value":"mary@home.example","type":"home"},{"value":"mary@other.example"}],` +
				`"other_phones":[{"value":"5550112","type":"work"}],"postal_code":"OX1 1AA","address_type":"home",` +
				`"organization":"Royal Society","division":"Astronomy","department":"Physical Sciences","cost_center":"CC-1831",` +
				`"gender":"female","birthday":"1780-12-26","identity_type":"passport","identity_number":"P1780","area":"Jedburgh",` +
				`"hire_date":"1831-01-01","work_place":"Chelsea"}`},
		{Name: "users-list-external-id", Method: "GET", Target: "/admin/v1/users?external_id=00u1Mary", Header: []string{auth("ro")}},
		{Name: "users-patch-profile", Method: "PATCH", Target: "/admin/v1/users/" + mary, Header: []string{auth("rw"), asMergePatch},
			Body: `{"external_id":null,"middle_name":null,"birthday":"","hire_date":null,"other_emails":[{"value":"mary@new.example","type":"other"}],"other_phones":null}`},
		{Name: "users-create-bad-date", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","birthday":"1990-02-30"}`},
		{Name: "users-create-too-many-emails", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","email":"x@example.com","other_emails":[` + strings.Repeat(`{"value":"x@example.org"},`, 9) + `{"value":"x@example.org"}]}`},
		{Name: "users-create-contact-primary", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","email":"x@example.com","other_emails":[{"value":"y@example.com","primary":true}]}`},
		{Name: "users-create-duplicate-username", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"ADA"}`},
		{Name: "users-create-duplicate-email", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"ada2","email":"Ada@Example.com"}`},
		{Name: "users-create-read-only-field", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","origin":"import"}`},
		{Name: "users-create-unknown-field", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","nickname":"x"}`},
		{Name: "users-create-case-mismatch", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","EMAIL":"x@example.com"}`},
		{Name: "users-create-duplicate-key", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","username":"y"}`},
		{Name: "users-create-huge-number", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","extension":{"k0":1e131071}}`},
		{Name: "users-create-wrong-type", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"x","grade":"3"}`},
		{Name: "users-create-invalid", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), asJSON},
			Body: `{"username":"no spaces"}`},
		{Name: "users-create-not-json", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("rw"), "Content-Type: text/plain"},
			Body: `username=x`},
		{Name: "users-create-missing-scope", Method: "POST", Target: "/admin/v1/users", Header: []string{auth("ro"), asJSON},
			Body: `{"username":"x"}`},
		{Name: "users-patch", Method: "PATCH", Target: "/admin/v1/users/" + ada, Header: []string{auth("rw"), asMergePatch, `If-Match: "1"`},
			Body: `{"nick_name":null,"phone":null,"locked":true,"extension":{"role_id":null,"team":{"name":"analytical engine"}},"orgs":null}`},
		{Name: "users-patch-stale-if-match", Method: "PATCH", Target: "/admin/v1/users/" + ada, Header: []string{auth("rw"), asMergePatch, `If-Match: "1"`},
			Body: `{"name":"x"}`},
		{Name: "users-patch-bad-if-match", Method: "PATCH", Target: "/admin/v1/users/" + ada, Header: []string{auth("rw"), asMergePatch, `If-Match: W/"2"`},
			Body: `{"name":"x"}`},
		{Name: "users-patch-null-username", Method: "PATCH", Target: "/admin/v1/users/" + ada, Header: []string{auth("rw"), asMergePatch},
			Body: `{"username":null}`},
		{Name: "users-patch-read-only-field", Method: "PATCH", Target: "/admin/v1/users/" + ada, Header: []string{auth("rw"), asMergePatch},
			Body: `{"version":3}`},
		{Name: "users-list", Method: "GET", Target: "/admin/v1/users?limit=2", Header: []string{auth("ro")}},
		{Name: "users-list-filtered", Method: "GET", Target: "/admin/v1/users?q=gr", Header: []string{auth("ro")}},
		{Name: "users-list-limit-too-large", Method: "GET", Target: "/admin/v1/users?limit=1001", Header: []string{auth("ro")}},
		{Name: "users-list-bad-cursor", Method: "GET", Target: "/admin/v1/users?cursor=AQAAAAAAAAAB", Header: []string{auth("ro")}},
		{Name: "users-list-unknown-parameter", Method: "GET", Target: "/admin/v1/users?usernme=a", Header: []string{auth("ro")}},
		{Name: "users-delete", Method: "DELETE", Target: "/admin/v1/users/" + id(e.Bob.ID), Header: []string{auth("rw"), `If-Match: "1"`}},

		{Name: "orgs-create", Method: "POST", Target: "/admin/v1/orgs", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"Compilers","code":"compilers","parent_id":` + id(e.Eng.ID) + `}`},
		{Name: "orgs-create-duplicate-code", Method: "POST", Target: "/admin/v1/orgs", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"Eng again","code":"eng"}`},
		{Name: "orgs-create-duplicate-sibling-name", Method: "POST", Target: "/admin/v1/orgs", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"research"}`},
		{Name: "orgs-patch-sibling-name-taken", Method: "PATCH", Target: "/admin/v1/orgs/" + id(e.Research.ID), Header: []string{auth("admin"), asMergePatch},
			Body: `{"name":"ENGINEERING"}`},
		{Name: "orgs-get", Method: "GET", Target: "/admin/v1/orgs/" + id(e.Eng.ID), Header: []string{auth("ro")}},
		{Name: "orgs-patch", Method: "PATCH", Target: "/admin/v1/orgs/" + id(e.Research.ID), Header: []string{auth("admin"), asMergePatch},
			Body: `{"name":"R&D","code":null}`},
		{Name: "orgs-list", Method: "GET", Target: "/admin/v1/orgs?parent_id=" + id(e.Eng.ID), Header: []string{auth("admin")}},
		{Name: "orgs-delete", Method: "DELETE", Target: "/admin/v1/orgs/3", Header: []string{auth("admin"), `If-Match: "1"`}},
		{Name: "orgs-delete-with-members", Method: "DELETE", Target: "/admin/v1/orgs/" + id(e.Eng.ID), Header: []string{auth("admin")}},

		{Name: "clients-create", Method: "POST", Target: "/admin/v1/clients", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"ops","scope":"admin"}`},
		{Name: "clients-create-scope-not-held", Method: "POST", Target: "/admin/v1/clients", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"hr-sync","scope":"users:write users:read"}`},
		{Name: "clients-create-bad-scope", Method: "POST", Target: "/admin/v1/clients", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"hr-sync","scope":"users:delete"}`},
		{Name: "clients-list", Method: "GET", Target: "/admin/v1/clients", Header: []string{auth("admin")}},
		{Name: "clients-list-page", Method: "GET", Target: "/admin/v1/clients?limit=1", Header: []string{auth("admin")}},
		{Name: "clients-list-unknown-parameter", Method: "GET", Target: "/admin/v1/clients?disabled=true", Header: []string{auth("admin")}},
		{Name: "clients-patch-missing", Method: "PATCH", Target: "/admin/v1/clients/udc_nosuchclient", Header: []string{auth("admin"), asJSON},
			Body: `{"disabled":true}`},

		{Name: "tokens-create", Method: "POST", Target: "/admin/v1/tokens", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"reporting","scope":"admin","expires_in":86400}`},
		{Name: "tokens-create-scope-not-held", Method: "POST", Target: "/admin/v1/tokens", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"reporting","scope":"users:read"}`},
		{Name: "tokens-create-bad-expiry", Method: "POST", Target: "/admin/v1/tokens", Header: []string{auth("admin"), asJSON},
			Body: `{"name":"reporting","scope":"admin","expires_in":-1}`},
		{Name: "tokens-list", Method: "GET", Target: "/admin/v1/tokens", Header: []string{auth("admin")}},
		{Name: "tokens-list-page", Method: "GET", Target: "/admin/v1/tokens?limit=2", Header: []string{auth("admin")}},
		{Name: "tokens-list-unknown-parameter", Method: "GET", Target: "/admin/v1/tokens?name=rw", Header: []string{auth("admin")}},
		{Name: "tokens-revoke-scope-not-held", Method: "DELETE", Target: "/admin/v1/tokens/1", Header: []string{auth("admin")}},
		{Name: "tokens-revoke", Method: "DELETE", Target: "/admin/v1/tokens/1", Header: []string{auth("all")}},
		{Name: "tokens-revoke-missing", Method: "DELETE", Target: "/admin/v1/tokens/999", Header: []string{auth("admin")}},

		{Name: "audit-events", Method: "GET", Target: "/admin/v1/audit-events?limit=3", Header: []string{auth("admin")}},
		{Name: "audit-events-missing-scope", Method: "GET", Target: "/admin/v1/audit-events", Header: []string{auth("ro")}},

		{Name: "changes", Method: "GET", Target: "/admin/v1/changes?limit=4", Header: []string{auth("ro")}},
		{Name: "changes-page", Method: "GET", Target: "/admin/v1/changes?after=4&limit=3&wait=1s", Header: []string{auth("ro")}},
		{Name: "changes-now", Method: "GET", Target: "/admin/v1/changes?after=now", Header: []string{auth("ro")}},
		{Name: "changes-missing-scope", Method: "GET", Target: "/admin/v1/changes", Header: []string{auth("admin")}},
		{Name: "changes-bad-after", Method: "GET", Target: "/admin/v1/changes?after=-1", Header: []string{auth("ro")}},
		{Name: "changes-bad-wait", Method: "GET", Target: "/admin/v1/changes?wait=31s", Header: []string{auth("ro")}},
		{Name: "changes-unknown-parameter", Method: "GET", Target: "/admin/v1/changes?cursor=x", Header: []string{auth("ro")}},
	}
	for _, x := range exchanges {
		t.Run(x.Name, func(t *testing.T) {
			e.Golden(t, h, x, *update, mask)
		})
	}
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// send makes one request to h with credential cred of e (none if "") and
// "Key: value" header lines.
func send(t *testing.T, e *dialecttest.Env, h http.Handler, method, target, cred, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	if cred != "" {
		req.Header.Set("Authorization", "Bearer "+e.Credentials[cred])
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, line := range header {
		k, v, _ := strings.Cut(line, ":")
		req.Header.Set(k, strings.TrimSpace(v))
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// want checks rec's status and returns its body decoded.
func want(t *testing.T, rec *httptest.ResponseRecorder, status int) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("got status %d, want %d; body %s", rec.Code, status, rec.Body)
	}
	var m map[string]any
	if rec.Body.Len() > 0 {
		if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
			t.Fatalf("decode body %s: %v", rec.Body, err)
		}
	}
	return m
}

func TestUserRoundTrip(t *testing.T) {
	e, h := newEnv(t)
	rec := send(t, e, h, "POST", "/admin/v1/users", "rw", `{"username":"grace","password":"cobol forever"}`)
	created := want(t, rec, http.StatusCreated)
	uid := id(int64(created["id"].(float64)))
	if got, wantLoc := rec.Header().Get("Location"), "/admin/v1/users/"+uid; got != wantLoc {
		t.Errorf("Location: got %q, want %q", got, wantLoc)
	}
	if got := rec.Header().Get("ETag"); got != `"1"` {
		t.Errorf("ETag after create: got %q, want %q", got, `"1"`)
	}
	if _, ok := created["password"]; ok {
		t.Error("the created user shows its password")
	}
	if created["password_changed_at"] == nil || created["origin"] != "admin" || created["client_ip"] != "192.0.2.1" {
		t.Errorf("server-set fields: got password_changed_at %v, origin %v, client_ip %v; want a time, admin, 192.0.2.1",
			created["password_changed_at"], created["origin"], created["client_ip"])
	}

	rec = send(t, e, h, "GET", "/admin/v1/users/"+uid, "ro", "")
	if got := want(t, rec, http.StatusOK); !equalJSON(got, created) {
		t.Errorf("GET after POST: got %v, want %v", got, created)
	}

	steps := []struct {
		name, method, ifMatch, body string
		status                      int
		etag                        string
	}{
		{"patch with the current ETag", "PATCH", `"1"`, `{"name":"Grace Hopper"}`, http.StatusOK, `"2"`},
		{"patch that changes nothing keeps the version", "PATCH", `"2"`, `{"name":"Grace Hopper"}`, http.StatusOK, `"2"`},
		{"patch with a stale ETag", "PATCH", `"1"`, `{"name":"x"}`, http.StatusPreconditionFailed, ""},
		{"patch with *", "PATCH", `*`, `{"city":"Arlington"}`, http.StatusOK, `"3"`},
		{"patch without If-Match", "PATCH", "", `{"city":"New York"}`, http.StatusOK, `"4"`},
		{"delete with a stale ETag", "DELETE", `"3"`, "", http.StatusPreconditionFailed, ""},
		{"delete with the current ETag", "DELETE", `"4"`, "", http.StatusNoContent, ""},
		{"patch after delete", "PATCH", "", `{"city":"x"}`, http.StatusNotFound, ""},
		{"delete after delete", "DELETE", "", "", http.StatusNotFound, ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			var header []string
			if s.ifMatch != "" {
				header = append(header, "If-Match: "+s.ifMatch)
			}
			rec := send(t, e, h, s.method, "/admin/v1/users/"+uid, "rw", s.body, header...)
			body := want(t, rec, s.status)
			if got := rec.Header().Get("ETag"); got != s.etag {
				t.Errorf("ETag: got %q, want %q", got, s.etag)
			}
			if s.etag != "" && id(int64(body["version"].(float64))) != strings.Trim(s.etag, `"`) {
				t.Errorf("version: got %v, want it to match ETag %s", body["version"], s.etag)
			}
		})
	}
	want(t, send(t, e, h, "GET", "/admin/v1/users/"+uid, "ro", ""), http.StatusNotFound)
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func TestMergePatchSemantics(t *testing.T) {
	e, h := newEnv(t)
	created := want(t, send(t, e, h, "POST", "/admin/v1/users", "rw", `{"username":"grace","name":"Grace","email":"grace@example.com",
		"active":false,"locked":true,"grade":4,"manager_id":`+id(e.Ada.ID)+`,"comment":"c",
		"extension":{"a":1,"b":{"c":2,"d":3},"list":[1,2]},"orgs":[{"org_id":`+id(e.Eng.ID)+`,"relation_type":1}]}`), http.StatusCreated)
	uid := id(int64(created["id"].(float64)))

	got := want(t, send(t, e, h, "PATCH", "/admin/v1/users/"+uid, "rw",
		`{"email":null,"manager_id":null,"name":null,"active":null,"locked":null,"grade":null,"comment":"kept",
		"extension":{"a":null,"b":{"c":null,"e":4},"list":[3]}}`), http.StatusOK)
	checks := map[string]string{
		"email":      `null`,
		"manager_id": `null`,
		"name":       `""`,
		"active":     `true`,
		"locked":     `false`,
		"grade":      `0`,
		"comment":    `"kept"`,
		"extension":  `{"b":{"d":3,"e":4},"list":[3]}`,
		"orgs":       `[{"org_id":` + id(e.Eng.ID) + `,"relation_type":1}]`,
		"username":   `"grace"`,
	}
	for field, wantJSON := range checks {
		if b, _ := json.Marshal(got[field]); string(b) != wantJSON {
			t.Errorf("%s after patch: got %s, want %s", field, b, wantJSON)
		}
	}

	got = want(t, send(t, e, h, "PATCH", "/admin/v1/users/"+uid, "rw", `{"extension":null,"orgs":null}`), http.StatusOK)
	for field, wantJSON := range map[string]string{"extension": `{}`, "orgs": `[]`} {
		if b, _ := json.Marshal(got[field]); string(b) != wantJSON {
			t.Errorf("%s after null: got %s, want %s", field, b, wantJSON)
		}
	}

	rec := send(t, e, h, "PATCH", "/admin/v1/users/"+uid, "rw", `{"name":"x"}`, "Content-Type: text/plain")
	want(t, rec, http.StatusUnsupportedMediaType)
	want(t, send(t, e, h, "PATCH", "/admin/v1/users/"+uid, "rw", `{"name":"x"}`, "Content-Type: application/merge-patch+json; charset=utf-8"), http.StatusOK)
}

// TestOtherTenantIsMissing checks that every way of reaching another
// tenant's user answers exactly like a user that does not exist.
func TestOtherTenantIsMissing(t *testing.T) {
	e, h := newEnv(t)
	carol, missing := id(e.Carol.ID), "999999"
	for _, r := range []struct{ method, body string }{{"GET", ""}, {"PATCH", `{"name":"x"}`}, {"DELETE", ""}} {
		t.Run(r.method, func(t *testing.T) {
			other := send(t, e, h, r.method, "/admin/v1/users/"+carol, "all", r.body)
			absent := send(t, e, h, r.method, "/admin/v1/users/"+missing, "all", r.body)
			if other.Code != http.StatusNotFound || other.Code != absent.Code || other.Body.String() != absent.Body.String() {
				t.Errorf("another tenant's user: got %d %s, want what a missing one gets: %d %s", other.Code, other.Body, absent.Code, absent.Body)
			}
		})
	}
	if got := want(t, send(t, e, h, "GET", "/admin/v1/users/"+carol, "other", ""), http.StatusOK); got["username"] != "carol" {
		t.Errorf("carol in her own tenant: got username %v, want carol", got["username"])
	}
}

func TestAuthentication(t *testing.T) {
	e, h := newEnv(t)
	tests := []struct {
		name, header string
		status       int
		challenge    string
	}{
		{"no header", "", http.StatusUnauthorized, `Bearer realm="userd"`},
		{"basic", "Basic YTpi", http.StatusUnauthorized, `Bearer realm="userd"`},
		{"empty bearer", "Bearer ", http.StatusUnauthorized, `Bearer realm="userd"`},
		{"unknown token", "Bearer udt_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", http.StatusUnauthorized, `Bearer realm="userd", error="invalid_token"`},
		{"garbage", "Bearer x.y.z", http.StatusUnauthorized, `Bearer realm="userd", error="invalid_token"`},
		{"revoked", "Bearer " + e.Credentials["revoked"], http.StatusUnauthorized, `Bearer realm="userd", error="invalid_token"`},
		{"expired", "Bearer " + e.Credentials["expired"], http.StatusUnauthorized, `Bearer realm="userd", error="invalid_token"`},
		{"lower-case scheme", "bearer " + e.Credentials["ro"], http.StatusOK, ""},
		{"access token", "Bearer " + e.Credentials["access"], http.StatusOK, ""},
		{"scope admin only", "Bearer " + e.Credentials["admin"], http.StatusForbidden, `Bearer realm="userd", error="insufficient_scope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/admin/v1/users/"+id(e.Ada.ID), nil)
			if tt.header != "" {
				req.Header.Set("Authorization", tt.header)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			want(t, rec, tt.status)
			if got := rec.Header().Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate: got %q, want %q", got, tt.challenge)
			}
		})
	}
	forbidden := []struct{ cred, method, target, body string }{
		{"ro", "POST", "/admin/v1/users", `{"username":"x"}`},
		{"ro", "DELETE", "/admin/v1/users/" + id(e.Ada.ID), ""},
		{"rw", "POST", "/admin/v1/orgs", `{"name":"x"}`},
		{"rw", "GET", "/admin/v1/clients", ""},
		{"rw", "POST", "/admin/v1/tokens", `{"name":"x","scope":"admin"}`},
		{"ro", "GET", "/admin/v1/audit-events", ""},
	}
	for _, f := range forbidden {
		t.Run(f.cred+" "+f.method+" "+f.target, func(t *testing.T) {
			want(t, send(t, e, h, f.method, f.target, f.cred, f.body), http.StatusForbidden)
		})
	}
}

func TestCursorPaging(t *testing.T) {
	e, h := newEnv(t)
	wantIDs := []int64{e.Ada.ID, e.Bob.ID}
	for i := range 5 {
		u := want(t, send(t, e, h, "POST", "/admin/v1/users", "rw", `{"username":"user`+strconv.Itoa(i)+`"}`), http.StatusCreated)
		wantIDs = append(wantIDs, int64(u["id"].(float64)))
	}
	var got []int64
	var cursors []string
	target := "/admin/v1/users?limit=3"
	for page := 1; ; page++ {
		if page > 3 {
			t.Fatalf("more than 3 pages of 3 for %d users", len(wantIDs))
		}
		body := want(t, send(t, e, h, "GET", target, "ro", ""), http.StatusOK)
		for _, u := range body["users"].([]any) {
			got = append(got, int64(u.(map[string]any)["id"].(float64)))
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			if page != 3 {
				t.Errorf("last page: got page %d, want page 3", page)
			}
			break
		}
		cursors = append(cursors, next)
		target = "/admin/v1/users?limit=3&cursor=" + next
	}
	if !equalJSON(got, wantIDs) {
		t.Errorf("ids across pages: got %v, want %v", got, wantIDs)
	}

	c := cursors[0]
	swap := "A"
	if c[10] == 'A' {
		swap = "B"
	}
	tampered := c[:10] + swap + c[11:]
	bad := []struct{ name, target string }{
		{"tampered", "/admin/v1/users?cursor=" + tampered},
		{"truncated", "/admin/v1/users?cursor=" + c[:len(c)-4]},
		{"other filter", "/admin/v1/users?q=user&cursor=" + c},
		{"other list", "/admin/v1/orgs?cursor=" + c},
		{"audit list", "/admin/v1/audit-events?cursor=" + c},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			body := want(t, send(t, e, h, "GET", b.target, "all", ""), http.StatusBadRequest)
			if body["field"] != "cursor" {
				t.Errorf("field: got %v, want cursor", body["field"])
			}
		})
	}
	// The cursor is bound to the tenant, too.
	want(t, send(t, e, h, "GET", "/admin/v1/users?cursor="+c, "other", ""), http.StatusBadRequest)
}

// TestCursorPagingByEmail pages through an email-filtered list, which is
// ordered by email: each cursor carries the last email as well as its id.
func TestCursorPagingByEmail(t *testing.T) {
	e, h := newEnv(t)
	ids := map[string]int64{}
	for i, email := range []string{"page3@example.com", "Page1@example.com", "PAGE4@example.com", "page0@example.com", "page2@example.com"} {
		body := `{"username":"pager` + strconv.Itoa(i) + `","email":"` + email + `"}`
		u := want(t, send(t, e, h, "POST", "/admin/v1/users", "rw", body), http.StatusCreated)
		ids[strings.ToLower(email)] = int64(u["id"].(float64))
	}
	wantIDs := []int64{ids["page0@example.com"], ids["page1@example.com"], ids["page2@example.com"], ids["page3@example.com"], ids["page4@example.com"]}
	var got []int64
	target := "/admin/v1/users?email=PAGE&limit=2"
	for page := 1; ; page++ {
		if page > 3 {
			t.Fatalf("more than 3 pages of 2 for %d users", len(wantIDs))
		}
		body := want(t, send(t, e, h, "GET", target, "ro", ""), http.StatusOK)
		for _, u := range body["users"].([]any) {
			got = append(got, int64(u.(map[string]any)["id"].(float64)))
		}
		next, _ := body["next_cursor"].(string)
		if next == "" {
			break
		}
		target = "/admin/v1/users?email=PAGE&limit=2&cursor=" + next
	}
	if !equalJSON(got, wantIDs) {
		t.Errorf("ids across pages: got %v, want %v (by email)", got, wantIDs)
	}
}

func TestLimitBounds(t *testing.T) {
	e, h := newEnv(t)
	tests := []struct {
		query  string
		status int
	}{
		{"", http.StatusOK},
		{"limit=1", http.StatusOK},
		{"limit=1000", http.StatusOK},
		{"limit=1001", http.StatusBadRequest},
		{"limit=0", http.StatusBadRequest},
		{"limit=-1", http.StatusBadRequest},
		{"limit=ten", http.StatusBadRequest},
		{"limit=99999999999999999999", http.StatusBadRequest},
		{"limit=1&limit=2", http.StatusBadRequest},
	}
	for _, list := range []string{"users", "orgs", "audit-events"} {
		for _, tt := range tests {
			t.Run(list+"?"+tt.query, func(t *testing.T) {
				body := want(t, send(t, e, h, "GET", "/admin/v1/"+list+"?"+tt.query, "all", ""), tt.status)
				if tt.status == http.StatusBadRequest && body["field"] != "limit" {
					t.Errorf("field: got %v, want limit", body["field"])
				}
			})
		}
	}
	body := want(t, send(t, e, h, "GET", "/admin/v1/users?limit=1", "ro", ""), http.StatusOK)
	if n := len(body["users"].([]any)); n != 1 {
		t.Errorf("limit=1: got %d users, want 1", n)
	}
}

// TestBodyLimit checks the API reads bodies up to the limit it is given and
// answers a larger one 413, telling that limit.
func TestBodyLimit(t *testing.T) {
	e, _ := newEnv(t)
	d := e.Deps()
	d.MaxBodyBytes = 1000
	mux := http.NewServeMux()
	admin.Routes(mux, d)
	pad := func(n int) string {
		body := `{"username":"x"}`
		return body + strings.Repeat(" ", n-len(body))
	}
	want(t, send(t, e, mux, "POST", "/admin/v1/users", "rw", pad(1000)), http.StatusCreated)
	rec := send(t, e, mux, "POST", "/admin/v1/users", "rw", pad(1001))
	body := want(t, rec, http.StatusRequestEntityTooLarge)
	if got, wantDetail := body["detail"], "the request body is larger than 1000 bytes"; got != wantDetail {
		t.Errorf("detail: got %q, want %q", got, wantDetail)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type: got %q, want application/problem+json", ct)
	}
	if body["status"] != float64(http.StatusRequestEntityTooLarge) {
		t.Errorf("status member: got %v, want 413", body["status"])
	}
}

func TestClientsAndTokens(t *testing.T) {
	e, h := newEnv(t)
	created := want(t, send(t, e, h, "POST", "/admin/v1/clients", "admin", `{"name":"hr","scope":"admin"}`), http.StatusCreated)
	clientID, _ := created["client_id"].(string)
	if secret, _ := created["client_secret"].(string); !strings.HasPrefix(secret, directory.ClientSecretPrefix) {
		t.Errorf("client_secret: got %q, want the %s prefix", secret, directory.ClientSecretPrefix)
	}
	list := send(t, e, h, "GET", "/admin/v1/clients", "admin", "")
	if strings.Contains(list.Body.String(), "secret") {
		t.Errorf("client list shows a secret: %s", list.Body)
	}
	got := want(t, send(t, e, h, "PATCH", "/admin/v1/clients/"+clientID, "admin", `{"disabled":true}`), http.StatusOK)
	if got["disabled"] != true {
		t.Errorf("disabled after PATCH: got %v, want true", got["disabled"])
	}
	want(t, send(t, e, h, "PATCH", "/admin/v1/clients/"+clientID, "admin", `{}`), http.StatusBadRequest)

	tok := want(t, send(t, e, h, "POST", "/admin/v1/tokens", "admin", `{"name":"r","scope":"admin"}`), http.StatusCreated)
	secret, _ := tok["token"].(string)
	if tok["expires_at"] != nil {
		t.Errorf("expires_at without expires_in: got %v, want null", tok["expires_at"])
	}
	tokens := send(t, e, h, "GET", "/admin/v1/tokens", "admin", "")
	if strings.Contains(tokens.Body.String(), secret) {
		t.Errorf("token list shows a secret: %s", tokens.Body)
	}
	// Not used before the revocation, so no node has it cached.
	want(t, send(t, e, h, "DELETE", "/admin/v1/tokens/"+id(int64(tok["id"].(float64))), "admin", ""), http.StatusNoContent)
	e.Credentials["new"] = secret
	want(t, send(t, e, h, "GET", "/admin/v1/users/"+id(e.Ada.ID), "new", ""), http.StatusUnauthorized)
	want(t, send(t, e, h, "DELETE", "/admin/v1/tokens/"+id(int64(tok["id"].(float64))), "admin", ""), http.StatusNoContent)
}

// TestManagingNeedsTheTargetsScopes checks that an admin-only credential
// cannot disable, re-enable or revoke a credential holding scopes it does
// not hold itself, while one holding them all can.
func TestManagingNeedsTheTargetsScopes(t *testing.T) {
	e, h := newEnv(t)
	created := want(t, send(t, e, h, "POST", "/admin/v1/clients", "all", `{"name":"hr","scope":"admin users:write"}`), http.StatusCreated)
	clientID, _ := created["client_id"].(string)
	tok := want(t, send(t, e, h, "POST", "/admin/v1/tokens", "all", `{"name":"etl","scope":"users:read"}`), http.StatusCreated)
	tokenPath := "/admin/v1/tokens/" + id(int64(tok["id"].(float64)))

	for _, disabled := range []string{"true", "false"} {
		got := want(t, send(t, e, h, "PATCH", "/admin/v1/clients/"+clientID, "admin", `{"disabled":`+disabled+`}`), http.StatusForbidden)
		if detail, _ := got["detail"].(string); !strings.Contains(detail, "users:write") {
			t.Errorf("disabled=%s: got detail %q, want it to name the scope users:write", disabled, detail)
		}
	}
	want(t, send(t, e, h, "DELETE", tokenPath, "admin", ""), http.StatusForbidden)
	e.Credentials["etl"], _ = tok["token"].(string)
	want(t, send(t, e, h, "GET", "/admin/v1/users/"+id(e.Ada.ID), "etl", ""), http.StatusOK)

	if got := want(t, send(t, e, h, "PATCH", "/admin/v1/clients/"+clientID, "all", `{"disabled":true}`), http.StatusOK); got["disabled"] != true {
		t.Errorf("disabled by a credential holding every scope: got %v, want true", got["disabled"])
	}
	want(t, send(t, e, h, "DELETE", tokenPath, "all", ""), http.StatusNoContent)
}

// TestCredentialListsPageAndCap checks that the client and token lists
// page by cursor like the users list, and that a tenant at its cap gets a
// clear 409 until a token is revoked.
func TestCredentialListsPageAndCap(t *testing.T) {
	e, h := newEnv(t)
	// dialecttest made 1 client and 4 usable tokens in acme, "all" included.
	e.Service.SetCredentialLimits(directory.CredentialLimits{MaxClients: 3, MaxTokens: 5})
	for _, name := range []string{"a", "b"} {
		want(t, send(t, e, h, "POST", "/admin/v1/clients", "all", `{"name":"`+name+`","scope":"users:read"}`), http.StatusCreated)
	}
	over := want(t, send(t, e, h, "POST", "/admin/v1/clients", "all", `{"name":"c","scope":"users:read"}`), http.StatusConflict)
	if detail, _ := over["detail"].(string); !strings.Contains(detail, "3 API clients") {
		t.Errorf("client over the cap: got detail %q, want it to name the cap of 3", detail)
	}
	tok := want(t, send(t, e, h, "POST", "/admin/v1/tokens", "all", `{"name":"t","scope":"users:read"}`), http.StatusCreated)
	want(t, send(t, e, h, "POST", "/admin/v1/tokens", "all", `{"name":"u","scope":"users:read"}`), http.StatusConflict)
	want(t, send(t, e, h, "DELETE", "/admin/v1/tokens/"+id(int64(tok["id"].(float64))), "all", ""), http.StatusNoContent)
	want(t, send(t, e, h, "POST", "/admin/v1/tokens", "all", `{"name":"u","scope":"users:read"}`), http.StatusCreated)

	for list, total := range map[string]int{"clients": 3, "tokens": 8} {
		seen, target := 0, "/admin/v1/"+list+"?limit=2"
		for pages := 0; target != ""; pages++ {
			if pages > total {
				t.Fatalf("%s: more pages than items", list)
			}
			got := want(t, send(t, e, h, "GET", target, "all", ""), http.StatusOK)
			items, _ := got[list].([]any)
			seen += len(items)
			target = ""
			if next, ok := got["next_cursor"].(string); ok {
				target = "/admin/v1/" + list + "?limit=2&cursor=" + next
			}
		}
		if seen != total {
			t.Errorf("%s: paging saw %d items, want %d", list, seen, total)
		}
	}
	want(t, send(t, e, h, "GET", "/admin/v1/clients?cursor=AQAAAAAAAAAB", "all", ""), http.StatusBadRequest)
}

// TestRevocationTakesEffectAtOnceOnThisNode checks that a token revoked, or
// a client disabled, through this node is refused by this node on the very
// next request, although the node had just cached it as good.
func TestRevocationTakesEffectAtOnceOnThisNode(t *testing.T) {
	e, h := newEnv(t)
	ada := "/admin/v1/users/" + id(e.Ada.ID)

	tok := want(t, send(t, e, h, "POST", "/admin/v1/tokens", "all", `{"name":"etl","scope":"users:read"}`), http.StatusCreated)
	e.Credentials["etl"], _ = tok["token"].(string)
	want(t, send(t, e, h, "GET", ada, "etl", ""), http.StatusOK)
	want(t, send(t, e, h, "DELETE", "/admin/v1/tokens/"+id(int64(tok["id"].(float64))), "all", ""), http.StatusNoContent)
	want(t, send(t, e, h, "GET", ada, "etl", ""), http.StatusUnauthorized)

	// "access" is an access token of a users:read client made by dialecttest.
	want(t, send(t, e, h, "GET", ada, "access", ""), http.StatusOK)
	clients := want(t, send(t, e, h, "GET", "/admin/v1/clients", "all", ""), http.StatusOK)
	c, _ := clients["clients"].([]any)
	clientID, _ := c[0].(map[string]any)["client_id"].(string)
	want(t, send(t, e, h, "PATCH", "/admin/v1/clients/"+clientID, "all", `{"disabled":true}`), http.StatusOK)
	want(t, send(t, e, h, "GET", ada, "access", ""), http.StatusUnauthorized)
	want(t, send(t, e, h, "PATCH", "/admin/v1/clients/"+clientID, "all", `{"disabled":false}`), http.StatusOK)
	want(t, send(t, e, h, "GET", ada, "access", ""), http.StatusOK)
}

// TestChangesResync checks the answer to a feed position whose following
// changes retention has pruned: 410 resync, and the log's end still
// readable with after=now.
func TestChangesResync(t *testing.T) {
	e, h := newEnv(t)
	time.Sleep(time.Millisecond) // every change is now older than the retention below
	if _, err := e.Service.PruneChanges(context.Background(), time.Microsecond); err != nil {
		t.Fatal(err)
	}
	auth := "Authorization: Bearer {{ro}}"
	for _, x := range []dialecttest.Exchange{
		{Name: "changes-resync", Method: "GET", Target: "/admin/v1/changes?after=1", Header: []string{auth}},
		{Name: "changes-resync-now", Method: "GET", Target: "/admin/v1/changes?after=now", Header: []string{auth}},
	} {
		t.Run(x.Name, func(t *testing.T) { e.Golden(t, h, x, *update, mask) })
	}
}
