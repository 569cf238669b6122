package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/userd/userd/internal/directory"
)

// deliveryResult is the outcome of the change-delivery run (-delivery):
// writes at a steady rate into userd, a webhook subscription pointing to a
// receiver in this process, and a long-polling reader of the change feed.
type deliveryResult struct {
	Rate     int     // changes/s asked for
	Achieved float64 // changes/s written (successful writes over the write time)
	Changes  int     // changes written
	Errors   int     // failed writes
	// FirstError is the first failed write's reason.
	FirstError string `json:",omitempty"`
	// Change-to-webhook latency: from the change's time (taken just before
	// its transaction commits) to its first arrival at the receiver, over
	// the changes delivered before an outage and those committed after the
	// receiver had caught up.
	WebhookP50, WebhookP99, WebhookMax time.Duration
	// The same for the feed reader (GET /admin/v1/changes?wait=30s).
	FeedP50, FeedP99, FeedMax time.Duration
	Duplicates                int // repeated deliveries, each with the webhook-id of its first
	OutOfOrder                int // deliveries of a position lower than one already delivered, not a repeat
	Missing                   int // changes the feed saw that never reached the receiver
	// Outage is how long the receiver answered 503 during the writes.
	Outage time.Duration
	// Backlog is how many changes were committed but not delivered when
	// the receiver came back; CatchUp how long from then until it had all
	// changes committed by then, CatchUpRate the deliveries per second
	// meanwhile (while writes went on).
	Backlog     int           `json:",omitempty"`
	CatchUp     time.Duration `json:",omitempty"`
	CatchUpRate float64       `json:",omitempty"`
}

// hookEvent is what the receiver reads of a delivery.
type hookEvent struct {
	Timestamp time.Time `json:"timestamp"`
	Data      struct {
		Position int64 `json:"position"`
	} `json:"data"`
}

// arrival is one delivery the receiver accepted.
type arrival struct {
	id       string
	position int64
	latency  time.Duration
	at       time.Time
}

// hookReceiver is the webhook receiver: it answers 503 while down and
// otherwise records each delivery.
type hookReceiver struct {
	down atomic.Bool
	mu   sync.Mutex
	got  []arrival
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if h.down.Load() {
		http.Error(w, "down for the outage", http.StatusServiceUnavailable)
		return
	}
	now := time.Now()
	var ev hookEvent
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	h.mu.Lock()
	h.got = append(h.got, arrival{id: r.Header.Get("webhook-id"), position: ev.Data.Position, latency: now.Sub(ev.Timestamp), at: now})
	h.mu.Unlock()
}

func (h *hookReceiver) arrivals() []arrival {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.got)
}

// feedChange is what the feed reader keeps of a change.
type feedChange struct {
	position int64
	time     time.Time
	latency  time.Duration
}

// runDelivery writes rate changes/s (PATCH /admin/v1/users/{id}) for dur
// over conns connections, with a webhook subscription to a receiver in
// this process that is down for outage in the middle, and a feed reader
// long-polling the change log; then it waits for every change to arrive.
func runDelivery(ctx context.Context, addr, dbURL, bearer string, tenantID int64, ids []int64, rate, conns int, dur, outage time.Duration, logf func(string, ...any)) (*deliveryResult, error) {
	recv := &hookReceiver{}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen for webhooks: %w", err)
	}
	hooks := &http.Server{Handler: recv, ReadHeaderTimeout: 10 * time.Second}
	go hooks.Serve(ln)
	defer hooks.Close()

	api := &adminClient{addr: addr, bearer: bearer, http: &http.Client{Timeout: 60 * time.Second}}
	subID, start, err := subscribeAtEnd(ctx, dbURL, tenantID, "http://"+ln.Addr().String()+"/hook")
	if err != nil {
		return nil, err
	}
	defer api.unsubscribe(subID)
	// The delivering node looks for new subscriptions every second.
	time.Sleep(1500 * time.Millisecond)

	fctx, stopFeed := context.WithCancel(ctx)
	defer stopFeed()
	var feedMu sync.Mutex
	var feed []feedChange
	feedErr := make(chan error, 1)
	go func() {
		feedErr <- api.follow(fctx, start, func(cs []feedChange) {
			feedMu.Lock()
			feed = append(feed, cs...)
			feedMu.Unlock()
		})
	}()

	res := &deliveryResult{Rate: rate, Outage: outage}
	outageFrom := time.Now().Add((dur - outage) / 2)
	back := make(chan time.Time, 1)
	if outage > 0 {
		go func() {
			time.Sleep(time.Until(outageFrom))
			recv.down.Store(true)
			logf("delivery: the receiver is down for %s", outage)
			time.Sleep(outage)
			recv.down.Store(false)
			back <- time.Now()
			logf("delivery: the receiver is back")
		}()
	}
	began := time.Now()
	res.Changes, res.Errors, res.FirstError = writeSteadily(ctx, addr, bearer, ids, rate, conns, dur)
	res.Achieved = float64(res.Changes) / time.Since(began).Seconds()
	logf("delivery: wrote %d changes (%.0f/s, %d errors); waiting for the receiver to have them all", res.Changes, res.Achieved, res.Errors)

	var backAt time.Time
	if outage > 0 {
		backAt = <-back
	}
	end, err := api.lastPosition(ctx)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(2*time.Minute + 2*outage)
	for {
		feedMu.Lock()
		fed := len(feed)
		feedMu.Unlock()
		got := recv.arrivals()
		if fed >= int(end-start) && delivered(got, end) {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("delivery: after waiting, the feed reader has %d and the receiver %d deliveries of the %d changes", fed, len(got), end-start)
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		time.Sleep(50 * time.Millisecond)
	}
	stopFeed()
	if err := <-feedErr; err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	feedMu.Lock()
	defer feedMu.Unlock()
	// A new subscription starts at the log's beginning: what came before
	// the run is not measured.
	got := slices.DeleteFunc(recv.arrivals(), func(a arrival) bool { return a.position <= start })
	res.score(got, feed, outageFrom, backAt)
	return res, nil
}

