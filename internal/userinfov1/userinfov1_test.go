package userinfov1_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/userinfov1"
)

var update = flag.Bool("update", false, "rewrite golden files")

func handler(e *dialecttest.Env, authn server.Authenticator) http.Handler {
	d := e.Deps()
	d.Authn = authn
	mux := http.NewServeMux()
	userinfov1.Routes(mux, d)
	return mux
}

func TestUserInfoGolden(t *testing.T) {
	e := dialecttest.New(t)
	acme := fmt.Sprint(e.Tenant.ID)
	globex := fmt.Sprint(e.Other.ID)
	ids := func(us ...any) string {
		parts := make([]string, len(us))
		for i, u := range us {
			if du, ok := u.(directory.User); ok {
				u = du.ID
			}
			parts[i] = fmt.Sprint(u)
		}
		return "/v1/api/user/info?userIds=" + strings.Join(parts, ",")
	}
	headers := func(tenant, token string) []string {
		return []string{"x-api-tenantId: " + tenant, "x-api-token: {{" + token + "}}"}
	}
	ok := []dialecttest.Exchange{
		{Name: "ok_one", Target: ids(e.Ada), Header: headers(acme, "ro")},
		{Name: "ok_order_duplicates_missing", Target: ids(e.Bob, e.Ada, e.Bob, 999999, e.Carol), Header: headers(acme, "rw")},
		{Name: "ok_access_token", Target: ids(e.Ada), Header: headers(acme, "access")},
		{Name: "ok_none_found", Target: ids(999999, e.Carol), Header: headers(acme, "ro")},
		{Name: "ok_spaces_and_repeated_param", Target: fmt.Sprintf("/v1/api/user/info?userIds=%d,%%20%d&userIds=%d", e.Ada.ID, e.Bob.ID, e.Ada.ID), Header: headers(acme, "ro")},
		{Name: "ok_100_ids", Target: ids(hundred(e.Bob.ID)...), Header: headers(acme, "ro")},
		{Name: "ok_zh_language", Target: ids(e.Ada), Header: append(headers(acme, "ro"), "x-language: zh-CN")},
	}
	for _, x := range ok {
		t.Run(x.Name, func(t *testing.T) {
			x.Method = "GET"
			e.Golden(t, handler(e, e.Authn), x, *update, nil)
		})
	}

	t.Run("minus1_store_closed", func(t *testing.T) {
		closed := dialecttest.New(t)
		if err := closed.Service.Store().Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}
		x := dialecttest.Exchange{Name: "minus1_store_closed", Method: "GET", Target: ids(e.Ada), Header: headers(acme, "ro")}
		closed.Golden(t, handler(closed, closed.Authn), x, *update, nil)
	})

	errs := []struct {
		x     dialecttest.Exchange
		authn server.Authenticator
	}{
		{x: dialecttest.Exchange{Name: "BW_API_0000001_no_token", Target: ids(e.Ada), Header: []string{"x-api-tenantId: " + acme}}},
		{x: dialecttest.Exchange{Name: "BW_API_0000003_no_tenant", Target: ids(e.Ada), Header: []string{"x-api-token: {{ro}}"}}},
		{x: dialecttest.Exchange{Name: "BW_API_0000003_malformed_tenant", Target: ids(e.Ada), Header: headers("acme", "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000003_other_tenant", Target: ids(e.Ada), Header: headers(globex, "ro")}},
		{x: dialecttest.Exchange{Name: "PUB_AUTH_0000007_unknown_token", Target: ids(e.Ada), Header: []string{"x-api-tenantId: " + acme, "x-api-token: udt_not-a-token"}}},
		{x: dialecttest.Exchange{Name: "PUB_AUTH_0000007_revoked", Target: ids(e.Ada), Header: headers(acme, "revoked")}},
		{x: dialecttest.Exchange{Name: "PUB_AUTH_0000007_expired", Target: ids(e.Ada), Header: headers(acme, "expired")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000004_scope", Target: ids(e.Ada), Header: headers(acme, "admin")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000010_missing", Target: "/v1/api/user/info", Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000010_empty", Target: "/v1/api/user/info?userIds=", Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000010_not_numeric", Target: ids(e.Ada, "abc"), Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000010_empty_item", Target: ids(e.Ada, ""), Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000010_leading_zero", Target: ids(e.Ada, fmt.Sprintf("0%d", e.Bob.ID)), Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000010_plus_sign", Target: ids(e.Ada, fmt.Sprintf("%%2B%d", e.Bob.ID)), Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000003_leading_zero_tenant", Target: ids(e.Ada), Header: headers("0"+acme, "ro")}},
		{x: dialecttest.Exchange{Name: "BW_API_0000011_too_many", Target: ids(append(hundred(e.Bob.ID), e.Ada.ID)...), Header: headers(acme, "ro")}},
		{x: dialecttest.Exchange{Name: "minus1_internal", Target: ids(e.Ada), Header: headers(acme, "ro")}, authn: dialecttest.BrokenAuthenticator{}},
	}
	for _, tt := range errs {
		authn := tt.authn
		if authn == nil {
			authn = e.Authn
		}
		for _, lang := range []string{"", "x-language: zh-CN", "Accept-Language: zh-TW, en;q=0.8"} {
			x := tt.x
			x.Method = "GET"
			x.Header = append([]string(nil), x.Header...)
			switch {
			case strings.HasPrefix(lang, "x-language"):
				x.Name += "_zh"
				x.Header = append(x.Header, lang)
			case lang != "":
				if !strings.HasPrefix(x.Name, "BW_API_0000001") {
					continue // one Accept-Language fallback case is enough
				}
				x.Name += "_accept_language"
				x.Header = append(x.Header, lang)
			}
			t.Run(x.Name, func(t *testing.T) { e.Golden(t, handler(e, authn), x, *update, nil) })
		}
	}
}

