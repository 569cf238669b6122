package auth

import (
	"context"
	"sync"
	"time"

	"github.com/userd/userd/internal/directory"
)

// loadTimeout bounds one store lookup made on behalf of the cache. The
// lookup runs detached from the request that started it, so a caller that
// goes away does not fail the others waiting for the same key.
const loadTimeout = 5 * time.Second

// cache remembers the results of store lookups for ttl. Concurrent misses
// on one key share a single lookup, so the store sees at most one query per
// key per ttl however many requests arrive at once.
type cache[V any] struct {
	ttl time.Duration
	now func() time.Time
	// load looks key up in the store, and reports whether its result may
	// be kept for ttl; results it does not keep, and errors, are handed to
	// the callers already waiting and then forgotten. It is set once rather
	// than passed to each get, where a closure would be allocated for
	// every credential checked.
	load func(ctx context.Context, key string) (V, bool, error)

	mu        sync.Mutex
	entries   map[string]*entry[V]
	lastSweep time.Time
}

type entry[V any] struct {
	ready chan struct{} // closed once val and err are set
	val   V
	err   error
	// expires is when a kept result goes stale; zero while loading.
	expires time.Time
}

func newCache[V any](ttl time.Duration, now func() time.Time, load func(ctx context.Context, key string) (V, bool, error)) *cache[V] {
	return &cache[V]{ttl: ttl, now: now, load: load, entries: map[string]*entry[V]{}}
}

// get returns the value cached for key or loads it.
func (c *cache[V]) get(ctx context.Context, key string) (V, error) {
	c.mu.Lock()
	now := c.now()
	e, ok := c.entries[key]
	if !ok || (!e.expires.IsZero() && !now.Before(e.expires)) {
		e = &entry[V]{ready: make(chan struct{})}
		c.entries[key] = e
		c.sweep(now)
		go c.fill(context.WithoutCancel(ctx), key, e)
	}
	c.mu.Unlock()

	// A result at hand is returned without asking ctx for its Done
	// channel: a request's context arms its deadline's timer only for a
	// request that waits (server's requestContext).
	select {
	case <-e.ready:
		return e.val, e.err
	default:
	}
	select {
	case <-e.ready:
		return e.val, e.err
	case <-ctx.Done():
		var zero V
		return zero, directory.Wrap(directory.Unavailable, ctx.Err(), "the request ended before the credential could be checked")
	}
}

func (c *cache[V]) fill(ctx context.Context, key string, e *entry[V]) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	val, keep, err := c.load(ctx, key)

	c.mu.Lock()
	defer c.mu.Unlock()
	e.val, e.err = val, err
	if keep && err == nil {
		e.expires = c.now().Add(c.ttl)
	} else if c.entries[key] == e {
		delete(c.entries, key)
	}
	close(e.ready)
}

// forget drops what the cache holds for key, so the next get reads the
// store. A lookup in flight still answers the callers already waiting for
// it, but its result is not kept.
func (c *cache[V]) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.entries, key)
}

// sweep drops stale entries, at most once per ttl, so the map holds only
// what was looked up recently. c.mu must be held.
func (c *cache[V]) sweep(now time.Time) {
	if now.Sub(c.lastSweep) < c.ttl {
		return
	}
	c.lastSweep = now
	for k, e := range c.entries {
		if !e.expires.IsZero() && !now.Before(e.expires) {
			delete(c.entries, k)
		}
	}
}
