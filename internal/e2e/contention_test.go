package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// contentionDuration is how long TestSQLiteContention runs: 30 s, or
// USERD_E2E_CONTENTION (a Go duration such as 5s) for shorter local runs,
// or 3 s with -short.
func contentionDuration(t *testing.T) time.Duration {
	t.Helper()
	if v := os.Getenv("USERD_E2E_CONTENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("USERD_E2E_CONTENTION=%q: %v", v, err)
		}
		return d
	}
	if testing.Short() {
		return 3 * time.Second
	}
	return 30 * time.Second
}

// TestSQLiteContention: 64 clients increment counters with read, PATCH
// If-Match, retry on 412, while readers list and read users. No request may
// fail (SQLITE_BUSY must never reach a client), and each counter must equal
// the increments its clients saw acknowledged.
func TestSQLiteContention(t *testing.T) {
	const updaters, readers, counters = 64, 8, 4
	d := contentionDuration(t)
	// The test is about SQLITE_BUSY and lost increments, not latency: CI
	// runs packages side by side on two cores, where 64 queued writers,
	// each commit an fsync, could pass the default 10 s request timeout.
	p := start(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"), "--request-timeout", "60s")
	c := newClient(p.base, p.token(t))
	users := c.createUsers(t, "counter", counters)

	var (
		acked    [counters]atomic.Int64
		refused  atomic.Int64
		reads    atomic.Int64
		failures atomic.Int64
		wg       sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			t.Errorf(format, args...)
		}
	}
	stop := time.Now().Add(d)
	for i := range updaters {
		k := i % counters
		path := fmt.Sprintf("/admin/v1/users/%d", users[k].ID)
		wg.Go(func() {
			for time.Now().Before(stop) {
				r, err := c.do("GET", path, "")
				if err != nil || r.status != http.StatusOK {
					fail("updater %d: read: %v, status %d %s", i, err, r.status, r.body)
					return
				}
				var u user
				if err := json.Unmarshal(r.body, &u); err != nil {
					fail("updater %d: decode: %v", i, err)
					return
				}
				n, _ := u.Extension["counter"].(float64)
				w, err := c.do("PATCH", path, fmt.Sprintf(`{"extension":{"counter":%d}}`, int64(n)+1), "If-Match", r.header.Get("ETag"))
				switch {
				case err != nil:
					fail("updater %d: %v", i, err)
					return
				case w.status == http.StatusOK:
					acked[k].Add(1)
				case w.status == http.StatusPreconditionFailed:
					refused.Add(1)
				default:
					fail("updater %d: got status %d (%s), want 200 or 412", i, w.status, w.body)
					return
				}
			}
		})
	}
	for i := range readers {
		paths := []string{
			"/admin/v1/users?limit=100",
			fmt.Sprintf("/openapi/v1/users/%d", users[i%counters].ID),
			fmt.Sprintf("/api/v2/tenant/users/%d", users[i%counters].ID),
		}
		wg.Go(func() {
			for j := 0; time.Now().Before(stop); j++ {
				path := paths[j%len(paths)]
				r, err := c.do("GET", path, "")
				if err != nil || r.status != http.StatusOK {
					fail("reader %d: GET %s: %v, status %d %s", i, path, err, r.status, r.body)
					return
				}
				reads.Add(1)
			}
		})
	}
	wg.Wait()

	var total int64
	for k, u := range users {
		got := c.getUser(t, u.ID)
		n, _ := got.Extension["counter"].(float64)
		if want := acked[k].Load(); int64(n) != want || got.Version != want+1 {
			t.Errorf("user %d: counter %v at version %d, want %d acknowledged increments at version %d", u.ID, n, got.Version, want, want+1)
		}
		total += acked[k].Load()
	}
	t.Logf("%v: %d increments acknowledged, %d refused with 412, %d reads", d, total, refused.Load(), reads.Load())
	if total == 0 {
		t.Errorf("no increment was acknowledged")
	}
	for _, word := range []string{"SQLITE_BUSY", "database is locked", "unavailable"} {
		if logs := p.stderr.String(); strings.Contains(logs, word) {
			t.Errorf("the server log mentions %q:\n%s", word, logs)
		}
	}
	c.checkAudit(t, users)
}
