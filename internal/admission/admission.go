// Package admission bounds how many heavy reads (list pages, batch lookups)
// a node serves at once, overall and per principal. Each such answer holds a
// page of up to directory.MaxPageSize users in memory until its last byte is
// written, which a slow reader can stretch to the whole write timeout; the
// bounds keep the memory all of them hold, and one principal's share of it,
// bounded. A request over a bound is refused at once, never queued: the
// caller is told to retry, and nothing is held for it.
package admission

import (
	"strconv"
	"sync"

	"github.com/userd/userd/internal/directory"
)

// The default bounds. A page of the largest users userd stores is some tens
// of megabytes, so the defaults keep all heavy reads of a node within a few
// hundred megabytes at worst.
const (
	DefaultTotal        = 16
	DefaultPerPrincipal = 4
)

// Limits are the bounds of a Limiter. A bound below 1 means no bound.
type Limits struct {
	// Total is how many heavy reads may run at once on the node.
	Total int
	// PerPrincipal is how many heavy reads one principal (one credential of
	// one tenant) may run at once.
	PerPrincipal int
}

// Limiter admits heavy reads within its Limits. A nil *Limiter admits
// everything. It is safe for concurrent use.
type Limiter struct {
	limits Limits

	mu       sync.Mutex
	total    int
	inFlight map[string]int // by principal key
}

// New returns a Limiter with limits.
func New(limits Limits) *Limiter {
	return &Limiter{limits: limits, inFlight: map[string]int{}}
}

// Admit admits one heavy read by p, or refuses it with a *directory.Error of
// kind TooMany when p already runs PerPrincipal of them, or Overloaded when
// the node runs Total. The principal's own bound is checked first, so a
// principal flooding the node is told that it is the one to slow down.
// After a nil error the caller must call release once, when its answer has
// been written.
func (l *Limiter) Admit(p directory.Principal) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	key := strconv.FormatInt(p.TenantID, 10) + " " + p.Actor
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.limits.PerPrincipal; n > 0 && l.inFlight[key] >= n {
		return nil, directory.Errorf(directory.TooMany, "",
			"this credential has reached its limit of %d list or batch reads at once; retry once one has finished", n)
	}
	if n := l.limits.Total; n > 0 && l.total >= n {
		return nil, directory.Errorf(directory.Overloaded, "",
			"the server is serving as many list and batch reads as it allows; retry in a moment")
	}
	l.total++
	l.inFlight[key]++
	var once sync.Once
	return func() { once.Do(func() { l.release(key) }) }, nil
}

func (l *Limiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total--
	if l.inFlight[key]--; l.inFlight[key] == 0 {
		delete(l.inFlight, key)
	}
}

// InFlight returns how many heavy reads run now, for metrics and tests.
func (l *Limiter) InFlight() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}
