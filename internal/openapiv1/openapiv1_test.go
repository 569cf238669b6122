package openapiv1_test

import (
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/openapiv1"
	"github.com/userd/userd/internal/server"
)

var update = flag.Bool("update", false, "rewrite golden files")

// maskTimes hides create_time, which comes from the Service's clock: only a
// recent time written as RFC 3339, UTC, whole seconds becomes the
// placeholder, so another format still shows in the diff.
var maskTimes = dialecttest.MaskTimes(regexp.MustCompile(`"create_time":"([^"]*)"`), "2006-01-02T15:04:05Z", time.UTC, "<RFC 3339 UTC>")

// handler serves the dialect over e, through authn and with a body limit of
// maxBody (0: the default).
func handler(e *dialecttest.Env, authn server.Authenticator, maxBody int64) http.Handler {
	d := e.Deps()
	d.Authn = authn
	if maxBody > 0 {
		d.MaxBodyBytes = maxBody
	}
	mux := http.NewServeMux()
	openapiv1.Routes(mux, d)
	return mux
}

func TestGetUserGolden(t *testing.T) {
	e := dialecttest.New(t)
	h := handler(e, e.Authn, 0)
	ada := fmt.Sprintf("/openapi/v1/users/%d", e.Ada.ID)
	bob := fmt.Sprintf("/openapi/v1/users/%d", e.Bob.ID)
	carol := fmt.Sprintf("/openapi/v1/users/%d", e.Carol.ID)
	bearer := func(name string) []string { return []string{"Authorization: Bearer {{" + name + "}}"} }
	tests := []dialecttest.Exchange{
		{Name: "get_ok", Method: "GET", Target: ada, Header: bearer("rw")},
		{Name: "get_ok_empty_fields", Method: "GET", Target: bob, Header: bearer("ro")},
		{Name: "get_ok_access_token", Method: "GET", Target: ada, Header: bearer("access")},
		{Name: "get_401_no_header", Method: "GET", Target: ada},
		{Name: "get_401_basic", Method: "GET", Target: ada, Header: []string{"Authorization: Basic YWRhOnB3"}},
		{Name: "get_401_bad_token", Method: "GET", Target: ada, Header: []string{"Authorization: Bearer udt_not-a-token"}},
		{Name: "get_401_revoked", Method: "GET", Target: ada, Header: bearer("revoked")},
		{Name: "get_401_expired", Method: "GET", Target: ada, Header: bearer("expired")},
		{Name: "get_403_scope", Method: "GET", Target: ada, Header: bearer("admin")},
		{Name: "get_404_missing", Method: "GET", Target: "/openapi/v1/users/999999", Header: bearer("rw")},
		{Name: "get_404_other_tenant", Method: "GET", Target: carol, Header: bearer("rw")},
		{Name: "get_400_not_numeric", Method: "GET", Target: "/openapi/v1/users/ada", Header: bearer("rw")},
		{Name: "get_400_zero", Method: "GET", Target: "/openapi/v1/users/0", Header: bearer("rw")},
		{Name: "get_400_too_large", Method: "GET", Target: "/openapi/v1/users/9007199254740992", Header: bearer("rw")},
		{Name: "get_400_leading_zero", Method: "GET", Target: fmt.Sprintf("/openapi/v1/users/0%d", e.Ada.ID), Header: bearer("rw")},
		{Name: "get_400_plus_sign", Method: "GET", Target: fmt.Sprintf("/openapi/v1/users/%%2B%d", e.Ada.ID), Header: bearer("rw")},
		{Name: "get_ok_percent_encoded", Method: "GET", Target: "/openapi/v1/users/" + dialecttest.PercentEncode(fmt.Sprint(e.Ada.ID)), Header: bearer("rw")},
	}
	for _, x := range tests {
		t.Run(x.Name, func(t *testing.T) { e.Golden(t, h, x, *update, maskTimes) })
	}
	t.Run("get_503_store_closed", func(t *testing.T) {
		closed := dialecttest.New(t)
		if err := closed.Service.Store().Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}
		x := dialecttest.Exchange{Name: "get_503_store_closed", Method: "GET", Target: ada, Header: bearer("rw")}
		closed.Golden(t, handler(closed, closed.Authn, 0), x, *update, maskTimes)
	})
	t.Run("get_500", func(t *testing.T) {
		x := dialecttest.Exchange{Name: "get_500", Method: "GET", Target: ada, Header: bearer("rw")}
		e.Golden(t, handler(e, dialecttest.BrokenAuthenticator{}, 0), x, *update, maskTimes)
	})
}

