package auth

import (
	"context"
	"sync"
)

// fairSlots is a counting semaphore whose waiters queue per key (a
// tenant) and are served round-robin across keys, first come first served
// within a key. So a key with a long queue delays another key's waiter by
// at most one slot hand-over per key waiting, not by its whole backlog.
type fairSlots struct {
	mu     sync.Mutex
	free   int
	used   int
	queues map[int64][]*slotWaiter
	// turns lists the keys with waiters, in the order they are served;
	// next is the index of the key served next.
	turns   []int64
	next    int
	waiters int
}

// slotWaiter is one acquire waiting; ready is closed when it holds a slot.
type slotWaiter struct {
	ready   chan struct{}
	granted bool
}

func newFairSlots(n int) *fairSlots {
	return &fairSlots{free: n, queues: map[int64][]*slotWaiter{}}
}

// acquire takes a slot for key, waiting in key's queue while ctx allows.
func (f *fairSlots) acquire(ctx context.Context, key int64) error {
	f.mu.Lock()
	if f.free > 0 && f.waiters == 0 {
		f.free--
		f.used++
		f.mu.Unlock()
		return nil
	}
	w := &slotWaiter{ready: make(chan struct{})}
	if len(f.queues[key]) == 0 {
		f.turns = append(f.turns, key)
	}
	f.queues[key] = append(f.queues[key], w)
	f.waiters++
	f.mu.Unlock()

	select {
	case <-w.ready:
		return nil
	case <-ctx.Done():
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if w.granted { // granted as ctx ended: pass the slot on
		f.handOver()
		return ctx.Err()
	}
	q := f.queues[key]
	for i, x := range q {
		if x == w {
			f.queues[key] = append(q[:i:i], q[i+1:]...)
			break
		}
	}
	f.waiters--
	if len(f.queues[key]) == 0 {
		f.dropTurn(key)
	}
	return ctx.Err()
}

// release gives back a slot acquire took.
func (f *fairSlots) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.handOver()
}

// handOver gives the slot being let go to the first waiter of the key
// whose turn it is, or frees it. f.mu must be held.
func (f *fairSlots) handOver() {
	if f.waiters == 0 {
		f.free++
		f.used--
		return
	}
	if f.next >= len(f.turns) {
		f.next = 0
	}
	key := f.turns[f.next]
	q := f.queues[key]
	w := q[0]
	f.queues[key] = q[1:]
	f.waiters--
	if len(f.queues[key]) == 0 {
		f.dropTurn(key) // the next key moves to index f.next
	} else {
		f.next++
	}
	w.granted = true
	close(w.ready)
}

// dropTurn removes key, whose queue is empty, from the turns. f.mu must be
// held.
func (f *fairSlots) dropTurn(key int64) {
	delete(f.queues, key)
	for i, k := range f.turns {
		if k == key {
			f.turns = append(f.turns[:i], f.turns[i+1:]...)
			if i < f.next {
				f.next--
			}
			return
		}
	}
}

// inUse returns how many slots are held.
func (f *fairSlots) inUse() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.used
}

// waiting returns how many acquires are waiting.
func (f *fairSlots) waiting() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.waiters
}
