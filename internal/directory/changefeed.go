package directory

import (
	"context"
	"sync"
	"time"
)

// DefaultChangePoll is how often a reader waiting for changes
// (WaitForChanges) reads the log even when this node was told of no
// change: the changes other nodes sharing the database commit reach it
// within this time. Changes committed through this node's Service wake it
// at once.
const DefaultChangePoll = time.Second

// SetChangePoll sets how often WaitForChanges reads the log when nothing
// woke it (DefaultChangePoll when d <= 0). Call it before serving.
func (s *Service) SetChangePoll(d time.Duration) {
	if d <= 0 {
		d = DefaultChangePoll
	}
	s.changePoll = d
}

// waitMargin is the part of a request's deadline WaitForChanges leaves for
// reading and sending the page once it stops waiting.
const waitMargin = time.Second

// changeSignals wakes the readers waiting for a tenant's next change. The
// zero value is ready to use.
type changeSignals struct {
	mu      sync.Mutex
	waiting map[int64]chan struct{} // closed at the tenant's next change
}

// channel returns a channel closed at tenantID's next change.
func (c *changeSignals) channel(tenantID int64) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch, ok := c.waiting[tenantID]
	if !ok {
		if c.waiting == nil {
			c.waiting = map[int64]chan struct{}{}
		}
		ch = make(chan struct{})
		c.waiting[tenantID] = ch
	}
	return ch
}

// notify wakes every reader waiting for tenantID's changes.
func (c *changeSignals) notify(tenantID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if ch, ok := c.waiting[tenantID]; ok {
		close(ch)
		delete(c.waiting, tenantID)
	}
}

// NotifyChanges wakes the readers waiting for tenantID's changes, as a
// change committed through this Service does. A store shared by several
// nodes can call it when another node commits a change.
func (s *Service) NotifyChanges(tenantID int64) { s.signals.notify(tenantID) }

// changed wakes the readers of tenantID's log after a write that recorded
// changes committed.
func (s *Service) changed(tenantID int64, err error) {
	if err == nil {
		s.signals.notify(tenantID)
	}
}

// Changes returns up to limit entries (DefaultChangesPageSize when 0) of
// the principal's tenant's change log after position after, oldest first.
// It returns ErrResync when entries after `after` are no longer kept.
// Reading the log needs users:read.
func (s *Service) Changes(ctx context.Context, p Principal, after int64, limit int) ([]Change, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return nil, err
	}
	if after < 0 {
		return nil, Errorf(Invalid, "after", "must be a position (0 or more) from an earlier page")
	}
	if limit == 0 {
		limit = DefaultChangesPageSize
	}
	n, err := pageSize(limit)
	if err != nil {
		return nil, err
	}
	return s.store.Changes(ctx, p.TenantID, after, n)
}

// LastChange returns the position of the newest entry of the principal's
// tenant's change log (0 when there is none): where a reader that has just
// read every object starts following the log.
func (s *Service) LastChange(ctx context.Context, p Principal) (int64, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return 0, err
	}
	return s.store.LastChange(ctx, p.TenantID)
}

// WaitForChanges returns once the principal's tenant has a change after
// position after, or when wait (at most MaxChangesWait) has passed, or
// shortly before ctx's deadline, whichever comes first; it reports whether
// there is a change to read (after a wake by a commit of this node, without
// reading the log again: a reader whose after lies beyond the log's end may
// then read nothing). A change committed through this Service wakes
// it at once; one committed by another node is seen within the poll
// interval (SetChangePoll).
func (s *Service) WaitForChanges(ctx context.Context, p Principal, after int64, wait time.Duration) (bool, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return false, err
	}
	if wait < 0 || wait > MaxChangesWait {
		return false, Errorf(Invalid, "wait", "must be between 0 and %s", MaxChangesWait)
	}
	until := time.Now().Add(wait)
	if d, ok := ctx.Deadline(); ok && d.Add(-waitMargin).Before(until) {
		until = d.Add(-waitMargin)
	}
	for {
		// Taken before the read, so a change committed between the read
		// and the wait still wakes it.
		signal := s.signals.channel(p.TenantID)
		last, err := s.store.LastChange(ctx, p.TenantID)
		if err != nil || last > after {
			return last > after, err
		}
		left := time.Until(until)
		if left <= 0 {
			return false, nil
		}
		timer := time.NewTimer(min(left, s.changePoll))
		select {
		case <-signal:
			// A change of the tenant committed after the read: answer
			// without reading the log's end again (on PostgreSQL that
			// read gives positions, a transaction); the caller's read of
			// the changes does that.
			timer.Stop()
			return true, nil
		case <-timer.C:
		case <-ctx.Done():
			timer.Stop()
			return false, nil
		}
		timer.Stop()
	}
}

// pruneBatch bounds the entries one PruneChanges transaction deletes, so
// pruning never holds the writer for long.
const pruneBatch = 1000

// PruneChanges deletes the change-log entries, of every tenant, recorded
// more than retention ago, in batches of pruneBatch, and returns how many
// it deleted. It stops early when ctx ends. A reader whose position falls
// among the deleted entries is then told to resync (ErrResync).
func (s *Service) PruneChanges(ctx context.Context, retention time.Duration) (int, error) {
	if retention <= 0 {
		return 0, Errorf(Invalid, "change-retention", "must be positive")
	}
	before := s.clock().Add(-retention)
	total := 0
	for {
		n, err := s.store.PruneChanges(ctx, before, pruneBatch)
		total += n
		if err != nil || n < pruneBatch || ctx.Err() != nil {
			return total, err
		}
	}
}
