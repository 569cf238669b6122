package userinfov1_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/userinfov1"
)

var update = flag.Bool("update", false, "rewrite golden files")

func handler(e *dialecttest.Env, authn userinfov1.Authenticator) http.Handler {
	mux := http.NewServeMux()
	userinfov1.Routes(mux, e.Service, authn)
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
		authn userinfov1.Authenticator
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
