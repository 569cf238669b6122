package main

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/userd/userd/internal/directory"
)

// rawRows reads rows straight from the SQLite file, every column as stored,
// so a test can tell whether a request changed a single byte.
func rawRows(t *testing.T, dbPath, query string, args ...any) string {
	t.Helper()
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		t.Fatalf("open %s: %v", dbPath, err)
	}
	defer db.Close()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, c := range cols {
			fmt.Fprintf(&b, "%s=%#v ", c, vals[i])
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// userRow is everything stored about one user: its row and its memberships.
func (e *authzEnv) userRow(t *testing.T, id int64) string {
	t.Helper()
	return rawRows(t, e.dbPath, "SELECT * FROM users WHERE id = ?", id) +
		rawRows(t, e.dbPath, "SELECT * FROM memberships WHERE user_id = ? ORDER BY org_id", id)
}

// answer is what one request did: its response as the golden files show
// it, the store calls it made and the passwords it hashed.
type answer struct {
	text   string
	calls  []string
	hashes int64
}

// measure serves a request and records what it did.
func (e *authzEnv) measure(method, target, contentType, body string, header map[string]string) answer {
	e.calls.take()
	before := e.hasher.calls.Load()
	rec := e.do(method, target, contentType, body, header)
	return answer{text: exchangeText(rec), calls: e.calls.take(), hashes: e.hasher.calls.Load() - before}
}

// sameAnswer fails unless a foreign request and a missing one got the same
// response, made the same store calls and hashed nothing.
func sameAnswer(t *testing.T, foreign, missing answer) {
	t.Helper()
	if foreign.text != missing.text {
		t.Errorf("another tenant's object answered\n%s\nwant the answer for a missing one\n%s", foreign.text, missing.text)
	}
	if len(missing.calls) == 0 {
		t.Errorf("no store call was recorded for a missing object; the comparison below would prove nothing")
	}
	if !slices.Equal(foreign.calls, missing.calls) {
		t.Errorf("another tenant's object made store calls %v, a missing one %v; want the same", foreign.calls, missing.calls)
	}
	if foreign.hashes != 0 || missing.hashes != 0 {
		t.Errorf("hashed %d passwords for another tenant's object and %d for a missing one; want 0 and 0", foreign.hashes, missing.hashes)
	}
}

const newPassword = "a brand new passphrase"

// TestAuthzForeignObjectLikeMissing checks, for every route that names an
// object, that a caller of tenant globex asking for acme's object gets
// exactly what it gets for an object that exists nowhere: the same status
// and body, the same store calls, no password hashed, and acme's object
// unchanged.
func TestAuthzForeignObjectLikeMissing(t *testing.T) {
	e := newAuthzEnv(t)
	other, _ := bearer(e.creds["other-tenant"], "")
	passwordPatch := `{"name":"Mallory","password":"` + newPassword + `"}`
	tests := []struct {
		route, foreign, missing, contentType, body, ifMatch string
	}{
		{"GET /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), "/admin/v1/users/999999", "", "", ""},
		{"PATCH /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), "/admin/v1/users/999999", mergeType, passwordPatch, ""},
		{"DELETE /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), "/admin/v1/users/999999", "", "", ""},
		{"GET /admin/v1/orgs/{id}", fmt.Sprintf("/admin/v1/orgs/%d", e.eng.ID), "/admin/v1/orgs/999999", "", "", ""},
		{"PATCH /admin/v1/orgs/{id}", fmt.Sprintf("/admin/v1/orgs/%d", e.eng.ID), "/admin/v1/orgs/999999", mergeType, `{"name":"Mallory"}`, ""},
		{"DELETE /admin/v1/orgs/{id}", fmt.Sprintf("/admin/v1/orgs/%d", e.old.ID), "/admin/v1/orgs/999999", "", "", ""},
		{"PATCH /admin/v1/clients/{client_id}", "/admin/v1/clients/" + e.target.ClientID, "/admin/v1/clients/udc_" + strings.Repeat("A", len(e.target.ClientID)-4), mergeType, `{"disabled":true}`, ""},
		{"DELETE /admin/v1/tokens/{id}", fmt.Sprintf("/admin/v1/tokens/%d", e.victimToken.ID), "/admin/v1/tokens/999999", "", "", ""},
		{"GET /openapi/v1/users/{user_id}", fmt.Sprintf("/openapi/v1/users/%d", e.ada.ID), "/openapi/v1/users/999999", "", "", ""},
		{"PUT /openapi/v1/users/{user_id}", fmt.Sprintf("/openapi/v1/users/%d", e.ada.ID), "/openapi/v1/users/999999", jsonType, `{"phone":"5550666","password":"` + newPassword + `"}`, ""},
		{"GET /api/v2/tenant/users/{user_id}", fmt.Sprintf("/api/v2/tenant/users/%d", e.ada.ID), "/api/v2/tenant/users/999999", "", "", ""},
		{"PUT /api/v2/tenant/users/{user_id}", fmt.Sprintf("/api/v2/tenant/users/%d", e.ada.ID), "/api/v2/tenant/users/999999", jsonType, `{"name":"Mallory","mobile":"5550666","org_code":"eng"}`, ""},
		{"DELETE /api/v2/tenant/users/{user_id}", fmt.Sprintf("/api/v2/tenant/users/%d", e.ada.ID), "/api/v2/tenant/users/999999", "", "", ""},
		{"PUT /api/v2/tenant/users/{user_id}/enable", fmt.Sprintf("/api/v2/tenant/users/%d/enable", e.ada.ID), "/api/v2/tenant/users/999999/enable", "", "", ""},
		{"PUT /api/v2/tenant/users/{user_id}/disable", fmt.Sprintf("/api/v2/tenant/users/%d/disable", e.ada.ID), "/api/v2/tenant/users/999999/disable", "", "", ""},
		{"PUT /api/v2/tenant/users/{user_id}/change-password", fmt.Sprintf("/api/v2/tenant/users/%d/change-password", e.ada.ID), "/api/v2/tenant/users/999999/change-password", jsonType, `{"password":"` + newPassword + `"}`, ""},
		{"PUT /api/v2/tenant/users/{user_id}/change-password-verify", fmt.Sprintf("/api/v2/tenant/users/%d/change-password-verify", e.ada.ID), "/api/v2/tenant/users/999999/change-password-verify", jsonType, `{"password":"` + newPassword + `","old_password":"guess"}`, ""},
		{"GET /api/v2/tenant/organizations/{org_id}", fmt.Sprintf("/api/v2/tenant/organizations/%d", e.eng.ID), "/api/v2/tenant/organizations/999999", "", "", ""},
		{"PUT /api/v2/tenant/organizations/{org_id}", fmt.Sprintf("/api/v2/tenant/organizations/%d", e.eng.ID), "/api/v2/tenant/organizations/999999", jsonType, `{"name":"Mallory"}`, ""},
		{"DELETE /api/v2/tenant/organizations/{org_id}", fmt.Sprintf("/api/v2/tenant/organizations/%d", e.old.ID), "/api/v2/tenant/organizations/999999", "", "", ""},
	}
	// With If-Match, matching the stored version or not.
	for _, version := range []string{`"1"`, `"7"`} {
		tests = append(tests, []struct{ route, foreign, missing, contentType, body, ifMatch string }{
			{"PATCH /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), "/admin/v1/users/999999", mergeType, passwordPatch, version},
			{"DELETE /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), "/admin/v1/users/999999", "", "", version},
			{"PATCH /admin/v1/orgs/{id}", fmt.Sprintf("/admin/v1/orgs/%d", e.eng.ID), "/admin/v1/orgs/999999", mergeType, `{"name":"Mallory"}`, version},
			{"DELETE /admin/v1/orgs/{id}", fmt.Sprintf("/admin/v1/orgs/%d", e.old.ID), "/admin/v1/orgs/999999", "", "", version},
		}...)
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace(tt.route+" "+tt.ifMatch), func(t *testing.T) {
			method := strings.Fields(tt.route)[0]
			header := maps.Clone(other)
			if tt.ifMatch != "" {
				header["If-Match"] = tt.ifMatch
			}
			rows := e.objectRows(t)
			// The first request fills the authenticator's cache, so the
			// two measured ones differ only in the object they name.
			e.do(method, tt.foreign, tt.contentType, tt.body, header)
			foreign := e.measure(method, tt.foreign, tt.contentType, tt.body, header)
			missing := e.measure(method, tt.missing, tt.contentType, tt.body, header)
			sameAnswer(t, foreign, missing)
			if len(foreign.calls) == 0 {
				t.Errorf("the request made no store call; the comparison above proves nothing")
			}
			if got := e.objectRows(t); got != rows {
				t.Errorf("acme's objects changed:\n%s\nwant\n%s", got, rows)
			}
		})
	}

	// The hasher count is real: the same PUT on one's own user hashes once.
	own, _ := bearer(e.creds["users:write"], "")
	a := e.measure("PUT", fmt.Sprintf("/openapi/v1/users/%d", e.ada.ID), jsonType, `{"password":"`+newPassword+`"}`, own)
	if !strings.HasPrefix(a.text, "200 ") || a.hashes != 1 {
		t.Errorf("own user's password change: got %d hashes and\n%s\nwant 1 hash and 200", a.hashes, a.text)
	}
}

// objectRows is every stored row of acme's objects the tests above target.
func (e *authzEnv) objectRows(t *testing.T) string {
	t.Helper()
	return e.userRow(t, e.ada.ID) +
		rawRows(t, e.dbPath, "SELECT * FROM orgs WHERE tenant_id = ? ORDER BY id", e.acme.ID) +
		rawRows(t, e.dbPath, "SELECT * FROM clients WHERE tenant_id = ? ORDER BY id", e.acme.ID) +
		rawRows(t, e.dbPath, "SELECT * FROM api_tokens WHERE tenant_id = ? ORDER BY id", e.acme.ID)
}

// TestAuthzBatchForeignLikeMissing checks that user-info v1 treats
// another tenant's ids in a batch exactly like ids that exist nowhere,
// wherever they stand in the list.
func TestAuthzBatchForeignLikeMissing(t *testing.T) {
	e := newAuthzEnv(t)
	carol := e.ada.ID + 2 // globex's only user, created after ada and victim
	reader, _ := userInfo(e.creds["users:read"], "")
	tests := []struct{ name, foreign, missing string }{
		{"foreign between own", fmt.Sprintf("%d,%d,%d", e.ada.ID, carol, e.victim.ID), fmt.Sprintf("%d,999998,%d", e.ada.ID, e.victim.ID)},
		{"foreign first and last", fmt.Sprintf("%d,%d,%d", carol, e.ada.ID, carol), fmt.Sprintf("999998,%d,999998", e.ada.ID)},
		{"foreign and missing mixed", fmt.Sprintf("999999,%d,%d,%d", carol, e.victim.ID, e.ada.ID), fmt.Sprintf("999999,999998,%d,%d", e.victim.ID, e.ada.ID)},
		{"only foreign", fmt.Sprint(carol), "999998"},
		{"repeated", fmt.Sprintf("%d,%d,%d,%d", e.ada.ID, carol, e.ada.ID, carol), fmt.Sprintf("%d,999998,%d,999998", e.ada.ID, e.ada.ID)},
	}
	e.do("GET", "/v1/api/user/info?userIds=1", "", "", reader)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			foreign := e.measure("GET", "/v1/api/user/info?userIds="+tt.foreign, "", "", reader)
			missing := e.measure("GET", "/v1/api/user/info?userIds="+tt.missing, "", "", reader)
			sameAnswer(t, foreign, missing)
			if strings.Contains(foreign.text, "carol") {
				t.Errorf("globex's user leaked into acme's answer:\n%s", foreign.text)
			}
		})
	}
}

// TestAuthzMassAssignment sends update bodies that try to set what no
// caller may set, or that smuggle a key past the decoder by letter case or
// repetition: each is refused with 400 and the stored user keeps every byte.
func TestAuthzMassAssignment(t *testing.T) {
	e := newAuthzEnv(t)
	writer, _ := bearer(e.creds["users:write"], "")
	bodies := []string{
		`{"is_admin":true}`,
		`{"tenant_id":2}`,
		`{"password_hash":"$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"}`,
		`{"ID":99}`,
		`{"id":99}`,
		`{"Email":"mallory@example.com"}`,
		`{"email":"ada@example.com","email":"mallory@example.com"}`,
		`{"phone":"5550100","tenant_id":2}`,
		`{"phone":"5550100","password_hash":"x"}`,
		`{"phone":"5550100","Phone":"5550111"}`,
	}
	routes := []struct{ route, target, contentType string }{
		{"PATCH /admin/v1/users/{id}", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), mergeType},
		{"PUT /openapi/v1/users/{user_id}", fmt.Sprintf("/openapi/v1/users/%d", e.ada.ID), jsonType},
	}
	for _, rt := range routes {
		for _, body := range bodies {
			t.Run(rt.route+" "+body, func(t *testing.T) {
				before := e.userRow(t, e.ada.ID)
				a := e.measure(strings.Fields(rt.route)[0], rt.target, rt.contentType, body, writer)
				if !strings.HasPrefix(a.text, "400 ") {
					t.Errorf("got\n%s\nwant 400", a.text)
				}
				if a.hashes != 0 || slices.Contains(a.calls, "UpdateUser") {
					t.Errorf("refused body still hashed %d passwords and made store calls %v", a.hashes, a.calls)
				}
				if after := e.userRow(t, e.ada.ID); after != before {
					t.Errorf("stored user changed:\n%s\nwant\n%s", after, before)
				}
			})
		}
	}
}

// TestAuthzAccessTokens checks that every API refuses forged and misused
// access tokens, answering each as it answers a garbage credential (or,
// for a token in the query string, no credential at all).
func TestAuthzAccessTokens(t *testing.T) {
	e := newAuthzEnv(t)
	ctx := context.Background()
	key, err := e.store.Secret(ctx, "access-token-key", make([]byte, 32))
	if err != nil {
		t.Fatalf("read the signing key: %v", err)
	}
	reader := e.creds["users:read"]
	now := time.Now()
	claims := func(change func(jwt.MapClaims)) jwt.MapClaims {
		c := jwt.MapClaims{
			"iss": "userd", "aud": []string{"userd"}, "sub": reader.clientID, "tid": e.acme.ID, "scope": "users:read",
			"iat": now.Unix(), "exp": now.Add(10 * time.Minute).Unix(), "jti": "forged",
		}
		if change != nil {
			change(c)
		}
		return c
	}
	sign := func(t *testing.T, m jwt.SigningMethod, key any, c jwt.MapClaims) string {
		t.Helper()
		s, err := jwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatalf("sign: %v", err)
		}
		return s
	}
	valid := sign(t, jwt.SigningMethodHS256, key, claims(nil))
	tokens := []struct{ name, token string }{
		{"alg none", sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims(nil))},
		{"HS512", sign(t, jwt.SigningMethodHS512, key, claims(nil))},
		{"other key", sign(t, jwt.SigningMethodHS256, []byte(strings.Repeat("k", 32)), claims(nil))},
		{"wrong audience", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["aud"] = []string{"someone-else"} }))},
		{"no audience", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { delete(c, "aud") }))},
		{"wrong issuer", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["iss"] = "someone-else" }))},
		{"expired", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) {
			c["iat"], c["exp"] = now.Add(-2*time.Hour).Unix(), now.Add(-time.Hour).Unix()
		}))},
		{"no expiry", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { delete(c, "exp") }))},
		{"disabled client", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["sub"] = e.creds["disabled"].clientID }))},
		{"unknown client", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["sub"] = "udc_nobody" }))},
		{"other tenant claimed", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["tid"] = e.globex.ID }))},
		{"scope beyond the client's", sign(t, jwt.SigningMethodHS256, key, claims(func(c jwt.MapClaims) { c["scope"] = "users:read admin" }))},
	}
	routes := []struct {
		name, target string
		present      presenter
	}{
		{"admin", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), bearer},
		{"openapi v1", fmt.Sprintf("/openapi/v1/users/%d", e.ada.ID), bearer},
		{"tenant v2", fmt.Sprintf("/api/v2/tenant/users/%d", e.ada.ID), bearer},
		{"user-info v1", fmt.Sprintf("/v1/api/user/info?userIds=%d", e.ada.ID), userInfo},
	}
	for _, rt := range routes {
		t.Run(rt.name, func(t *testing.T) {
			get := func(c credential, target string) string {
				header, _ := rt.present(c, "")
				return exchangeText(e.do("GET", target, "", "", header))
			}
			as := func(token string) credential {
				return credential{bearer: token, tenantID: e.acme.ID}
			}
			if got := get(as(valid), rt.target); !strings.Contains(got, `"ada@example.com"`) {
				t.Fatalf("a well-formed token signed with the real key was refused, so the cases below prove nothing:\n%s", got)
			}
			garbage := get(e.creds["garbage"], rt.target)
			for _, tok := range tokens {
				if got := get(as(tok.token), rt.target); got != garbage {
					t.Errorf("%s: got\n%s\nwant the answer to a garbage credential\n%s", tok.name, got, garbage)
				}
			}
			none := get(e.creds["none"], rt.target)
			sep := "?"
			if strings.Contains(rt.target, "?") {
				sep = "&"
			}
			if got := get(e.creds["none"], rt.target+sep+"access_token="+valid); got != none {
				t.Errorf("token in the query string: got\n%s\nwant the answer to no credential\n%s", got, none)
			}
		})
	}
}