// delivered reports whether got holds position end.
func delivered(got []arrival, end int64) bool {
	for i := len(got) - 1; i >= 0; i-- {
		if got[i].position == end {
			return true
		}
	}
	return false
}

// score fills in the latencies, the order check and, after an outage, the
// catch-up. The latencies leave out changes delivered after the outage
// began that were committed before the receiver had caught up: those
// measure the outage.
func (res *deliveryResult) score(got []arrival, feed []feedChange, outageFrom, backAt time.Time) {
	committed := map[int64]time.Time{}
	var feedLat []time.Duration
	for _, c := range feed {
		committed[c.position] = c.time
		feedLat = append(feedLat, c.latency)
	}
	first := map[int64]arrival{}
	var hookLat []time.Duration
	var highest int64
	var caughtUp time.Time
	for _, a := range got {
		if prev, ok := first[a.position]; ok {
			res.Duplicates++
			if prev.id != a.id {
				res.OutOfOrder++ // a repeat under another id is no repeat a receiver can drop
			}
			continue
		}
		first[a.position] = a
		if a.position < highest {
			res.OutOfOrder++
		}
		highest = max(highest, a.position)
		at := committed[a.position]
		if !backAt.IsZero() && !at.After(backAt) {
			caughtUp = a.at
			res.Backlog += boolInt(!at.Before(outageFrom))
		}
		if backAt.IsZero() || a.at.Before(outageFrom) || (!caughtUp.IsZero() && at.After(caughtUp)) {
			hookLat = append(hookLat, a.latency)
		}
	}
	for p := range committed {
		if _, ok := first[p]; !ok {
			res.Missing++
		}
	}
	if !backAt.IsZero() {
		res.CatchUp = caughtUp.Sub(backAt)
		n := 0
		for _, a := range got {
			n += boolInt(!a.at.Before(backAt) && !a.at.After(caughtUp))
		}
		res.CatchUpRate = float64(n) / res.CatchUp.Seconds()
	}
	slices.Sort(hookLat)
	slices.Sort(feedLat)
	res.WebhookP50, res.WebhookP99 = percentile(hookLat, 0.5), percentile(hookLat, 0.99)
	res.FeedP50, res.FeedP99 = percentile(feedLat, 0.5), percentile(feedLat, 0.99)
	if len(hookLat) > 0 {
		res.WebhookMax = hookLat[len(hookLat)-1]
	}
	if len(feedLat) > 0 {
		res.FeedMax = feedLat[len(feedLat)-1]
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// writeSteadily sends rate PATCH requests a second, each at its time
// whether or not earlier ones have been answered (an open loop: a slow
// server does not slow the arrivals), over conns connections, for dur. A
// request whose time comes while every connection is busy waits for one.
// It returns the successful and the failed writes.
func writeSteadily(ctx context.Context, addr, bearer string, ids []int64, rate, conns int, dur time.Duration) (ok, failed int, firstErr string) {
	due := make(chan struct{}, rate) // up to a second of writes queued
	var wg sync.WaitGroup
	var okN, failN atomic.Int64
	var once sync.Once
	fail := func(err error) {
		failN.Add(1)
		once.Do(func() { firstErr = err.Error() })
	}
	for w := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(w)))
			t := target{request: func(r *rand.Rand, b []byte) []byte {
				body := fmt.Sprintf(`{"city":"City %d"}`, r.IntN(1_000_000))
				return appendRequest(b, "PATCH", addr, "/admin/v1/users/"+strconv.FormatInt(ids[r.IntN(len(ids))], 10), "Authorization: Bearer "+bearer+"\r\n", "application/merge-patch+json", body)
			}, check: status200}
			var conn net.Conn
			var br *bufio.Reader
			var req []byte
			var body bytes.Buffer
			defer func() {
				if conn != nil {
					conn.Close()
				}
			}()
			for range due {
				if conn == nil {
					c, err := net.DialTimeout("tcp", addr, 5*time.Second)
					if err != nil {
						fail(err)
						continue
					}
					conn, br = c, bufio.NewReaderSize(c, 16<<10)
				}
				req = t.request(r, req[:0])
				status, closing, err := roundTrip(conn, br, req, &body, time.Now().Add(30*time.Second))
				if err == nil {
					err = t.check(status, body.Bytes())
				}
				if err != nil {
					fail(err)
				} else {
					okN.Add(1)
				}
				if closing || err != nil {
					conn.Close()
					conn = nil
				}
			}
		}()
	}
	began := time.Now()
	interval := time.Second / time.Duration(rate)
	for i := 0; ctx.Err() == nil; i++ {
		at := began.Add(time.Duration(i) * interval)
		if at.Sub(began) >= dur {
			break
		}
		time.Sleep(time.Until(at))
		due <- struct{}{}
	}
	close(due)
	wg.Wait()
	return int(okN.Load()), int(failN.Load()), firstErr
}

