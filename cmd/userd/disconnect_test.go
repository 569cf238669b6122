package main

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestClientDisconnectIsNotAnError starts userd serve, begins a password
// change slow enough to be cut short (argon2id with many passes), and
// cancels it from the client side: the server must record a client close
// (499), not a server error — no ERROR line, no 500 in the request metrics,
// no internal store error.
func TestClientDisconnectIsNotAnError(t *testing.T) {
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"), "--metrics-addr", metricsOnAPI, "--argon2-time", "40")
	_, token := s.bootstrapToken(t)
	bearer := map[string]string{"Authorization": "Bearer " + token, "Content-Type": "application/json"}
	call(t, "POST", s.base+"/admin/v1/users", bearer, `{"username":"ada"}`, 201, nil)

	series := []string{
		`userd_http_requests_total{dialect="openapiv1",method="PUT",route="/openapi/v1/users/{user_id}",status="499"}`,
		`userd_http_requests_total{dialect="admin",method="PATCH",route="/admin/v1/users/{id}",status="499"}`,
	}
	for _, path := range []string{"/openapi/v1/users/1", "/admin/v1/users/1"} {
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		method, body := "PUT", `{"password":"a new long password"}`
		if strings.HasPrefix(path, "/admin/") {
			method = "PATCH"
		}
		req, err := http.NewRequestWithContext(ctx, method, s.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range bearer {
			req.Header.Set(k, v)
		}
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			t.Fatalf("%s %s: answered %d before the client gave up; make the hash slower", method, path, resp.StatusCode)
		}
		cancel()
	}

	// The server notices when its work ends; wait for both requests.
	answered := func(m map[string]float64) bool {
		n := 0
		for k, v := range m {
			if strings.HasPrefix(k, "userd_http_requests_total") && (strings.Contains(k, `route="/openapi/v1/users/{user_id}"`) || strings.Contains(k, `route="/admin/v1/users/{id}"`)) {
				n += int(v)
			}
		}
		return n >= 2
	}
	after := scrape(t, s.base)
	for deadline := time.Now().Add(10 * time.Second); !answered(after) && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
		after = scrape(t, s.base)
	}
	for k, v := range after {
		if strings.HasPrefix(k, "userd_http_requests_total") && strings.Contains(k, `status="5`) {
			t.Errorf("%s = %v: a client that went away counted as a server error", k, v)
		}
		if strings.HasPrefix(k, "userd_store_errors_total") && strings.Contains(k, `kind="internal"`) {
			t.Errorf("%s = %v: a client that went away counted as an internal store error", k, v)
		}
	}
	for _, k := range series {
		if after[k] != 1 {
			t.Errorf("%s: got %v, want 1", k, after[k])
		}
	}
	for line := range strings.Lines(s.stderr.String()) {
		if strings.Contains(line, `"level":"ERROR"`) {
			t.Errorf("logged %s", strings.TrimSpace(line))
		}
	}
}