// TestAuthzForeignReferenceLikeMissing checks that naming another tenant's
// user as manager, or its org as a membership, is refused exactly as naming
// one that exists nowhere: the same answer but for the id itself, the same
// store calls, and the user unchanged.
func TestAuthzForeignReferenceLikeMissing(t *testing.T) {
	e := newAuthzEnv(t)
	globexOrg := e.org(t, directory.System(e.globex.ID), "Globex", "globex")
	carol := e.ada.ID + 2 // globex's only user, created after ada and victim
	writer, _ := bearer(e.creds["users:write"], "")
	tests := []struct {
		name    string
		body    func(id int64) string
		foreign int64
	}{
		{"manager", func(id int64) string { return fmt.Sprintf(`{"manager_id":%d}`, id) }, carol},
		{"org", func(id int64) string { return fmt.Sprintf(`{"orgs":[{"org_id":%d}]}`, id) }, globexOrg.ID},
	}
	const missingID int64 = 999999
	routes := []struct{ method, target, contentType string }{
		{"PATCH", fmt.Sprintf("/admin/v1/users/%d", e.ada.ID), mergeType},
		{"POST", "/admin/v1/users", jsonType},
	}
	e.do("GET", "/admin/v1/users/1", "", "", writer)
	for _, rt := range routes {
		for _, tt := range tests {
			t.Run(rt.method+" "+tt.name, func(t *testing.T) {
				body := func(id int64) string {
					if rt.method == "POST" {
						return `{"username":"newbie",` + strings.TrimPrefix(tt.body(id), "{")
					}
					return tt.body(id)
				}
				before := e.userRow(t, e.ada.ID)
				foreign := e.measure(rt.method, rt.target, rt.contentType, body(tt.foreign), writer)
				missing := e.measure(rt.method, rt.target, rt.contentType, body(missingID), writer)
				foreign.text = maskID(foreign.text, tt.foreign)
				missing.text = maskID(missing.text, missingID)
				sameAnswer(t, foreign, missing)
				if !strings.HasPrefix(foreign.text, "400 ") {
					t.Errorf("got\n%s\nwant 400", foreign.text)
				}
				if after := e.userRow(t, e.ada.ID); after != before {
					t.Errorf("stored user changed:\n%s\nwant\n%s", after, before)
				}
			})
		}
	}
}

