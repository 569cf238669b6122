package main

import (
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// scrape returns every sample of GET /metrics, keyed by series as written
// (name{labels in name order}).
func scrape(t *testing.T, base string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: got %d, %v", resp.StatusCode, err)
	}
	out := map[string]float64{}
	for line := range strings.Lines(string(body)) {
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(strings.TrimSpace(line[i+1:]), 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		out[line[:i]] = v
	}
	return out
}

// TestMetrics makes requests of every kind the metrics count and checks
// each series moved by as much as it should, on both engines.
func TestMetrics(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			s := startServer(t, newDB(t), "--metrics-addr", metricsOnAPI)
			creds := map[string]string{}
			for _, m := range credentialLine.FindAllStringSubmatch(s.stdout.String(), -1) {
				creds[m[1]] = m[2]
			}
			before := scrape(t, s.base)

			form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
			var grant struct {
				AccessToken string `json:"access_token"`
			}
			call(t, "POST", s.base+"/oauth/token", form, "grant_type=client_credentials&client_id="+creds["client_id"]+"&client_secret="+creds["client_secret"], 200, &grant)
			call(t, "POST", s.base+"/oauth/token", form, "grant_type=client_credentials&client_id="+creds["client_id"]+"&client_secret=wrong", 400, nil)
			bearer := map[string]string{"Authorization": "Bearer " + grant.AccessToken, "Content-Type": "application/json"}
			call(t, "POST", s.base+"/admin/v1/users", bearer, `{"username":"ada","email":"ada@example.com","name":"Ada","password":"correct horse battery staple"}`, 201, nil)
			call(t, "GET", s.base+"/admin/v1/users/1", bearer, "", 200, nil)
			call(t, "GET", s.base+"/admin/v1/users/2", bearer, "", 404, nil)
			call(t, "GET", s.base+"/openapi/v1/users/1", map[string]string{"Authorization": "Bearer not-a-token"}, "", 401, nil)
			call(t, "GET", s.base+"/no/such/path", nil, "", 404, nil)
			call(t, "GET", s.base+"/scim/v2/Users/1", map[string]string{"Authorization": "Bearer " + grant.AccessToken}, "", 200, nil)

			after := scrape(t, s.base)
			moved := []struct {
				series string
				want   float64
			}{
				{`userd_http_requests_total{dialect="token",method="POST",route="/oauth/token",status="200"}`, 1},
				{`userd_http_requests_total{dialect="token",method="POST",route="/oauth/token",status="400"}`, 1},
				{`userd_http_requests_total{dialect="admin",method="POST",route="/admin/v1/users",status="201"}`, 1},
				{`userd_http_requests_total{dialect="admin",method="GET",route="/admin/v1/users/{id}",status="200"}`, 1},
				{`userd_http_requests_total{dialect="admin",method="GET",route="/admin/v1/users/{id}",status="404"}`, 1},
				{`userd_http_requests_total{dialect="openapiv1",method="GET",route="/openapi/v1/users/{user_id}",status="401"}`, 1},
				{`userd_http_requests_total{dialect="none",method="GET",route="unmatched",status="404"}`, 1},
				{`userd_http_requests_total{dialect="scim",method="GET",route="/scim/v2/Users/{id}",status="200"}`, 1},
				{`userd_http_request_duration_seconds_count{dialect="admin",method="GET",route="/admin/v1/users/{id}"}`, 2},
				{`userd_token_grants_total`, 1},
				{`userd_auth_failures_total{reason="invalid_client",where="token_endpoint"}`, 1},
				{`userd_auth_failures_total{reason="invalid_access_token",where="bearer"}`, 1},
				{`userd_store_operation_duration_seconds_count{operation="CreateUser"}`, 1},
				{`userd_store_operation_duration_seconds_count{operation="User"}`, 3},
				{`userd_store_errors_total{kind="not_found",operation="User"}`, 1},
			}
			for _, m := range moved {
				if got := after[m.series] - before[m.series]; got != m.want {
					t.Errorf("%s moved by %v, want %v", m.series, got, m.want)
				}
			}
			for _, series := range []string{
				`userd_password_hashes_in_flight`, `userd_password_hashes_queued`,
				`go_goroutines`, `process_resident_memory_bytes`,
			} {
				if _, ok := after[series]; !ok {
					t.Errorf("no %s series", series)
				}
			}
			pool := map[string]string{"sqlite": `userd_db_connections_max{pool="writer"}`, "postgres": `userd_db_connections_max{pool="postgres"}`}[name]
			if after[pool] < 1 {
				t.Errorf("%s: got %v, want at least 1", pool, after[pool])
			}
			for series := range after {
				if strings.Contains(series, `route="/admin/v1/users/1"`) || strings.Contains(series, "/no/such/path") {
					t.Errorf("series %s is labelled with a raw path", series)
				}
			}
		})
	}
}

// TestMetricsNotOnTheAPIByDefault checks a server started with no metrics
// setting keeps GET /metrics off its API address.
func TestMetricsNotOnTheAPIByDefault(t *testing.T) {
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"))
	resp, err := http.Get(s.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /metrics on --addr: got %d, want 404", resp.StatusCode)
	}
}
