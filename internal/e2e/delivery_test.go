package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/postgres/pgtest"
	"github.com/userd/userd/internal/webhook"
)

// hookReceiver is a real Standard Webhooks endpoint: it verifies each
// delivery's signature and records its webhook-id and position.
type hookReceiver struct {
	secret string
	mu     sync.Mutex
	ids    []string
	pos    []int64
	at     []time.Time
	bad    int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := webhook.Verify(h.secret, r.Header, body, time.Now()); err != nil {
		h.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	var ev struct {
		Data struct {
			Position int64 `json:"position"`
		} `json:"data"`
	}
	json.Unmarshal(body, &ev)
	h.ids = append(h.ids, r.Header.Get(webhook.HeaderID))
	h.pos = append(h.pos, ev.Data.Position)
	h.at = append(h.at, time.Now())
	time.Sleep(2 * time.Millisecond) // a receiver with some work to do: kills land mid-delivery
}

func (h *hookReceiver) snapshot() ([]string, []int64, []time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...), append([]int64(nil), h.pos...), append([]time.Time(nil), h.at...)
}

// leaseHolder returns the pid in the holder of the delivery lease.
func leaseHolder(t *testing.T, db string) int {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var holder string
	if err := conn.QueryRow(context.Background(), `SELECT holder FROM leases WHERE name = 'delivery' AND expires_at > now()`).Scan(&holder); err != nil {
		return 0
	}
	parts := strings.Split(holder, "/")
	pid, _ := strconv.Atoi(parts[len(parts)-2])
	return pid
}

// TestDeliveryTakeover runs two userd nodes on one PostgreSQL database,
// streams changes, and kill -9s the node delivering webhooks mid-stream.
// The other node takes over within the lease: the receiver gets every
// change, first deliveries strictly in position order, and repeats only of
// changes it already had, each with the same webhook-id.
func TestDeliveryTakeover(t *testing.T) {
	base := os.Getenv(pgtest.URLVar)
	if base == "" {
		t.Skip(pgtest.URLVar + " is not set: two nodes need a shared PostgreSQL")
	}
	db := pgtest.Fresh(t, base)
	flags := []string{"--webhook-allow-private", "--delivery-lease", "2s"}
	a := start(t, db, flags...)
	token := a.token(t)
	b := start(t, db, flags...)

	rcv := &hookReceiver{secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
	srv := httptest.NewServer(rcv)
	defer srv.Close()
	ca := newClient(a.base, token)
	var hook struct {
		ID int64 `json:"id"`
	}
	ca.must(t, http.StatusCreated, &hook, "POST", "/admin/v1/webhooks", `{"url":"`+srv.URL+`","secret":"`+rcv.secret+`"}`)

	var leader, other *proc
	for deadline := time.Now().Add(10 * time.Second); leader == nil; time.Sleep(50 * time.Millisecond) {
		switch leaseHolder(t, db) {
		case a.cmd.Process.Pid:
			leader, other = a, b
		case b.cmd.Process.Pid:
			leader, other = b, a
		}
		if time.Now().After(deadline) {
			t.Fatal("no node took the delivery lease")
		}
	}
	// Changes are written through the node that stays up.
	c := newClient(other.base, token)
	c.trusted = true
	const n = 300
	written := make(chan struct{})
	go func() {
		defer close(written)
		for i := range n {
			if r, err := c.do("POST", "/admin/v1/users", fmt.Sprintf(`{"username":"takeover%d"}`, i)); err != nil || r.status != http.StatusCreated {
				t.Errorf("create user %d: %v %d %s", i, err, r.status, r.body)
				return
			}
		}
	}()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if _, pos, _ := rcv.snapshot(); len(pos) >= n/4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the leader delivered too little to kill it mid-stream")
		}
	}
	leader.kill()
	killedAt := time.Now()
	_, before, _ := rcv.snapshot()
	<-written

	var feed struct {
		Changes []struct {
			Position int64 `json:"position"`
		} `json:"changes"`
	}
	c.must(t, http.StatusOK, &feed, "GET", "/admin/v1/changes?limit=1000", "")
	if len(feed.Changes) != n {
		t.Fatalf("the change log holds %d changes, want %d", len(feed.Changes), n)
	}
	last := feed.Changes[n-1].Position
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if _, pos, _ := rcv.snapshot(); len(pos) > 0 && pos[len(pos)-1] == last {
			break
		}
		if time.Now().After(deadline) {
			_, pos, _ := rcv.snapshot()
			t.Fatalf("the survivor did not deliver the rest: got %d deliveries, want up to position %d", len(pos), last)
		}
	}
	ids, pos, at := rcv.snapshot()
	seen, max, repeats := map[int64]bool{}, int64(0), 0
	var firstAfterKill time.Time
	for i, p := range pos {
		if ids[i] != fmt.Sprintf("msg_%d_%d", hook.ID, p) {
			t.Errorf("delivery %d: webhook-id %s for position %d", i, ids[i], p)
		}
		switch {
		case seen[p]:
			repeats++
		case p < max:
			t.Errorf("delivery %d: position %d first arrived after %d: out of order", i, p, max)
		}
		if p > max {
			max = p
		}
		if !seen[p] && i >= len(before) && firstAfterKill.IsZero() {
			firstAfterKill = at[i]
		}
		seen[p] = true
	}
	for _, ch := range feed.Changes {
		if !seen[ch.Position] {
			t.Errorf("position %d was never delivered", ch.Position)
		}
	}
	if rcv.bad != 0 {
		t.Errorf("%d deliveries failed signature verification", rcv.bad)
	}
	takeover := firstAfterKill.Sub(killedAt)
	if takeover > 2*time.Second+3*time.Second {
		t.Errorf("the survivor took %v to deliver after the kill, want within the 2 s lease and a renewal or two", takeover)
	}
	t.Logf("%d changes, %d deliveries (%d repeats, same webhook-id), %d before the kill; takeover in %v", n, len(pos), repeats, len(before), takeover)
}
