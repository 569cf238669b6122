// Package writequeue is the queue of writes waiting for a group commit,
// shared by the SQLite and PostgreSQL stores: requests add their writes,
// committing goroutines take them in batches, and a request that gives up
// withdraws its write if no batch has taken it yet. The PostgreSQL store
// queues its reads by key the same way, to send them in one round trip.
package writequeue

import "sync"

// Queue holds writes of type T in arrival order. It is safe for
// concurrent use.
type Queue[T any] struct {
	mu     sync.Mutex
	wake   *sync.Cond // signalled when items grows or closed is set
	items  []*T
	closed bool
}

// New returns an empty, open queue.
func New[T any]() *Queue[T] {
	q := &Queue[T]{}
	q.wake = sync.NewCond(&q.mu)
	return q
}

// Add queues op, at the head when front is set (a write that runs again
// has waited once already), and reports false when the queue is closed.
func (q *Queue[T]) Add(op *T, front bool) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	if front {
		q.items = append([]*T{op}, q.items...)
	} else {
		q.items = append(q.items, op)
	}
	q.wake.Signal()
	return true
}

// Withdraw removes op and reports whether it was still queued; once a
// batch has taken it, its writer must wait for its outcome.
func (q *Queue[T]) Withdraw(op *T) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, o := range q.items {
		if o == op {
			q.items = append(q.items[:i], q.items[i+1:]...)
			return true
		}
	}
	return false
}

// Take removes and returns up to n writes from the head.
func (q *Queue[T]) Take(n int) []*T {
	q.mu.Lock()
	defer q.mu.Unlock()
	n = min(len(q.items), n)
	batch := append([]*T(nil), q.items[:n]...)
	q.items = append(q.items[:0], q.items[n:]...)
	return batch
}

// Wait blocks until a write is queued or the queue is closed, and reports
// whether a write is queued.
func (q *Queue[T]) Wait() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.items) == 0 && !q.closed {
		q.wake.Wait()
	}
	return len(q.items) > 0
}

// Close refuses new writes and wakes every waiter. The writes queued stay,
// to be taken, unless drop is set: then they are removed and returned, for
// the caller to answer.
func (q *Queue[T]) Close(drop bool) []*T {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.wake.Broadcast()
	if !drop {
		return nil
	}
	dropped := q.items
	q.items = nil
	return dropped
}

// Len returns the number of writes queued.
func (q *Queue[T]) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items)
}
