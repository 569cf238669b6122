package server

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultRequestTimeout is how long a request may take by default
// (Config.RequestTimeout).
const DefaultRequestTimeout = 10 * time.Second

// requestContext is a request's context: it carries the request's id, and
// ends at the request's deadline, when its parent (net/http's, which ends
// when the client goes away) does, or when the request is over, whichever
// comes first, as context.WithTimeout's would.
//
// It is context.WithDeadline(parent, deadline), made only when something
// first waits for it (Done, and so context.AfterFunc and a context derived
// from it) or finds it ended (Err). Until then it keeps no timer and is not
// registered with its parent: most requests never wait (a read of one user
// whose reader and credential are free), and for those the timer, the
// registration and their six allocations were some 8% of the CPU of a GET.
// A request that does wait arms it then, for the time left, so every wait
// still ends at the deadline. context.Cause of it before anything waited
// is its parent's.
type requestContext struct {
	parent   context.Context
	deadline time.Time
	id       string

	mu    sync.Mutex
	armed atomic.Pointer[armedContext] // set once, under mu
	// over is why the context ended when the request ended (end) before
	// anything armed it; nil until then.
	over error
}

// armedContext is the context.WithDeadline a requestContext stands for once
// armed.
type armedContext struct {
	context.Context
	cancel context.CancelFunc
}

// newRequestContext returns the context of a request with id that may run
// until deadline. The caller must call end when the request is over.
func newRequestContext(parent context.Context, id string, deadline time.Time) *requestContext {
	return &requestContext{parent: parent, deadline: deadline, id: id}
}

// Deadline returns the request's deadline.
func (c *requestContext) Deadline() (time.Time, bool) { return c.deadline, true }

// Done returns a channel closed when the context ends, arming it.
func (c *requestContext) Done() <-chan struct{} {
	if a := c.armed.Load(); a != nil {
		return a.Done()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.over != nil {
		return closedChan
	}
	return c.armLocked().Done()
}

// Err returns nil while the context is live, and why it ended after. It
// arms the context only when it finds it ended, so Done agrees with it.
func (c *requestContext) Err() error {
	if a := c.armed.Load(); a != nil {
		return a.Err()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.over != nil {
		return c.over
	}
	if c.parent.Err() == nil && time.Now().Before(c.deadline) {
		return nil
	}
	return c.armLocked().Err()
}

// Value returns a pointer to the request's id for requestIDKey (a string
// would be copied to the heap at each call), and the parent's value for
// any other key.
func (c *requestContext) Value(key any) any {
	if key == (requestIDKey{}) {
		return &c.id
	}
	if a := c.armed.Load(); a != nil {
		// The armed context answers for itself the key by which contexts
		// derived from it find it, and so join it directly.
		return a.Value(key)
	}
	return c.parent.Value(key)
}

// armLocked makes the context the request's deadline stands for, once; a
// deadline already past or a parent already ended makes one that is
// ended. c.mu must be held, and c.over nil.
func (c *requestContext) armLocked() *armedContext {
	if a := c.armed.Load(); a != nil {
		return a
	}
	ctx, cancel := context.WithDeadline(c.parent, c.deadline)
	a := &armedContext{Context: ctx, cancel: cancel}
	c.armed.Store(a)
	return a
}

// end ends the context as the request ends: an armed one is canceled, and
// one nothing armed remembers why it ended (its parent's error, its
// deadline, or the request's end), so that whatever holds on to it sees
// what context.WithTimeout's cancel would have left.
func (c *requestContext) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if a := c.armed.Load(); a != nil {
		a.cancel()
		return
	}
	switch {
	case c.parent.Err() != nil:
		c.over = c.parent.Err()
	case !time.Now().Before(c.deadline):
		c.over = context.DeadlineExceeded
	default:
		c.over = context.Canceled
	}
}

// closedChan is the Done of a context that ended before anything armed it.
var closedChan = func() chan struct{} {
	c := make(chan struct{})
	close(c)
	return c
}()
