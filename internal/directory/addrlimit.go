package directory

import (
	"net/netip"
	"sync"
	"time"
)

// maxLimitedAddresses bounds the addresses an addressLimiter tracks, so a
// flood from invented addresses cannot exhaust memory.
const maxLimitedAddresses = 100_000

// addressLimiter counts failed sign-ins per client address in a sliding
// window, in this node's memory. Attempts in flight count as failures
// until they end, so a burst of parallel guesses cannot pass the limit
// together.
type addressLimiter struct {
	max    int
	window time.Duration
	mu     sync.Mutex
	counts map[string]*addressCount
}

type addressCount struct {
	failures []time.Time // oldest first
	pending  int
}

func newAddressLimiter(max int, window time.Duration) *addressLimiter {
	return &addressLimiter{max: max, window: window, counts: map[string]*addressCount{}}
}

// begin starts an attempt from addr at now. It returns how long addr must
// wait when its failures (and attempts in flight) reach the limit, else 0
// and the attempt counts as in flight until end.
func (l *addressLimiter) begin(addr string, now time.Time) time.Duration {
	addr = addressKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.counts[addr]
	if c != nil {
		i := 0
		for i < len(c.failures) && !now.Before(c.failures[i].Add(l.window)) {
			i++
		}
		c.failures = c.failures[i:]
		if len(c.failures)+c.pending >= l.max {
			if len(c.failures) == 0 {
				return time.Second // only attempts in flight: retry shortly
			}
			return max(c.failures[0].Add(l.window).Sub(now), time.Second)
		}
	} else {
		if len(l.counts) >= maxLimitedAddresses {
			l.evict(now)
		}
		c = &addressCount{}
		l.counts[addr] = c
	}
	c.pending++
	return 0
}

// end settles an attempt begun earlier, as a failure at now if failed.
func (l *addressLimiter) end(addr string, failed bool, now time.Time) {
	addr = addressKey(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.counts[addr]
	if c == nil {
		return
	}
	c.pending = max(c.pending-1, 0)
	if failed {
		c.failures = append(c.failures, now)
		if len(c.failures) > l.max { // keep what the limit needs
			c.failures = c.failures[len(c.failures)-l.max:]
		}
	}
	if len(c.failures) == 0 && c.pending == 0 {
		delete(l.counts, addr)
	}
}

// evict drops the addresses whose failures have all left the window, or
// failing that one address with nothing in flight. l.mu must be held.
func (l *addressLimiter) evict(now time.Time) {
	for k, c := range l.counts {
		if c.pending == 0 && (len(c.failures) == 0 || !now.Before(c.failures[len(c.failures)-1].Add(l.window))) {
			delete(l.counts, k)
		}
	}
	if len(l.counts) < maxLimitedAddresses {
		return
	}
	for k, c := range l.counts {
		if c.pending == 0 {
			delete(l.counts, k)
			return
		}
	}
}

// addressKey is what addresses are counted by: an IPv4 address, or the /64
// an IPv6 address is in, as one host usually holds a whole /64.
func addressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return addr
	}
	if ip = ip.Unmap(); ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}
