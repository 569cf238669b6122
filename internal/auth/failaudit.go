package auth

import (
	"context"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/userd/userd/internal/directory"
)

// DefaultAuditFailuresPerMinute is how many failed authentications a node
// records in the audit log per minute at most; the rest are counted in a
// warning log line.
const DefaultAuditFailuresPerMinute = 60

// auditWriters bounds the audit writes in flight at once.
const auditWriters = 4

// failureAudit records failed client authentications as "auth.failed"
// audit events, at most perMinute a minute (a token bucket), so a flood of
// bad credentials cannot grow the audit table faster than that. Recording
// happens off the request's path: the answer to a failure does not wait
// for a database write, so a recorded and a dropped failure, and a known
// and an unknown client, take the same time.
type failureAudit struct {
	store     directory.Store
	now       func() time.Time
	perMinute int // <= 0: record nothing
	slots     chan struct{}
	wg        sync.WaitGroup

	mu      sync.Mutex
	tokens  float64
	last    time.Time
	dropped int
}

func newFailureAudit(store directory.Store, perMinute int, now func() time.Time) *failureAudit {
	return &failureAudit{store: store, now: now, perMinute: perMinute, slots: make(chan struct{}, auditWriters), tokens: float64(perMinute), last: now()}
}

// take reports whether one more event may be recorded now, and how many
// were dropped since the last one that was.
func (f *failureAudit) take() (ok bool, dropped int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.perMinute <= 0 {
		return false, 0
	}
	now := f.now()
	f.tokens = min(float64(f.perMinute), f.tokens+now.Sub(f.last).Minutes()*float64(f.perMinute))
	f.last = now
	if f.tokens < 1 {
		f.dropped++
		return false, 0
	}
	f.tokens--
	dropped, f.dropped = f.dropped, 0
	return true, dropped
}

// record writes ev in the background if the rate allows.
func (f *failureAudit) record(ctx context.Context, ev directory.Event) {
	ok, dropped := f.take()
	if dropped > 0 {
		slog.WarnContext(ctx, "auth: failed authentications arrived faster than the audit rate; some were not recorded",
			"not_recorded", dropped, "per_minute", f.perMinute)
	}
	if !ok {
		return
	}
	select {
	case f.slots <- struct{}{}:
	default:
		slog.WarnContext(ctx, "auth: audit writes are backed up; a failed authentication was not recorded")
		return
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		defer func() { <-f.slots }()
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		if err := f.store.RecordEvent(wctx, ev); err != nil {
			slog.WarnContext(ctx, "auth: record a failed authentication", "err", err)
		}
	}()
}

// wait blocks until the records being written have been written.
func (f *failureAudit) wait() { f.wg.Wait() }

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
