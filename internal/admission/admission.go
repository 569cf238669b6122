// Package admission bounds the heavy reads (list pages, batch lookups) a
// node serves at once, overall and per principal. Such an answer holds the
// items it lists (up to directory.MaxPageSize users) in memory until its
// last byte is written, which a slow reader can stretch to the whole write
// timeout; so the bounds count items, not requests: a page of 1000 weighs
// ten of 100. They keep the memory all heavy reads hold, and one
// principal's share of it, bounded, while many small answers still run side
// by side. A read over a bound is refused at once, never queued: the caller
// is told to retry, and nothing is held for it.
package admission

import (
	"strconv"
	"sync"

	"github.com/userd/userd/internal/directory"
)

// The default bounds, in items. A page of 1000 of the largest users userd
// stores holds some 32 MB, one of ordinary users about 1 MB: the node's
// heavy reads hold at most some 500 MB, and one credential half of that,
// while 64 batch lookups of 100 users from one credential run at once.
const (
	DefaultTotal        = 16000
	DefaultPerPrincipal = 8000
)

// Limits are the bounds of a Limiter, in items listed by the heavy reads in
// flight. A bound below 1 means no bound.
type Limits struct {
	// Total bounds the items of all heavy reads on the node.
	Total int
	// PerPrincipal bounds the items of the heavy reads of one principal (one
	// credential of one tenant).
	PerPrincipal int
}

// Limiter admits heavy reads within its Limits. A nil *Limiter admits
// everything. It is safe for concurrent use.
type Limiter struct {
	limits Limits

	mu       sync.Mutex
	total    int
	inFlight map[string]int // items by principal key
}

// New returns a Limiter with limits.
func New(limits Limits) *Limiter {
	return &Limiter{limits: limits, inFlight: map[string]int{}}
}

// Admit admits a heavy read by p that lists up to items items (its page
// size or the number of ids it asks for), or refuses it with a
// *directory.Error of kind TooMany when p's reads in flight would then list
// more than PerPrincipal items, or Overloaded when the node's would list
// more than Total. The principal's own bound is checked first, so a
// principal flooding the node is told that it is the one to slow down. A
// read larger than a bound counts as that bound: it runs when nothing else
// does. After a nil error the caller must call release once its answer has
// been written.
func (l *Limiter) Admit(p directory.Principal, items int) (release func(), err error) {
	if l == nil {
		return func() {}, nil
	}
	items = max(items, 1)
	key := strconv.FormatInt(p.TenantID, 10) + " " + p.Actor
	own, all := within(items, l.limits.PerPrincipal), within(items, l.limits.Total)
	l.mu.Lock()
	defer l.mu.Unlock()
	if n := l.limits.PerPrincipal; n > 0 && l.inFlight[key]+own > n {
		return nil, directory.Errorf(directory.TooMany, "",
			"this credential's list and batch answers in flight would hold more than %d items, its limit; retry once one has finished, or ask for fewer items at once", n)
	}
	if n := l.limits.Total; n > 0 && l.total+all > n {
		return nil, directory.Errorf(directory.Overloaded, "",
			"the server is holding as many items in list and batch answers as it allows; retry in a moment")
	}
	l.total += all
	l.inFlight[key] += own
	var once sync.Once
	return func() { once.Do(func() { l.release(key, own, all) }) }, nil
}

// within returns items, or bound when items is more and bound is a bound.
func within(items, bound int) int {
	if bound > 0 {
		return min(items, bound)
	}
	return items
}

func (l *Limiter) release(key string, own, all int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total -= all
	if l.inFlight[key] -= own; l.inFlight[key] == 0 {
		delete(l.inFlight, key)
	}
}

// InFlight returns the items the heavy reads in flight list, for metrics
// and tests.
func (l *Limiter) InFlight() int {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}
