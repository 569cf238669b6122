// Package fifo admits work to a bounded resource first come, first served.
//
// Both stores use it to queue their reads in arrival order. Their
// connection pools hand a freed connection to a waiter of their own
// choosing (database/sql to a random one), and even a pool that queues in
// order lets every read it admits run at once, as many as it has
// connections: when those outnumber the cores of the database, the reads
// share the cores and each takes as long as all of them together, so a
// page's latency depends on how many others run beside it rather than on
// when it came.
package fifo

import "context"

// Gate lets in at most its size of callers at a time and queues the others
// in the order they came. The zero Gate is not usable; make one with
// NewGate. It is safe for concurrent use.
//
// A full Gate is a full buffered channel: a caller that finds no place
// waits among the channel's blocked senders, and a place given back goes to
// the first of them, so no newcomer overtakes a waiter.
type Gate struct{ places chan struct{} }

// NewGate returns a Gate that lets in size callers at once. size must be
// at least 1.
func NewGate(size int) *Gate {
	if size < 1 {
		panic("fifo: NewGate: the size must be at least 1")
	}
	return &Gate{places: make(chan struct{}, size)}
}

// Enter waits for a place, behind every caller that came before, and
// returns nil once it has one; the caller must then call Leave once. If
// ctx ends while it waits, Enter returns ctx's error
// (context.DeadlineExceeded or context.Canceled) at once, having taken no
// place, and leaves the queue.
//
// A place that is free is taken without asking ctx for its Done channel: a
// request's context arms its deadline's timer only for a request that
// waits (the server's requestContext). While callers wait, the Gate has no
// free place, so taking one first jumps no queue.
func (g *Gate) Enter(ctx context.Context) error {
	select {
	case g.places <- struct{}{}:
		return nil
	default:
	}
	select {
	case g.places <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Leave gives back the place Enter took.
func (g *Gate) Leave() { <-g.places }

// Size is how many callers the Gate lets in at once.
func (g *Gate) Size() int { return cap(g.places) }