func TestPutUserGolden(t *testing.T) {
	const body = `{"password":"stringst","enterprise_id":"ent-2","email":"ada@example.org","phone":"5550199","is_active":false}`
	tests := []struct {
		name        string
		user        string // "ada", "bob", "carol" or a literal id
		credential  string
		contentType string
		body        string
	}{
		{"put_ok", "ada", "rw", "application/json", body},
		{"put_ok_charset", "ada", "rw", "application/json; charset=UTF-8", `{"is_active":true}`},
		{"put_ok_empty_object", "ada", "rw", "application/json", `{}`},
		{"put_ok_nulls_unchanged", "ada", "rw", "application/json", `{"password":null,"enterprise_id":null,"email":null,"phone":null,"is_active":null}`},
		{"put_ok_clear_phone", "ada", "rw", "application/json", `{"phone":"","enterprise_id":""}`},
		{"put_ok_password_only", "bob", "rw", "application/json", `{"password":"a new long password"}`},
		{"put_400_empty_email", "ada", "rw", "application/json", `{"email":""}`},
		{"put_400_bad_email", "ada", "rw", "application/json", `{"email":"Ada <ada@example.com>"}`},
		{"put_400_short_password", "ada", "rw", "application/json", `{"password":"short"}`},
		{"put_400_long_phone", "ada", "rw", "application/json", `{"phone":"` + strings.Repeat("5", 33) + `"}`},
		{"put_400_unknown_field", "ada", "rw", "application/json", `{"nick_name":"countess"}`},
		{"put_400_case_folded_key", "ada", "rw", "application/json", `{"Email":"ada@example.org"}`},
		{"put_400_duplicate_key", "ada", "rw", "application/json", `{"email":"a@example.org","email":"b@example.org"}`},
		{"put_400_wrong_type", "ada", "rw", "application/json", `{"is_active":"yes"}`},
		{"put_400_not_object", "ada", "rw", "application/json", `[{"is_active":true}]`},
		{"put_400_invalid_json", "ada", "rw", "application/json", `{"is_active":tru}`},
		{"put_400_trailing_data", "ada", "rw", "application/json", `{"is_active":true}{}`},
		{"put_400_empty_body", "ada", "rw", "application/json", ``},
		{"put_400_not_numeric_id", "ada-lovelace", "rw", "application/json", `{}`},
		{"put_401_no_header", "ada", "", "application/json", body},
		{"put_403_read_only", "ada", "ro", "application/json", body},
		{"put_404_missing", "999999", "rw", "application/json", body},
		{"put_404_other_tenant", "carol", "rw", "application/json", body},
		{"put_409_email_taken", "bob", "rw", "application/json", `{"email":"ada@example.com"}`},
		{"put_415_no_content_type", "ada", "rw", "", body},
		{"put_415_text", "ada", "rw", "text/plain", body},
		{"put_415_latin1", "ada", "rw", "application/json; charset=latin1", body},
	}
	shared := dialecttest.New(t) // for the cases that fail and so change nothing
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := shared
			if strings.HasPrefix(tt.name, "put_ok") {
				e = dialecttest.New(t) // a success changes the store
			}
			x := dialecttest.Exchange{Name: tt.name, Method: "PUT", Target: "/openapi/v1/users/" + userID(e, tt.user), Body: tt.body}
			if tt.credential != "" {
				x.Header = append(x.Header, "Authorization: Bearer {{"+tt.credential+"}}")
			}
			if tt.contentType != "" {
				x.Header = append(x.Header, "Content-Type: "+tt.contentType)
			}
			e.Golden(t, handler(e, e.Authn, 0), x, *update, maskTimes)
		})
	}
	t.Run("put_413", func(t *testing.T) {
		e := dialecttest.New(t)
		x := dialecttest.Exchange{Name: "put_413", Method: "PUT", Target: "/openapi/v1/users/" + userID(e, "ada"),
			Header: []string{"Authorization: Bearer {{rw}}", "Content-Type: application/json"}, Body: body}
		e.Golden(t, handler(e, e.Authn, 64), x, *update, maskTimes)
	})
	t.Run("put_500", func(t *testing.T) {
		e := dialecttest.New(t)
		x := dialecttest.Exchange{Name: "put_500", Method: "PUT", Target: "/openapi/v1/users/" + userID(e, "ada"),
			Header: []string{"Authorization: Bearer {{rw}}", "Content-Type: application/json"}, Body: body}
		e.Golden(t, handler(e, dialecttest.BrokenAuthenticator{}, 0), x, *update, maskTimes)
	})
}

func userID(e *dialecttest.Env, name string) string {
	switch name {
	case "ada":
		return fmt.Sprint(e.Ada.ID)
	case "bob":
		return fmt.Sprint(e.Bob.ID)
	case "carol":
		return fmt.Sprint(e.Carol.ID)
	}
	return name
}