// hundred returns 100 copies of id.
func hundred(id int64) []any {
	out := make([]any, 100)
	for i := range out {
		out[i] = id
	}
	return out
}

// TestBatchIsStreamed asks a real server for 100 of the largest users userd
// stores, some 2 MB of answer, and checks that the handler sent it in
// pieces as it encoded them: the largest single write stays near one user.
func TestBatchIsStreamed(t *testing.T) {
	e := dialecttest.New(t)
	users := e.LargeUsers(t, userinfov1.MaxUserIDs)
	ids := make([]string, len(users))
	for i, u := range users {
		ids[i] = fmt.Sprint(u.ID)
	}
	sized, largest := dialecttest.LargestWrite(handler(e, e.Authn))
	srv := httptest.NewServer(sized)
	defer srv.Close()

	resp, body := dialecttest.Get(t, srv, "/v1/api/user/info?userIds="+strings.Join(ids, ","),
		"x-api-tenantId: "+fmt.Sprint(e.Tenant.ID), "x-api-token: "+e.Credentials["ro"])
	var answer struct {
		Data []json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(body, &answer); resp.StatusCode != 200 || err != nil || len(answer.Data) != len(users) {
		t.Fatalf("got %d, %d users, %v; want 200 with %d users", resp.StatusCode, len(answer.Data), err, len(users))
	}
	const limit = 64 << 10
	if got := largest(); got > limit {
		t.Errorf("largest write of a %d-byte answer: got %d bytes, want at most %d", len(body), got, limit)
	}
}

// TestBatchAdmitted holds batch lookups in flight on a real server and
// checks both bounds: a credential past its own gets 429 while another
// credential of its tenant is served, and past the node's bound every
// credential gets 503, each the service exception -1 with Retry-After in
// the caller's language; once the held lookups finish, the bounds admit
// again.
func TestBatchAdmitted(t *testing.T) {
	e := dialecttest.New(t)
	gate := dialecttest.NewGate(t, e)
	heavy := admission.New(admission.Limits{Total: 6, PerPrincipal: 4}) // items: each held lookup asks for 2 users
	mux := http.NewServeMux()
	d := e.Deps()
	d.Service, d.HeavyReads = gate.Service, heavy
	userinfov1.Routes(mux, d)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	as := func(cred string, header ...string) []string {
		tenant := e.Tenant.ID
		if cred == "other" {
			tenant = e.Other.ID
		}
		return append([]string{"x-api-tenantId: " + fmt.Sprint(tenant), "x-api-token: " + e.Credentials[cred]}, header...)
	}
	held := fmt.Sprintf("/v1/api/user/info?userIds=%d,%d", dialecttest.HeldID, e.Ada.ID)
	plain := fmt.Sprintf("/v1/api/user/info?userIds=%d", e.Ada.ID)
	done := make(chan int, 3)
	expect := func(cred string, status int, errorMessage string, header ...string) {
		t.Helper()
		resp, body := dialecttest.Get(t, srv, plain, as(cred, header...)...)
		if resp.StatusCode != status {
			t.Errorf("as %s: got %d %s, want %d", cred, resp.StatusCode, body, status)
			return
		}
		if errorMessage == "" {
			return
		}
		want := `{"result":false,"mcode":"-1","errorMessage":"` + errorMessage + `"}` + "\n"
		if string(body) != want || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("as %s: got %s with Retry-After %q, want %s with Retry-After 1", cred, body, resp.Header.Get("Retry-After"), want)
		}
	}
	const retryEN, retryZH = "Service exception,try again later", "服务异常，请稍后重试"

	gate.Hold(t, srv, held, done, as("ro")...)
	gate.Hold(t, srv, held, done, as("ro")...)
	expect("ro", 429, retryEN)
	expect("ro", 429, retryZH, "x-language: zh-CN")
	expect("rw", 200, "")

	gate.Hold(t, srv, held, done, as("rw")...)
	expect("rw", 503, retryEN)
	expect("access", 503, retryEN)
	expect("other", 503, retryZH, "x-language: zh-CN")

	gate.Drain(t, done, 3, heavy)
	expect("ro", 200, "")
}

// TestBatchLimitGolden pins the 429 and 503 answers of a batch lookup.
func TestBatchLimitGolden(t *testing.T) {
	e := dialecttest.New(t)
	heavy := admission.New(admission.Limits{Total: 2, PerPrincipal: 1})
	mux := http.NewServeMux()
	d := e.Deps()
	d.HeavyReads = heavy
	userinfov1.Routes(mux, d)
	target := fmt.Sprintf("/v1/api/user/info?userIds=%d", e.Ada.ID)
	tenant := "x-api-tenantId: " + fmt.Sprint(e.Tenant.ID)
	for _, x := range []struct {
		holder string
		x      dialecttest.Exchange
	}{
		{"ro", dialecttest.Exchange{Name: "minus1_too_many", Target: target, Header: []string{tenant, "x-api-token: {{ro}}"}}},
		{"rw", dialecttest.Exchange{Name: "minus1_overloaded_zh", Target: target, Header: []string{tenant, "x-api-token: {{access}}", "x-language: zh-CN"}}},
	} {
		e.Occupy(t, heavy, x.holder, 1)
		x.x.Method = "GET"
		t.Run(x.x.Name, func(t *testing.T) { e.Golden(t, mux, x.x, *update, nil) })
	}
}
