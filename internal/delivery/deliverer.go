package delivery

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/natspub"
	"github.com/userd/userd/internal/webhook"
)

// LeaseName is the lease the delivering node holds.
const LeaseName = "delivery"

// Defaults of Options.
const (
	DefaultLeaseTTL   = 10 * time.Second
	DefaultRenewEvery = 2 * time.Second
	DefaultRefresh    = time.Second
	// DefaultRetryFor outlasts a receiver's day-long outage: a receiver
	// back within it gets the whole backlog without anyone re-enabling
	// its subscription.
	DefaultRetryFor   = 24 * time.Hour
	DefaultBackoffMin = time.Second
	DefaultBackoffMax = 5 * time.Minute
	// DefaultRecordEvery bounds how long a delivered event waits to be
	// recorded (Options.RecordEvery).
	DefaultRecordEvery = 100 * time.Millisecond
	// pageSize is how many changes a worker reads at once.
	pageSize = 100
	// idleWait is how long a worker waits for a change before looking
	// again (a change through this node wakes it at once).
	idleWait = 10 * time.Second
)

// Options configure a Deliverer. Zero values take the defaults.
type Options struct {
	// Node names this node as lease holder; a random name by default.
	Node string
	// LeaseTTL is how long a lease lasts unrenewed: a dead node's
	// deliveries are taken over within it (plus RenewEvery).
	LeaseTTL time.Duration
	// RenewEvery is how often the holder renews and others try to take
	// the lease.
	RenewEvery time.Duration
	// Refresh is how often the holder reads which subscriptions and
	// tenants there are.
	Refresh time.Duration
	// RetryFor bounds how long one event is retried before its
	// subscription is marked failing.
	RetryFor time.Duration
	// BackoffMin and BackoffMax bound the wait between attempts, which
	// doubles from BackoffMin, with full jitter.
	BackoffMin, BackoffMax time.Duration
	// RecordEvery is how long a Standard Webhooks worker gathers outcomes
	// (at most maxBatch) before recording them in one transaction, while
	// it goes on sending. A node that dies sends again, after takeover,
	// what it delivered in about the last RecordEvery.
	RecordEvery time.Duration
	Logger      *slog.Logger
}

// Deliverer delivers every tenant's changes to its subscriptions and, if
// configured, to NATS, while this node holds the delivery lease.
type Deliverer struct {
	svc    *directory.Service
	store  directory.Store
	client *webhook.Client
	nats   *natspub.Publisher
	opts   Options
	log    *slog.Logger
	// validUntil is when this node's lease may have passed to another
	// node (Unix nanoseconds): no attempt starts after it.
	validUntil atomic.Int64
}

