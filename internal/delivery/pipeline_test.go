package delivery

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// countingStore counts the transactions recording delivery outcomes and
// the reads of the change log.
type countingStore struct {
	directory.Store
	records, reads atomic.Int64
}

func (s *countingStore) Changes(ctx context.Context, tenantID, after int64, limit int) ([]directory.Change, error) {
	s.reads.Add(1)
	return s.Store.Changes(ctx, tenantID, after, limit)
}

func (s *countingStore) RecordDeliveries(ctx context.Context, ds []directory.Delivery, remotes []directory.RemoteID) error {
	s.records.Add(1)
	return s.Store.RecordDeliveries(ctx, ds, remotes)
}

// Changes that trickle in, each delivered before the next commits, are
// recorded a batch at a time, not one transaction per event: at 1,000
// events/s a transaction per event would compete with the writes
// themselves. The batch still lands, in order, with every entry logged.
func TestRecordsTrickleInBatches(t *testing.T) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			st := &countingStore{Store: open(t)}
			e := newEnv(t, st)
			rcv := &receiver{secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}
			srv := httptest.NewServer(rcv)
			defer srv.Close()
			sub := e.subscribe(t, directory.SubscriptionInput{URL: srv.URL, Secret: directory.Secret(rcv.secret)})
			opts := fast
			opts.RecordEvery = time.Second
			e.start(t, opts)
			const n = 20
			for i := range n {
				e.createUser(t, fmt.Sprintf("user%d", i))
				waitFor(t, "the delivery", func() bool { return len(rcv.received()) == i+1 })
			}
			want := positions(t, e)
			waitFor(t, "the position stored", func() bool {
				s, _ := e.svc.Subscription(t.Context(), e.p, sub.ID)
				return s.Position == want[len(want)-1]
			})
			inOrder(t, sub.ID, rcv.received(), want)
			if got := st.records.Load(); got > n/4 {
				t.Errorf("%d events delivered one at a time were recorded in %d transactions, want at most %d", n, got, n/4)
			}
			log, _, err := e.svc.Deliveries(t.Context(), e.p, sub.ID, 0, 1000)
			if err != nil || len(log) != n {
				t.Fatalf("delivery log: %d entries, %v; want %d", len(log), err, n)
			}
			for i, d := range log {
				if d.Position != want[i] || d.Status != directory.Delivered {
					t.Fatalf("log entry %d: %+v, want position %d delivered", i, d, want[i])
				}
			}
		})
	}
}

// While the receiver takes its time over one event, the next page of the
// backlog is read, so a backlog goes out without a wait for the database
// between pages.
func TestReadsAheadWhileSending(t *testing.T) {
	st := &countingStore{Store: engines()["sqlite"](t)}
	e := newEnv(t, st)
	for i := range pageSize + 10 {
		e.createUser(t, fmt.Sprintf("user%d", i))
	}
	release := make(chan struct{})
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			<-release
		}
	}))
	defer srv.Close()
	defer close(release)
	e.subscribe(t, directory.SubscriptionInput{URL: srv.URL})
	e.start(t, fast)
	waitFor(t, "the first delivery under way", func() bool { return calls.Load() == 1 })
	waitFor(t, "the second page read while the first event waits for its answer", func() bool { return st.reads.Load() >= 2 })
}
