package auth

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/userd/userd/internal/directory"
)

// Defaults of the token endpoint's failure limits (Options).
const (
	// DefaultMaxClientFailures is OWASP ASVS's ceiling: at most 100 failed
	// authentications per client_id per FailureWindow.
	DefaultMaxClientFailures = 100
	// DefaultMaxAddressFailures lets one source address fail against ten
	// clients' worth of limits before it is refused.
	DefaultMaxAddressFailures = 1000
	// DefaultFailureWindow is the sliding window the failures are counted in.
	DefaultFailureWindow = time.Hour
	// maxLimiterKeys bounds the client_ids and addresses a limiter tracks at
	// once, so a flood of invented client_ids cannot exhaust memory.
	maxLimiterKeys = 100_000
)

// failureCount is one key's failures in the window, oldest first, and its
// attempts being evaluated right now.
type failureCount struct {
	failures []time.Time
	pending  int
}

// failureLimiter counts failed client authentications per key in a sliding
// window, in the memory of one node. failureLimits.mu guards it.
type failureLimiter struct {
	max    int // <= 0: no limit
	window time.Duration
	counts map[string]*failureCount
}

func newFailureLimiter(max int, window time.Duration) *failureLimiter {
	return &failureLimiter{max: max, window: window, counts: map[string]*failureCount{}}
}

// check reports whether key may be evaluated at now: wait if the failures
// plus the attempts in flight reach the limit, and retryAfter (> 0) if the
// failures alone do, with how long until the oldest leaves the window.
func (l *failureLimiter) check(key string, now time.Time) (wait bool, retryAfter time.Duration) {
	if l.max <= 0 {
		return false, 0
	}
	c := l.counts[key]
	if c == nil {
		return false, 0
	}
	i := 0
	for i < len(c.failures) && !now.Before(c.failures[i].Add(l.window)) {
		i++
	}
	c.failures = c.failures[i:]
	l.forgetIfEmpty(key, c)
	switch {
	case len(c.failures) >= l.max:
		return false, c.failures[0].Add(l.window).Sub(now)
	case len(c.failures)+c.pending >= l.max:
		return true, 0
	}
	return false, 0
}

func (l *failureLimiter) forgetIfEmpty(key string, c *failureCount) {
	if len(c.failures) == 0 && c.pending == 0 {
		delete(l.counts, key)
	}
}

// begin counts an attempt of key in flight.
func (l *failureLimiter) begin(key string) {
	if l.max <= 0 {
		return
	}
	c := l.counts[key]
	if c == nil {
		if len(l.counts) >= maxLimiterKeys {
			l.evict()
		}
		c = &failureCount{}
		l.counts[key] = c
	}
	c.pending++
}

// end settles an attempt of key begun earlier, as a failure at now if
// failed.
func (l *failureLimiter) end(key string, failed bool, now time.Time) {
	c := l.counts[key]
	if c == nil { // evicted meanwhile
		return
	}
	c.pending = max(c.pending-1, 0)
	if failed {
		c.failures = append(c.failures, now)
	}
	l.forgetIfEmpty(key, c)
}

// evict makes room for a new key by dropping an arbitrary one with nothing
// in flight. Keys whose failures have left the window are dropped by check
// as they are seen.
func (l *failureLimiter) evict() {
	for k, c := range l.counts {
		if c.pending == 0 {
			delete(l.counts, k)
			return
		}
	}
}

// failureLimits are the token endpoint's two limits: per client_id and per
// source address. An attempt is counted as in flight before its credentials
// are checked, and an attempt that would reach a limit if the ones in
// flight failed waits for them to settle; so under a concurrent burst
// exactly the allowance is evaluated and the rest are refused, while right
// credentials, which settle as successes, never use it up.
type failureLimits struct {
	now     func() time.Time
	clients *failureLimiter
	addrs   *failureLimiter

	mu sync.Mutex
	// settled is closed and replaced whenever an attempt settles.
	settled chan struct{}
}

func newFailureLimits(perClient, perAddress int, window time.Duration, now func() time.Time) *failureLimits {
	return &failureLimits{
		now:     now,
		clients: newFailureLimiter(perClient, window),
		addrs:   newFailureLimiter(perAddress, window),
		settled: make(chan struct{}),
	}
}

// attempt is one client authentication counted by failureLimits.
type attempt struct {
	limits *failureLimits
	client string
	addr   string
}

// begin counts an attempt for clientID from remoteAddr. When either has
// used up its allowance it counts nothing and returns how long to wait
// (retryAfter > 0). Unknown and known client_ids are counted alike: the
// limits never ask which they are.
func (f *failureLimits) begin(ctx context.Context, clientID, remoteAddr string) (a attempt, retryAfter time.Duration, err error) {
	addr := addressKey(remoteAddr)
	f.mu.Lock()
	for {
		now := f.now()
		waitC, retryC := f.clients.check(clientID, now)
		waitA, retryA := f.addrs.check(addr, now)
		if retryC > 0 || retryA > 0 {
			f.mu.Unlock()
			return attempt{}, max(retryC, retryA, time.Second), nil
		}
		if !waitC && !waitA {
			break
		}
		settled := f.settled
		f.mu.Unlock()
		select {
		case <-settled:
		case <-ctx.Done():
			return attempt{}, 0, directory.Wrap(directory.Unavailable, ctx.Err(), "the request ended while waiting to be checked")
		}
		f.mu.Lock()
	}
	f.clients.begin(clientID)
	f.addrs.begin(addr)
	f.mu.Unlock()
	return attempt{limits: f, client: clientID, addr: addr}, 0, nil
}

// end settles the attempt: failed if the credentials were wrong; not if
// they were right or the store could not tell.
func (a attempt) end(failed bool) {
	f := a.limits
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if f.clients.max > 0 {
		f.clients.end(a.client, failed, now)
	}
	if f.addrs.max > 0 {
		f.addrs.end(a.addr, failed, now)
	}
	close(f.settled)
	f.settled = make(chan struct{})
}

// addressKey is the source address a failure is counted against: the IP
// of remoteAddr, or its /64 for IPv6, as one host usually holds a whole /64.
func addressKey(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		host = remoteAddr
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
