package writequeue

import (
	"slices"
	"testing"
)

// TestQueue: writes are taken in order (a retried one first), a withdrawn
// one is never taken, and Close refuses new writes and either keeps the
// queued ones for the committer or hands them back.
func TestQueue(t *testing.T) {
	ops := []*int{new(int), new(int), new(int), new(int)}
	for i, op := range ops {
		*op = i
	}
	q := New[int]()
	q.Add(ops[0], false)
	q.Add(ops[1], false)
	q.Add(ops[2], false)
	q.Add(ops[3], true)
	if !q.Withdraw(ops[1]) || q.Withdraw(ops[1]) {
		t.Fatal("Withdraw: want true once, then false")
	}
	if got := q.Take(2); !slices.Equal(got, []*int{ops[3], ops[0]}) {
		t.Errorf("Take(2) = %v, want ops 3 and 0", got)
	}
	if q.Close(false) != nil || q.Add(ops[1], false) || !q.Wait() || q.Len() != 1 {
		t.Error("Close(false): want new writes refused and the queued one kept")
	}
	if got := q.Close(true); !slices.Equal(got, []*int{ops[2]}) || q.Wait() {
		t.Errorf("Close(true) = %v, want op 2 handed back and nothing left to wait for", got)
	}
}
