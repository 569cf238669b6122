package sqlite

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/userd/userd/internal/server"
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

// TestReadGateWaitEndsAtTheRequestDeadline checks that a request whose
// read waits at a full gate gives up at the request's deadline, as
// server.Config.RequestTimeout promises, and that one finding a free place
// is let in.
func TestReadGateWaitEndsAtTheRequestDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 2 * time.Second
		g := newReadGate(1)
		var err error
		var took time.Duration
		h := server.New(server.Config{RequestTimeout: timeout}, slog.New(slog.DiscardHandler), nil, func(r server.Router) {
			r.Handle("GET /a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				start := time.Now()
				if err = g.enter(r.Context()); err == nil {
					g.leave()
				}
				took = time.Since(start)
			}))
		})
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
		if err != nil || took != 0 {
			t.Fatalf("a free gate: got %v after %v, want in at once", err, took)
		}
		if err := g.enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
		if !errors.Is(err, context.DeadlineExceeded) || took != timeout {
			t.Errorf("a full gate: got %v after %v, want %v after %v", err, took, context.DeadlineExceeded, timeout)
		}
	})
}
