package auth

import (
	"context"
	"runtime"
	"testing"
)

// TestFairSlotsCancelledWaiter checks that a waiter whose context ends
// leaves its queue without taking a turn or a slot, and that the slots
// all come back once everyone is done.
func TestFairSlotsCancelledWaiter(t *testing.T) {
	f := newFairSlots(1)
	if err := f.acquire(context.Background(), 1); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 3)
	wait := func(ctx context.Context, key int64, name string) {
		n := f.waiting()
		go func() {
			if err := f.acquire(ctx, key); err != nil {
				got <- name + ": " + err.Error()
				return
			}
			got <- name
		}()
		for f.waiting() == n {
			runtime.Gosched()
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	wait(ctx, 1, "a1")
	wait(context.Background(), 1, "a2")
	wait(context.Background(), 2, "b1")
	cancel()
	if s := <-got; s != "a1: "+context.Canceled.Error() {
		t.Fatalf("got %q, want a1 cancelled", s)
	}
	for _, want := range []string{"a2", "b1"} {
		f.release()
		if s := <-got; s != want {
			t.Errorf("got %q served, want %s", s, want)
		}
	}
	f.release()
	if f.inUse() != 0 || f.waiting() != 0 {
		t.Errorf("got %d in use and %d waiting, want none", f.inUse(), f.waiting())
	}
	if err := f.acquire(context.Background(), 3); err != nil || f.inUse() != 1 {
		t.Errorf("acquire after all done: got %v with %d in use, want a slot at once", err, f.inUse())
	}
}
