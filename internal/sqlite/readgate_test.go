package sqlite

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
)

// TestReadGateIsFirstComeFirstServed queues reads behind a full gate one
// after another and checks that they are let in in that order, where
// database/sql's own queue picks a random waiter.
func TestReadGateIsFirstComeFirstServed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newReadGate(1)
		ctx := context.Background()
		if err := g.enter(ctx); err != nil {
			t.Fatal(err)
		}
		var order []int
		for i := range 8 {
			go func() {
				if err := g.enter(ctx); err != nil {
					t.Error(err)
					return
				}
				order = append(order, i) // one at a time: the gate has one place
				g.leave()
			}()
			synctest.Wait() // i waits behind those before it
		}
		g.leave()
		synctest.Wait()
		if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(order, want) {
			t.Errorf("let in in the order %v, want %v", order, want)
		}
	})
}

// TestReadGateGivesUpWithTheContext checks that a read whose context ends
// while it waits leaves the queue without taking a place.
func TestReadGateGivesUpWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := newReadGate(1)
		if err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() { done <- g.enter(ctx) }()
		synctest.Wait()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("enter after its context ended: got %v, want context.Canceled", err)
		}
		g.leave()
		if len(g) != 0 {
			t.Errorf("the gate holds %d places after every read left, want 0", len(g))
		}
	})
}
