package postgres

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestHeavyReadGate fills the gate of a store that runs one heavy read at
// a time and checks what a caller sees: a list page waits for the read
// before it and gives up at its deadline with a retryable error, a page
// whose request is canceled returns at once, a read by key does not wait,
// and neither wait leaves a place taken.
func TestHeavyReadGate(t *testing.T) {
	s := openFreshWith(t, heavyReadsParam, "1")
	tenant, users := seedUsers(t, s, 3)
	page := directory.UserFilter{Limit: 10}
	if err := s.heavy.Enter(t.Context()); err != nil { // a page is being read
		t.Fatal(err)
	}

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
		defer cancel()
		_, err := s.ListUsers(ctx, tenant.ID, page)
		if !errors.Is(err, context.DeadlineExceeded) || directory.KindOf(err) != directory.Unavailable {
			t.Errorf("ListUsers behind a full gate past its deadline: got %v (kind %v), want context.DeadlineExceeded, Unavailable", err, directory.KindOf(err))
		}
	})
	t.Run("canceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			_, err := s.UsersByID(ctx, tenant.ID, []int64{users[0].ID, users[1].ID})
			done <- err
		}()
		time.Sleep(50 * time.Millisecond) // let it queue
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				t.Errorf("UsersByID canceled behind a full gate: got %v, want context.Canceled", err)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("UsersByID canceled behind a full gate still waits")
		}
	})
	t.Run("read by key", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
		defer cancel()
		if _, err := s.User(ctx, tenant.ID, users[0].ID, directory.WholeUser); err != nil {
			t.Errorf("User while the gate of heavy reads is full: %v", err)
		}
	})

	// The reads that gave up freed no place: the gate is still full.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := s.heavy.Enter(ctx); err == nil {
		t.Fatal("a read that gave up behind the full gate freed the place it never took")
	}
	// Nor did they keep one: once the page before them is done, the next
	// page is read at once.
	s.heavy.Leave()
	ctx, cancel = context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	got, err := s.ListUsers(ctx, tenant.ID, page)
	if err != nil || len(got) != len(users) {
		t.Errorf("ListUsers once the gate is free: got %d users (%v), want %d", len(got), err, len(users))
	}
}