// New returns a Deliverer reading changes through svc and posting through
// client; nats may be nil (no NATS).
func New(svc *directory.Service, client *webhook.Client, nats *natspub.Publisher, opts Options) *Deliverer {
	if opts.Node == "" {
		b := make([]byte, 6)
		crand.Read(b)
		host, _ := os.Hostname()
		opts.Node = fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	set := func(d *time.Duration, def time.Duration) {
		if *d <= 0 {
			*d = def
		}
	}
	set(&opts.LeaseTTL, DefaultLeaseTTL)
	set(&opts.RenewEvery, DefaultRenewEvery)
	set(&opts.Refresh, DefaultRefresh)
	set(&opts.RetryFor, DefaultRetryFor)
	set(&opts.BackoffMin, DefaultBackoffMin)
	set(&opts.BackoffMax, DefaultBackoffMax)
	set(&opts.RecordEvery, DefaultRecordEvery)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Deliverer{svc: svc, store: svc.Store(), client: client, nats: nats, opts: opts, log: opts.Logger.With("node", opts.Node)}
}

// Run delivers until ctx ends: it waits for the lease, delivers while it
// holds it, and waits again if it loses it.
func (d *Deliverer) Run(ctx context.Context) {
	for ctx.Err() == nil {
		if held, _ := d.acquire(ctx); held {
			d.log.Info("delivering: this node holds the delivery lease")
			d.lead(ctx)
			d.log.Info("stopped delivering: the delivery lease was lost or userd is stopping")
		}
		sleep(ctx, d.opts.RenewEvery)
	}
}

// acquire takes or renews the lease and reports whether this node holds
// it, moving validUntil on. An error means the database did not say.
func (d *Deliverer) acquire(ctx context.Context) (bool, error) {
	now := time.Now()
	held, err := d.store.AcquireLease(ctx, LeaseName, d.opts.Node, now, d.opts.LeaseTTL)
	if err != nil {
		if ctx.Err() == nil {
			d.log.Warn("could not take or renew the delivery lease", "err", err)
		}
		return false, err
	}
	if held {
		// A margin of one renewal for clocks and for the attempt in flight.
		d.validUntil.Store(now.Add(d.opts.LeaseTTL - d.opts.RenewEvery).UnixNano())
	}
	return held, nil
}

// leaseValid reports whether this node still certainly holds the lease.
func (d *Deliverer) leaseValid() bool { return time.Now().UnixNano() < d.validUntil.Load() }

// lead delivers while the lease is held.
func (d *Deliverer) lead(ctx context.Context) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := map[string]*worker{}
	defer func() {
		cancel()
		for _, w := range workers {
			<-w.done
		}
	}()
	renew := time.NewTicker(d.opts.RenewEvery)
	defer renew.Stop()
	refresh := time.NewTicker(d.opts.Refresh)
	defer refresh.Stop()
	d.refresh(ctx, workers)
	for {
		select {
		case <-ctx.Done():
			return
		case <-renew.C:
			// Another node holding it: stop at once. The database not
			// answering: go on while the lease certainly lasts.
			held, err := d.acquire(ctx)
			if (err == nil && !held) || !d.leaseValid() {
				return
			}
		case <-refresh.C:
			if !d.leaseValid() {
				return
			}
			d.refresh(ctx, workers)
		}
	}
}

// worker is one goroutine delivering one subscription's (or one tenant's
// NATS) events in order.
type worker struct {
	key     string
	version time.Time
	cancel  context.CancelFunc
	done    chan struct{}
}

// refresh starts a worker for each active subscription and NATS tenant
// that has none, restarts those whose subscription changed, and stops
// those no longer wanted. A worker is replaced only once it has stopped, so
// two never deliver the same subscription.
func (d *Deliverer) refresh(ctx context.Context, workers map[string]*worker) {
	want := map[string]func(context.Context){}
	versions := map[string]time.Time{}
	subs, err := d.store.ActiveSubscriptions(ctx)
	if err != nil {
		d.warn(ctx, d.log, "could not list webhook subscriptions", "err", err)
		return
	}
	for _, s := range subs {
		key := fmt.Sprintf("webhook/%d", s.ID)
		want[key] = func(ctx context.Context) { d.deliverSubscription(ctx, s) }
		versions[key] = s.UpdatedAt
	}
	if d.nats != nil {
		tenants, err := d.store.Tenants(ctx)
		if err != nil {
			d.warn(ctx, d.log, "could not list tenants", "err", err)
			return
		}
		for _, t := range tenants {
			want[fmt.Sprintf("nats/%d", t.ID)] = func(ctx context.Context) { d.publishTenant(ctx, t.ID) }
		}
	}
	for key, w := range workers {
		_, wanted := want[key]
		select {
		case <-w.done:
			// Stopped by itself (failing, or gone): started afresh below
			// if still wanted.
			delete(workers, key)
			continue
		default:
		}
		if !wanted || !versions[key].Equal(w.version) {
			w.cancel()
			<-w.done
			delete(workers, key)
		}
	}
	for key, run := range want {
		if _, ok := workers[key]; ok {
			continue
		}
		wctx, cancel := context.WithCancel(ctx)
		w := &worker{key: key, version: versions[key], cancel: cancel, done: make(chan struct{})}
		workers[key] = w
		go func() {
			defer close(w.done)
			run(wctx)
		}()
	}
}

