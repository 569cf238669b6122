package e2e

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// newStandby makes a streaming replica of primary with pg_basebackup -R,
// on a free loopback port of its own, and starts it. It is stopped and
// removed when the test ends.
func newStandby(t *testing.T, primary *pgCluster) *pgCluster {
	t.Helper()
	c := &pgCluster{bin: primary.bin, owner: primary.owner}
	_, c.port, _ = net.SplitHostPort(freePort(t))
	dir, err := os.MkdirTemp("", "userd-pg-standby-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	if c.owner != nil {
		if out, err := exec.Command("chown", c.owner.Username+":", dir).CombinedOutput(); err != nil {
			t.Fatalf("chown %s: %v %s", dir, err, out)
		}
	}
	t.Cleanup(func() {
		_ = c.pgCtl("stop", "-m", "immediate")
		os.RemoveAll(dir)
	})
	out, err := c.command("pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres",
		"-D", c.data(), "-R", "-X", "stream", "--no-sync").CombinedOutput()
	if err != nil {
		t.Fatalf("pg_basebackup: %v\n%s", err, out)
	}
	if err := os.Chmod(c.data(), 0o700); err != nil {
		t.Fatal(err)
	}
	c.start(t)
	return c
}

// sql runs statements on the cluster's postgres database.
func (c *pgCluster) sql(t *testing.T, statements ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.url())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	for _, s := range statements {
		if _, err := conn.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// TestFailover: userd runs on a multi-host URL naming a primary and its
// synchronous standby (target_session_attrs=read-write). Clients stream
// updates while the primary stops and the standby is promoted. Every
// answer is a success or a 503, never another error; the node takes writes
// again within seconds of the promotion, without a restart; and every
// update acknowledged before, during or after the failover is stored.
func TestFailover(t *testing.T) {
	if os.Getenv("USERD_TEST_POSTGRES_URL") == "" {
		t.Skip("USERD_TEST_POSTGRES_URL is not set; the PostgreSQL end-to-end tests are off")
	}
	primary := newCluster(t)
	standby := newStandby(t, primary)
	// Synchronous replication: a COMMIT returns once the standby has the
	// WAL, so promoting it loses no acknowledged write however the primary
	// goes away (as Patroni's synchronous_mode configures it).
	primary.sql(t, `ALTER SYSTEM SET synchronous_standby_names = '*'`, `SELECT pg_reload_conf()`)
	db := "postgres://postgres@127.0.0.1:" + primary.port + ",127.0.0.1:" + standby.port +
		"/postgres?sslmode=disable&target_session_attrs=read-write&connect_timeout=2"
	p := start(t, db, "--request-timeout", "5s")
	c := newClient(p.base, p.token(t))
	c.trusted = true
	streams := make([]*stream, 6)
	for i, u := range c.createUsers(t, "failover", len(streams)) {
		streams[i] = &stream{user: u, admin: i%2 == 0}
	}

	var stop atomic.Bool
	var lastAck atomic.Int64 // unix nanoseconds of the latest acknowledged write
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	for _, s := range streams {
		wg.Go(func() {
			for n := s.acked + 1; !stop.Load(); n++ {
				s.sent = n
				r, err := c.do(s.request(n))
				status := r.status
				if err != nil {
					status = -1
				}
				mu.Lock()
				if status/100 == 5 && status != http.StatusServiceUnavailable {
					t.Logf("%d: %s", status, r.body)
				}
				statuses[status]++
				mu.Unlock()
				if status/100 == 2 {
					s.acked = n
					lastAck.Store(time.Now().UnixNano())
				} else {
					time.Sleep(20 * time.Millisecond)
				}
			}
		})
	}
	time.Sleep(time.Second)
	if err := primary.pgCtl("stop", "-m", "immediate"); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond)
	promoted := time.Now()
	if out, err := standby.command("pg_ctl", "promote", "-D", standby.data(), "-w", "-t", "60").CombinedOutput(); err != nil {
		t.Fatalf("promote the standby: %v\n%s", err, out)
	}
	deadline := time.Now().Add(20 * time.Second)
	for lastAck.Load() < promoted.UnixNano() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	recovered := time.Unix(0, lastAck.Load()).Sub(promoted)
	time.Sleep(time.Second) // writes go on against the new primary
	stop.Store(true)
	wg.Wait()
	t.Logf("answers by status: %v; first write acknowledged %v after the promotion", statuses, recovered)
	if recovered < 0 || recovered > 10*time.Second {
		t.Errorf("no write acknowledged within 10s of the promotion (last at %v after it)", recovered)
	}
	for status, n := range statuses {
		if status/100 != 2 && status != http.StatusServiceUnavailable {
			t.Errorf("%d answers with status %d; during a failover a write succeeds or answers 503; userd's log:\n%s", n, status, p.stderr)
		}
	}
	// The new primary holds every acknowledged update.
	for _, s := range streams {
		got := s.stored(t, c)
		if got < s.acked || got > s.sent {
			t.Errorf("user %d: stored %d, want the last acknowledged value %d (or up to %d, sent)", s.user.ID, got, s.acked, s.sent)
		}
	}
	resp, err := http.Get(p.base + "/readyz")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the failover: %v %v, want 200", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}
