package auth

import (
	"context"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/userd/userd/internal/directory"
)

// DefaultAuditFailuresPerMinute is how many failed authentications a node
// records in one tenant's audit log per minute at most; the rest are
// counted, and the count is recorded once the tenant's minute is over.
const DefaultAuditFailuresPerMinute = 60

// auditWriters bounds the audit writes running at once, and
// maxPendingAudit the writes waiting for one of them; past it a failure is
// counted as not recorded.
const (
	auditWriters    = 4
	maxPendingAudit = 1024
)

// notRecordedAction is the audit action of the event that counts the
// failed authentications a tenant's budget dropped in one minute.
const notRecordedAction = "auth.failed.not_recorded"

// auditWindow is one tenant's budget: the minute that began at start, the
// failures recorded in it and those dropped.
type auditWindow struct {
	start    time.Time
	recorded int
	dropped  int
}

// failureAudit records failed client authentications as "auth.failed"
// audit events, at most perMinute per tenant per minute (fixed windows),
// so a flood of bad credentials cannot grow the audit table faster than
// that, and a flood against one tenant, or with made-up client_ids (tenant
// 0), leaves every other tenant's budget whole. What a window drops is
// recorded as one notRecordedAction event in the same tenant once a later
// failure of that tenant arrives, or at close. Recording happens off the
// request's path: the answer to a failure does not wait for a database
// write, so a recorded and a dropped failure, and a known and an unknown
// client, take the same time.
type failureAudit struct {
	store     directory.Store
	now       func() time.Time
	logger    *slog.Logger
	observer  Observer
	perMinute int // <= 0: record nothing
	slots     chan struct{}
	wg        sync.WaitGroup

	mu        sync.Mutex
	windows   map[int64]*auditWindow // by tenant id; bounded by the tenants that exist
	lastSweep time.Time
	pending   int // writes started and not finished
}

func newFailureAudit(store directory.Store, perMinute int, now func() time.Time, logger *slog.Logger, observer Observer) *failureAudit {
	return &failureAudit{store: store, now: now, logger: logger, observer: observer, perMinute: perMinute, slots: make(chan struct{}, auditWriters),
		windows: map[int64]*auditWindow{}, lastSweep: now()}
}

// take reports whether one more failure of tenantID may be recorded now,
// and returns the summary of the tenant's previous window and how many
// failures it dropped, if any (nil otherwise).
func (f *failureAudit) take(tenantID int64) (ok bool, summary *directory.Event, dropped int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.perMinute <= 0 {
		return false, nil, 0
	}
	now := f.now()
	f.sweep(now)
	w := f.windows[tenantID]
	if w == nil || now.Sub(w.start) >= time.Minute {
		if w != nil && w.dropped > 0 {
			summary, dropped = notRecordedEvent(tenantID, w.dropped, now), w.dropped
		}
		w = &auditWindow{start: now}
		f.windows[tenantID] = w
	}
	if w.recorded >= f.perMinute {
		w.dropped++
		return false, summary, dropped
	}
	w.recorded++
	return true, summary, dropped
}

// sweep forgets, at most once a minute, the windows that are over and
// dropped nothing. f.mu must be held.
func (f *failureAudit) sweep(now time.Time) {
	if now.Sub(f.lastSweep) < time.Minute {
		return
	}
	f.lastSweep = now
	for id, w := range f.windows {
		if w.dropped == 0 && now.Sub(w.start) >= time.Minute {
			delete(f.windows, id)
		}
	}
}

// notRecordedEvent counts n failed authentications of tenantID that were
// not recorded.
func notRecordedEvent(tenantID int64, n int, at time.Time) *directory.Event {
	return &directory.Event{TenantID: tenantID, Time: at.UTC().Truncate(time.Microsecond), Actor: "userd",
		Action: notRecordedAction, Fields: []string{strconv.Itoa(n) + " not recorded"}}
}

// record writes ev in the background if its tenant's budget allows.
func (f *failureAudit) record(ctx context.Context, ev directory.Event) {
	ok, summary, dropped := f.take(ev.TenantID)
	if summary != nil {
		f.write(ctx, *summary, dropped)
	}
	if !ok {
		if f.perMinute > 0 {
			f.observer.AuthFailureNotRecorded()
			f.logger.DebugContext(ctx, "auth: a failed authentication was not recorded: the tenant's audit budget for this minute is spent",
				"tenant_id", ev.TenantID, "per_minute", f.perMinute)
		}
		return
	}
	f.write(ctx, ev, 1)
}

// write records ev in the background, waiting there for a free writer.
// When too many writes wait already, it gives up and counts the n failures
// ev stands for (1, or a summary's count) as dropped in ev's tenant, for
// its next summary.
func (f *failureAudit) write(ctx context.Context, ev directory.Event, n int) {
	f.mu.Lock()
	if f.pending >= maxPendingAudit {
		if w := f.windows[ev.TenantID]; w != nil {
			w.dropped += n
		}
		f.mu.Unlock()
		if ev.Action != notRecordedAction { // a summary's failures were counted already
			f.observer.AuthFailureNotRecorded()
		}
		f.logger.WarnContext(ctx, "auth: audit writes are backed up; a failed authentication was not recorded", "tenant_id", ev.TenantID)
		return
	}
	f.pending++
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		f.slots <- struct{}{}
		defer func() {
			<-f.slots
			f.mu.Lock()
			f.pending--
			f.mu.Unlock()
		}()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		if err := f.store.RecordEvent(wctx, ev); err != nil {
			f.logger.WarnContext(ctx, "auth: record a failed authentication", "err", err)
		}
	}()
}

// wait blocks until the records being written have been written.
func (f *failureAudit) wait() { f.wg.Wait() }

// close waits for the records being written, then writes the summaries of
// the windows that dropped failures and were not reopened.
func (f *failureAudit) close() {
	f.wait()
	f.mu.Lock()
	now := f.now()
	var summaries []*directory.Event
	for id, w := range f.windows {
		if w.dropped > 0 {
			summaries = append(summaries, notRecordedEvent(id, w.dropped, now))
			w.dropped = 0
		}
	}
	f.mu.Unlock()
	for _, ev := range summaries {
		ctx, cancel := context.WithTimeout(context.Background(), loadTimeout)
		if err := f.store.RecordEvent(ctx, *ev); err != nil {
			f.logger.Warn("auth: record the count of failed authentications not recorded", "tenant_id", ev.TenantID, "not_recorded", ev.Fields, "err", err)
		}
		cancel()
	}
}

// failedAuthEvent describes a failed client authentication: the client_id
// tried (never the secret) and the source address. tenantID is the tenant
// of the client_id, or 0 when no client has it.
func failedAuthEvent(tenantID int64, clientID, remoteAddr string, at time.Time) directory.Event {
	ip := remoteAddr
	if host, _, err := net.SplitHostPort(remoteAddr); err == nil {
		ip = host
	}
	return directory.Event{TenantID: tenantID, Time: at.UTC().Truncate(time.Microsecond), Actor: "client:" + loggableClientID(clientID), Action: "auth.failed", ClientIP: ip}
}

// loggableClientID is a caller's client_id as logs and audit records may
// show it: shortened, and withheld unless it has the client_id prefix, as
// anything else may be a secret pasted into the wrong field (a client
// secret, an API token, an access token, a password), and text that is not
// UTF-8 or holds NUL cannot be stored in an audit record.
func loggableClientID(clientID string) string {
	if !strings.HasPrefix(clientID, directory.ClientIDPrefix) || directory.CheckText("client_id", clientID) != nil {
		return "(not a client_id, not shown)"
	}
	return truncate(clientID, 64)
}
