package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/readafter"
)

// metric returns the value of the sample of /metrics on p whose name and
// labels are series, e.g. `userd_db_reads_total{target="primary"}` (0 when
// absent).
func (p *proc) metric(t *testing.T, series string) float64 {
	t.Helper()
	resp, err := http.Get(p.base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, _ := strconv.ParseFloat(string(m[1]), 64)
	return v
}

// TestReplicas: two nodes on one primary and one streaming replica
// (pg_basebackup -R, asynchronous). Reads are served by the replica; a
// client that writes on one node and reads on the other, echoing
// Userd-Read-After, always reads its write; stopping the replica mid-load
// costs no request an error, and the replica returns to rotation on its
// own once it is back.
func TestReplicas(t *testing.T) {
	if os.Getenv("USERD_TEST_POSTGRES_URL") == "" {
		t.Skip("USERD_TEST_POSTGRES_URL is not set; the PostgreSQL end-to-end tests are off")
	}
	primary := newCluster(t)
	standby := newStandby(t, primary)
	replica := "127.0.0.1:" + standby.port
	flags := []string{"--db-replica", standby.url(), "--metrics-addr", "api"}
	a := start(t, primary.url(), flags...)
	b := start(t, primary.url(), flags...)
	token := a.token(t)
	onA, onB := newClient(a.base, token), newClient(b.base, token)
	onA.trusted, onB.trusted = true, true
	users := onA.createUsers(t, "replica", 4)
	readsOn := func(p *proc) float64 {
		return p.metric(t, `userd_db_reads_total{target="`+replica+`"}`)
	}
	waitInRotation := func(p *proc) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for p.metric(t, `userd_db_replica_in_rotation{replica="`+replica+`"}`) != 1 {
			if time.Now().After(deadline) {
				t.Fatal("the replica did not come into rotation within 20s")
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	waitInRotation(a)
	waitInRotation(b)

	t.Run("replica serves reads", func(t *testing.T) {
		before := readsOn(b)
		for range 50 {
			if r, _ := onB.do("GET", fmt.Sprintf("/admin/v1/users/%d", users[0].ID), ""); r.status != 200 {
				t.Fatalf("GET on B: %d %s; userd's log:\n%s", r.status, r.body, b.stderr)
			}
		}
		if got := readsOn(b) - before; got < 40 {
			t.Errorf("%v of 50 reads on B went to the replica, want nearly all", got)
		}
	})

	t.Run("read your writes across nodes", func(t *testing.T) {
		for i := range 200 {
			w, r := onA, onB
			if i%2 == 1 {
				w, r = onB, onA
			}
			u := users[i%len(users)]
			phone := fmt.Sprintf("555%07d", i)
			resp := w.must(t, http.StatusOK, nil, "PATCH", fmt.Sprintf("/admin/v1/users/%d", u.ID), fmt.Sprintf(`{"phone":%q}`, phone))
			lsn := resp.header.Get(readafter.Header)
			if _, err := readafter.ParseLSN(lsn); err != nil {
				t.Fatalf("round %d: the write's answer has %s %q: %v", i, readafter.Header, lsn, err)
			}
			var got user
			r.must(t, http.StatusOK, &got, "GET", fmt.Sprintf("/admin/v1/users/%d", u.ID), "", readafter.Header, lsn)
			if got.Phone != phone {
				t.Fatalf("round %d: read on the other node after the write shows phone %q, want %q", i, got.Phone, phone)
			}
		}
	})

	t.Run("replica stopped mid-load", func(t *testing.T) {
		var stop atomic.Bool
		var mu sync.Mutex
		failures := map[string]int{}
		var ok atomic.Int64
		var wg sync.WaitGroup
		for i := range 8 {
			c := []*client{onA, onB}[i%2]
			wg.Go(func() {
				for !stop.Load() {
					r, err := c.do("GET", fmt.Sprintf("/admin/v1/users/%d", users[i%len(users)].ID), "")
					if err != nil || r.status != http.StatusOK {
						mu.Lock()
						failures[fmt.Sprintf("%d %v %s", r.status, err, r.body)]++
						mu.Unlock()
						continue
					}
					ok.Add(1)
				}
			})
		}
		time.Sleep(500 * time.Millisecond)
		standby.stop(t)
		time.Sleep(time.Second)
		stop.Store(true)
		wg.Wait()
		if len(failures) > 0 {
			t.Errorf("reads failed while the replica stopped: %v", failures)
		}
		t.Logf("%d reads answered while the replica stopped", ok.Load())
		standby.start(t)
		waitInRotation(a)
		waitInRotation(b)
		before := readsOn(a)
		onA.must(t, http.StatusOK, nil, "GET", fmt.Sprintf("/admin/v1/users/%d", users[0].ID), "")
		if readsOn(a) == before {
			t.Error("the replica back in rotation served no read")
		}
	})
}
