package tenantv2_test

import (
	"flag"
	"fmt"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/tenantv2"
)

var update = flag.Bool("update", false, "rewrite golden files")

// seedTime matches every time the dialect writes (created_at, updated_at,
// pwd_change_at); they come from the Service's clock.
var seedTime = regexp.MustCompile(`"(?:created_at|updated_at|pwd_change_at)":"([^"]*)"`)

// maskTimes hides the times, but only those written as the seed writes them
// ("2022-04-13 16:57:36.532") in zone loc and close to now.
func maskTimes(loc *time.Location) func(string) string {
	return dialecttest.MaskTimes(seedTime, "2006-01-02 15:04:05.000", loc, "<yyyy-MM-dd HH:mm:ss.SSS "+loc.String()+">")
}

func handler(e *dialecttest.Env, authn server.Authenticator, cfg tenantv2.Config) http.Handler {
	d := e.Deps()
	d.Authn = authn
	mux := http.NewServeMux()
	tenantv2.Routes(mux, d, cfg)
	return mux
}

func TestGetUserGolden(t *testing.T) {
	e := dialecttest.New(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	path := func(u directory.User) string { return fmt.Sprintf("/api/v2/tenant/users/%d", u.ID) }
	bearer := func(name string) []string { return []string{"Authorization: Bearer {{" + name + "}}"} }
	tests := []struct {
		x     dialecttest.Exchange
		authn server.Authenticator
		loc   *time.Location
	}{
		{x: dialecttest.Exchange{Name: "get_ok", Target: path(e.Ada), Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_ok_minimal", Target: path(e.Bob), Header: bearer("ro")}},
		{x: dialecttest.Exchange{Name: "get_ok_api_token", Target: path(e.Ada), Header: bearer("rw")}},
		{x: dialecttest.Exchange{Name: "get_ok_no_orgs", Target: path(e.Carol), Header: bearer("other")}},
		{x: dialecttest.Exchange{Name: "get_ok_shanghai", Target: path(e.Ada), Header: bearer("access")}, loc: shanghai},
		{x: dialecttest.Exchange{Name: "get_401_no_header", Target: path(e.Ada)}},
		{x: dialecttest.Exchange{Name: "get_401_bad_token", Target: path(e.Ada), Header: []string{"Authorization: Bearer 334963fc-1e4a-473b-9096-52a929140"}}},
		{x: dialecttest.Exchange{Name: "get_401_revoked", Target: path(e.Ada), Header: bearer("revoked")}},
		{x: dialecttest.Exchange{Name: "get_401_expired", Target: path(e.Ada), Header: bearer("expired")}},
		{x: dialecttest.Exchange{Name: "get_403_scope", Target: path(e.Ada), Header: bearer("admin")}},
		{x: dialecttest.Exchange{Name: "get_404_missing", Target: "/api/v2/tenant/users/999999", Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_404_other_tenant", Target: path(e.Carol), Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_400_not_numeric", Target: "/api/v2/tenant/users/20220413165737132-3BA0-91FCA2CB7", Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_400_zero", Target: "/api/v2/tenant/users/0", Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_400_leading_zero", Target: fmt.Sprintf("/api/v2/tenant/users/0%d", e.Ada.ID), Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_400_plus_sign", Target: fmt.Sprintf("/api/v2/tenant/users/%%2B%d", e.Ada.ID), Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_ok_percent_encoded", Target: "/api/v2/tenant/users/" + dialecttest.PercentEncode(fmt.Sprint(e.Ada.ID)), Header: bearer("access")}},
		{x: dialecttest.Exchange{Name: "get_500", Target: path(e.Ada), Header: bearer("access")}, authn: dialecttest.BrokenAuthenticator{}},
	}
	t.Run("get_503_store_closed", func(t *testing.T) {
		closed := dialecttest.New(t)
		if err := closed.Service.Store().Close(); err != nil {
			t.Fatalf("close store: %v", err)
		}
		x := dialecttest.Exchange{Name: "get_503_store_closed", Method: "GET", Target: path(e.Ada), Header: bearer("access")}
		closed.Golden(t, handler(closed, closed.Authn, tenantv2.Config{}), x, *update, maskTimes(time.UTC))
	})
	for _, tt := range tests {
		t.Run(tt.x.Name, func(t *testing.T) {
			tt.x.Method = "GET"
			authn := tt.authn
			if authn == nil {
				authn = e.Authn
			}
			loc := tt.loc
			if loc == nil {
				loc = time.UTC
			}
			e.Golden(t, handler(e, authn, tenantv2.Config{Location: tt.loc}), tt.x, *update, maskTimes(loc))
		})
	}
}