// next waits for and returns the changes of tenantID after after. It
// returns nil when ctx ends.
func (d *Deliverer) next(ctx context.Context, tenantID, after int64) ([]directory.Change, error) {
	sys := directory.System(tenantID)
	for ctx.Err() == nil {
		changes, err := d.svc.Changes(ctx, sys, after, pageSize)
		if err != nil || len(changes) > 0 {
			return changes, err
		}
		if _, err := d.svc.WaitForChanges(ctx, sys, after, idleWait); err != nil {
			return nil, err
		}
	}
	return nil, ctx.Err()
}

// deliverSubscription delivers s's events from its stored position on, in
// order, until ctx ends, the subscription is given up on (failing), or it
// is gone. Standard Webhooks outcomes are recorded in the background, in
// batches (see recorder), so the next event goes out while the last ones
// are written: an event sent but not yet recorded when the node dies is
// sent again by the next one, with the same id. OneAccess records each
// before the next: a create's answer holds the id its later events need.
func (d *Deliverer) deliverSubscription(ctx context.Context, s directory.Subscription) {
	log := d.log.With("tenant", s.TenantID, "webhook", s.ID)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	pos := s.Position
	send := d.standard
	save := func(dl directory.Delivery, remote directory.RemoteID) bool {
		return d.record(ctx, []directory.Delivery{dl}, []directory.RemoteID{remote})
	}
	// recorded returns once every outcome saved is written.
	recorded := func() {}
	if s.Format == directory.FormatOneAccess {
		send = d.oneAccess
	} else {
		rec := d.startRecorder(ctx, cancel)
		recorded = sync.OnceFunc(rec.close)
		defer recorded()
		save = func(dl directory.Delivery, _ directory.RemoteID) bool { return rec.add(ctx, dl) }
	}
	pages, stopReading := d.readAhead(ctx, log, s.TenantID, pos)
	defer stopReading()
	for pg := range pages {
		if pg.err != nil { // ErrResync, the only error readAhead hands on
			recorded() // the failing mark and its reason come last
			d.giveUp(ctx, s, directory.Delivery{Position: pos, Error: fmt.Sprintf("the change log no longer holds the changes after position %d (retention); resync the receiver from the API, then re-create the subscription", pos)})
			return
		}
		for _, c := range pg.changes {
			if !s.Wants(EventType(c)) {
				pos = c.Position
				continue
			}
			dl, remote, ok := d.attempt(ctx, s, c, send)
			if !ok {
				return // ctx ended or the lease is lost: the next holder resends
			}
			if !save(dl, remote) {
				return
			}
			if dl.Status == directory.Failed {
				log.Warn("webhook marked failing: every attempt failed for the retry period; its backlog is kept", "position", c.Position, "err", dl.Error)
				return
			}
			pos = c.Position
		}
	}
}

// page is what readAhead read: changes, or ErrResync.
type page struct {
	changes []directory.Change
	err     error
}