// maskID replaces id, where it stands as a word of its own, with <id>.
func maskID(s string, id int64) string {
	return regexp.MustCompile(`\b`+strconv.FormatInt(id, 10)+`\b`).ReplaceAllString(s, "<id>")
}

// TestAuthzListFiltersStayInTenant checks that list filters naming another
// tenant's users or orgs find exactly what filters naming nothing find.
func TestAuthzListFiltersStayInTenant(t *testing.T) {
	e := newAuthzEnv(t)
	globex := directory.System(e.globex.ID)
	parent := e.org(t, globex, "Globex", "globex")
	name, code := "Globex Labs", "labs"
	if _, err := e.svc.CreateOrg(context.Background(), globex, directory.OrgPatch{Name: &name, Code: &code, ParentID: &parent.ID}); err != nil {
		t.Fatalf("create child org: %v", err)
	}
	reader, _ := bearer(e.creds["users:read"], "")
	tests := []struct{ foreign, missing string }{
		{"/admin/v1/users?username=carol", "/admin/v1/users?username=nobody"},
		{"/admin/v1/users?email=carol%40example.com", "/admin/v1/users?email=nobody%40example.com"},
		{"/admin/v1/users?q=carol", "/admin/v1/users?q=nobody"},
		{"/admin/v1/orgs?q=globex", "/admin/v1/orgs?q=nothing"},
		{fmt.Sprintf("/admin/v1/orgs?parent_id=%d", parent.ID), "/admin/v1/orgs?parent_id=999999"},
	}
	e.do("GET", "/admin/v1/users", "", "", reader)
	for _, tt := range tests {
		t.Run(tt.foreign, func(t *testing.T) {
			foreign := e.measure("GET", tt.foreign, "", "", reader)
			missing := e.measure("GET", tt.missing, "", "", reader)
			sameAnswer(t, foreign, missing)
			if !strings.HasPrefix(foreign.text, "200 ") {
				t.Errorf("got\n%s\nwant 200", foreign.text)
			}
		})
	}
}
