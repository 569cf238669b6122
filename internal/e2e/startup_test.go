package e2e

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestStartWhileDatabaseDown starts userd serve while its PostgreSQL server
// is stopped: the process stays up, /healthz answers 200 and /readyz and the
// APIs 503, the retry warnings name the database without its password; once
// PostgreSQL starts, the node migrates, bootstraps and becomes ready with no
// restart. Then PostgreSQL stops and starts again under the running node.
func TestStartWhileDatabaseDown(t *testing.T) {
	pg := newCluster(t)
	pg.stop(t)
	const pw = "Pw-n0t-in-logs-4Zr"
	db := strings.Replace(pg.url(), "postgres@", "postgres:"+pw+"@", 1) // the cluster trusts any password
	p := start(t, db)
	c := newClient(p.base, "")

	waitStatus := func(path string, want int, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for {
			r, err := c.do("GET", path, "")
			if err == nil && r.status == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("GET %s: got %d %s (%v), want %d within %v; stderr:\n%s", path, r.status, r.body, err, want, within, p.stderr)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	time.Sleep(time.Second) // a few failed attempts
	for _, path := range []string{"/readyz", "/admin/v1/users", "/openapi/v1/users/1"} {
		r, err := c.do("GET", path, "")
		if err != nil || r.status != http.StatusServiceUnavailable || r.header.Get("Retry-After") == "" {
			t.Errorf("GET %s before the database is up: got %d %q %v, want 503 with Retry-After", path, r.status, r.body, err)
		}
	}
	waitStatus("/healthz", http.StatusOK, time.Second)
	select {
	case <-p.exited:
		t.Fatalf("userd exited while the database was down: %v\nstderr:\n%s", p.cmd.ProcessState, p.stderr)
	default:
	}

	pg.start(t)
	waitStatus("/readyz", http.StatusOK, 30*time.Second)
	c.token = p.token(t)
	c.must(t, http.StatusOK, nil, "GET", "/admin/v1/users", "")

	pg.stop(t)
	waitStatus("/readyz", http.StatusServiceUnavailable, 5*time.Second)
	pg.start(t)
	waitStatus("/readyz", http.StatusOK, 30*time.Second)
	c.must(t, http.StatusOK, nil, "GET", "/admin/v1/users", "")

	logs := p.stderr.String() + p.stdout.String()
	if strings.Contains(logs, pw) {
		t.Errorf("userd's output holds the database password:\n%s", logs)
	}
	if !strings.Contains(logs, "postgres://127.0.0.1:"+pg.port+"/postgres") {
		t.Errorf("userd's warnings do not name the database it waits for:\n%s", logs)
	}
}