// readAhead reads tenantID's changes after after into the returned
// channel, one page ahead of the sender: while it sends one page, the next
// is read (on PostgreSQL a read also gives positions to newly committed
// changes, a transaction of its own), so a backlog goes out without
// waiting for the database between pages. It retries other errors and
// stops after handing on ErrResync, when ctx ends or when stop is called,
// closing the channel; stop returns once it has.
func (d *Deliverer) readAhead(ctx context.Context, log *slog.Logger, tenantID, after int64) (_ <-chan page, stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	pages := make(chan page, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer close(pages)
		for ctx.Err() == nil {
			changes, err := d.next(ctx, tenantID, after)
			if err != nil && !errors.Is(err, directory.ErrResync) {
				d.warn(ctx, log, "could not read the change log; retrying", "err", err)
				sleep(ctx, d.opts.BackoffMin)
				continue
			}
			select {
			case pages <- page{changes, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
			if len(changes) > 0 {
				after = changes[len(changes)-1].Position
			}
		}
	}()
	return pages, func() { cancel(); <-done }
}

// maxBatch bounds the outcomes recorded in one transaction.
const maxBatch = 256

// recorder records one Standard Webhooks worker's outcomes in the
// background, in order, one transaction per batch: what arrived within
// RecordEvery of the batch's first outcome, at most maxBatch. The worker
// goes on sending meanwhile, so neither a slow database nor its fsync
// stands between two deliveries, and a subscription at 1,000 events/s
// costs the database about ten small transactions a second rather than
// one per event.
type recorder struct {
	d    *Deliverer
	in   chan directory.Delivery
	stop context.CancelFunc // stops the worker when recording cannot go on
	done chan struct{}
}

// startRecorder starts recording outcomes until close; stop is called when
// the subscription is gone.
func (d *Deliverer) startRecorder(ctx context.Context, stop context.CancelFunc) *recorder {
	r := &recorder{d: d, in: make(chan directory.Delivery, maxBatch), stop: stop, done: make(chan struct{})}
	go r.run(ctx)
	return r
}

// add queues dl to be recorded, waiting while a full batch is queued. It
// returns false when ctx ended first.
func (r *recorder) add(ctx context.Context, dl directory.Delivery) bool {
	select {
	case r.in <- dl:
		return true
	case <-ctx.Done():
		return false
	}
}

// close records what is queued and returns once it is written (or could
// not be: that only means more repeats after takeover).
func (r *recorder) close() {
	close(r.in)
	<-r.done
}

func (r *recorder) run(ctx context.Context) {
	defer close(r.done)
	batch := make([]directory.Delivery, 0, maxBatch)
	timer := time.NewTimer(0)
	defer timer.Stop()
	for dl := range r.in {
		batch = append(batch[:0], dl)
		timer.Reset(r.d.opts.RecordEvery)
	fill:
		for len(batch) < maxBatch {
			select {
			case dl, ok := <-r.in:
				if !ok {
					break fill
				}
				batch = append(batch, dl)
			case <-timer.C:
				break fill
			case <-ctx.Done():
				break fill
			}
		}
		if ctx.Err() == nil && r.d.record(ctx, batch, nil) {
			continue
		}
		if ctx.Err() == nil {
			r.stop() // the subscription is gone
			continue
		}
		// Stopping: record what was sent, briefly, so the next holder
		// repeats less.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		r.d.record(fctx, batch, nil)
		cancel()
	}
}

// sender makes one attempt at delivering c to s.
type sender func(ctx context.Context, s directory.Subscription, c directory.Change) (webhook.Response, directory.RemoteID, error)

// attempt delivers c to s, retrying with backoff for RetryFor. ok is false
// when it stopped before an outcome (ctx ended, lease lost).
func (d *Deliverer) attempt(ctx context.Context, s directory.Subscription, c directory.Change, send sender) (dl directory.Delivery, remote directory.RemoteID, ok bool) {
	dl = directory.Delivery{TenantID: s.TenantID, SubscriptionID: s.ID, MessageID: MessageID(s.ID, c.Position), Position: c.Position, EventType: EventType(c)}
	first := time.Now()
	for {
		if ctx.Err() != nil || !d.leaseValid() {
			return dl, remote, false
		}
		dl.Attempts++
		resp, rem, err := send(ctx, s, c)
		dl.StatusCode, dl.Latency, dl.Time = resp.StatusCode, resp.Latency, time.Now().UTC().Truncate(time.Microsecond)
		if err == nil || errors.Is(err, errSkipped) {
			dl.Status, dl.Error = directory.Delivered, ""
			if err != nil {
				dl.Error = err.Error()
			}
			return dl, rem, true
		}
		if ctx.Err() != nil {
			return dl, remote, false
		}
		dl.Error = truncate(err.Error(), directory.MaxDeliveryError)
		wait := backoff(dl.Attempts, d.opts.BackoffMin, d.opts.BackoffMax, rand.Int64N)
		if time.Since(first)+wait > d.opts.RetryFor {
			dl.Status = directory.Failed
			return dl, remote, true
		}
		d.log.Debug("webhook attempt failed; retrying", "webhook", s.ID, "position", c.Position, "attempt", dl.Attempts, "retry_in", wait, "err", err)
		sleep(ctx, wait)
	}
}

// record stores outcomes, retrying while the database is unavailable. It
// returns false when the worker should stop (ctx ended, subscription
// gone).
func (d *Deliverer) record(ctx context.Context, ds []directory.Delivery, remotes []directory.RemoteID) bool {
	if len(ds) == 0 {
		return true
	}
	for {
		err := d.store.RecordDeliveries(ctx, ds, remotes)
		switch {
		case err == nil:
			return true
		case ctx.Err() != nil, directory.KindOf(err) == directory.NotFound:
			return false
		}
		d.log.Warn("could not record webhook deliveries; retrying", "webhook", ds[0].SubscriptionID, "err", err)
		sleep(ctx, d.opts.BackoffMin)
	}
}

// giveUp marks s failing with dl's reason.
func (d *Deliverer) giveUp(ctx context.Context, s directory.Subscription, dl directory.Delivery) {
	dl.TenantID, dl.SubscriptionID, dl.Status, dl.Time = s.TenantID, s.ID, directory.Failed, time.Now().UTC().Truncate(time.Microsecond)
	dl.MessageID, dl.EventType = MessageID(s.ID, dl.Position), "resync"
	d.record(ctx, []directory.Delivery{dl}, nil)
	d.log.Warn("webhook marked failing", "webhook", s.ID, "err", dl.Error)
}

// standard makes one Standard Webhooks attempt.
func (d *Deliverer) standard(ctx context.Context, s directory.Subscription, c directory.Change) (webhook.Response, directory.RemoteID, error) {
	body, err := eventBody(c)
	if err != nil {
		return webhook.Response{}, directory.RemoteID{}, err
	}
	key, err := directory.StandardSecretKey(s.Secret)
	if err != nil {
		return webhook.Response{}, directory.RemoteID{}, err
	}
	h := webhookHeader()
	webhook.SetHeaders(h, key, MessageID(s.ID, c.Position), time.Now(), body)
	r := d.client.Post(ctx, s.TenantID, s.URL, h, body)
	return r, directory.RemoteID{}, r.Err
}

// publishTenant publishes tenantID's changes to NATS from where the stream
// ends, in order, until ctx ends. NATS is infrastructure: it is retried
// without end, never given up on.
func (d *Deliverer) publishTenant(ctx context.Context, tenantID int64) {
	log := d.log.With("tenant", tenantID, "to", "nats")
	pos := int64(-1)
	for ctx.Err() == nil {
		if pos < 0 {
			p, err := d.nats.Published(ctx, tenantID)
			if err != nil {
				d.warn(ctx, log, "could not read where NATS publishing stopped; retrying", "err", err)
				sleep(ctx, d.opts.BackoffMin)
				continue
			}
			pos = p
		}
		changes, err := d.next(ctx, tenantID, pos)
		if errors.Is(err, directory.ErrResync) {
			log.Error("the change log no longer holds the changes after the last one published to NATS; publishing from its current end", "position", pos)
			last, err := d.svc.LastChange(ctx, directory.System(tenantID))
			if err == nil {
				pos = last
			}
			continue
		}
		if err != nil {
			sleep(ctx, d.opts.BackoffMin)
			continue
		}
		for _, c := range changes {
			body, err := eventBody(c)
			if err != nil {
				log.Error("could not encode a change", "position", c.Position, "err", err)
				return
			}
			for {
				if ctx.Err() != nil || !d.leaseValid() {
					return
				}
				if err := d.nats.Publish(ctx, tenantID, c.Position, EventType(c), body); err == nil {
					break
				} else {
					d.warn(ctx, log, "could not publish to NATS; retrying", "position", c.Position, "err", err)
				}
				sleep(ctx, d.opts.BackoffMin)
			}
			pos = c.Position
		}
	}
}

// warn logs a warning unless ctx has ended: an operation cut short by
// stopping is no news.
func (d *Deliverer) warn(ctx context.Context, log *slog.Logger, msg string, args ...any) {
	if ctx.Err() == nil {
		log.Warn(msg, args...)
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