// adminClient calls userd's admin API as the bench client.
type adminClient struct {
	addr, bearer string
	http         *http.Client
}

func (a *adminClient) call(ctx context.Context, method, path, body string, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, "http://"+a.addr+path, bytes.NewBufferString(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.bearer)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := a.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		return fmt.Errorf("%s %s: status %d, want %d: %.300s", method, path, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// feedPage is a page of GET /admin/v1/changes.
type feedPage struct {
	Changes []struct {
		Position int64     `json:"position"`
		Time     time.Time `json:"time"`
	} `json:"changes"`
	NextAfter int64 `json:"next_after"`
}

// lastPosition returns the position of the bench tenant's newest change.
func (a *adminClient) lastPosition(ctx context.Context) (int64, error) {
	var page feedPage
	err := a.call(ctx, "GET", "/admin/v1/changes?after=now&limit=1", "", http.StatusOK, &page)
	return page.NextAfter, err
}

// subscribeAtEnd saves a Standard Webhooks subscription to url for tenant
// tenantID that starts after the change log's current end, straight in the
// database: the API's starts at the log's beginning, and a seeded database
// holds a change per seeded user, a backlog that is not this measurement.
// It returns the subscription's id and the position it starts after.
func subscribeAtEnd(ctx context.Context, dbURL string, tenantID int64, url string) (id, after int64, err error) {
	st, err := openStore(ctx, dbURL)
	if err != nil {
		return 0, 0, err
	}
	defer st.Close()
	if after, err = st.LastChange(ctx, tenantID); err != nil {
		return 0, 0, err
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	sub, err := st.CreateSubscription(ctx, directory.Subscription{TenantID: tenantID, URL: url, Format: directory.FormatStandard,
		Secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", Position: after, CreatedAt: now, UpdatedAt: now},
		directory.Event{TenantID: tenantID, Time: now, Actor: "bench", Action: "webhook.create", Fields: []string{"url"}})
	if err != nil {
		return 0, 0, fmt.Errorf("save the bench's webhook subscription: %w", err)
	}
	return sub.ID, after, nil
}

func (a *adminClient) unsubscribe(id int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = a.call(ctx, "DELETE", "/admin/v1/webhooks/"+strconv.FormatInt(id, 10), "", http.StatusNoContent, nil)
}

// follow long-polls the change feed from after until ctx ends, handing
// each page to got with each change's latency from its time to its
// arrival here.
func (a *adminClient) follow(ctx context.Context, after int64, got func([]feedChange)) error {
	for ctx.Err() == nil {
		var page feedPage
		err := a.call(ctx, "GET", "/admin/v1/changes?limit=1000&wait=30s&after="+strconv.FormatInt(after, 10), "", http.StatusOK, &page)
		now := time.Now()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("delivery: the feed reader: %w", err)
		}
		cs := make([]feedChange, len(page.Changes))
		for i, c := range page.Changes {
			cs[i] = feedChange{position: c.Position, time: c.Time, latency: now.Sub(c.Time)}
		}
		got(cs)
		after = page.NextAfter
	}
	return ctx.Err()
}
