package sqlite

import "context"

// readGate admits the reads of users (a user, a list page, a batch) to
// the reader pool first come, first served, as many at once as the pool
// has connections. Without it they queue in database/sql, which hands a
// freed connection to a random waiter: at 64 concurrent pages on 4
// connections a read waited anywhere from nothing to many times the
// average, and the 99th percentile of a list page was six times its
// median. A channel hands its free places to blocked senders in the
// order they came.
type readGate chan struct{}

func newReadGate(places int) readGate { return make(readGate, places) }

// enter waits for a place, behind every read that came before, or until
// ctx ends. After a nil error the caller must call leave. A place that is
// free is taken without asking ctx for its Done channel: a request's
// context arms its deadline's timer only for a request that waits
// (server's requestContext). While reads wait, the gate has no free place,
// so taking one first jumps no queue.
func (g readGate) enter(ctx context.Context) error {
	select {
	case g <- struct{}{}:
		return nil
	default:
	}
	select {
	case g <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// leave gives back the place enter took.
func (g readGate) leave() { <-g }
