package fifo

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

// TestGateLetsInInArrivalOrder queues callers behind a full gate one after
// another and checks that they are let in in that order.
func TestGateLetsInInArrivalOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1)
		ctx := context.Background()
		if err := g.Enter(ctx); err != nil {
			t.Fatal(err)
		}
		var order []int
		for i := range 8 {
			go func() {
				if err := g.Enter(ctx); err != nil {
					t.Error(err)
					return
				}
				order = append(order, i) // one at a time: the gate has one place
				g.Leave()
			}()
			synctest.Wait() // i waits behind those before it
		}
		g.Leave()
		synctest.Wait()
		if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(order, want) {
			t.Errorf("let in in the order %v, want %v", order, want)
		}
	})
}

// TestGateLetsInItsSize checks that a gate of n lets n callers in at once
// without waiting and holds the next one until a place is given back.
func TestGateLetsInItsSize(t *testing.T) {
	for _, n := range []int{1, 3, 16} {
		synctest.Test(t, func(t *testing.T) {
			g := NewGate(n)
			ctx := context.Background()
			for i := range n {
				if err := g.Enter(ctx); err != nil {
					t.Fatalf("caller %d of a gate of %d: %v", i+1, n, err)
				}
			}
			entered := make(chan struct{})
			go func() {
				if err := g.Enter(ctx); err != nil {
					t.Error(err)
				}
				close(entered)
			}()
			synctest.Wait()
			select {
			case <-entered:
				t.Fatalf("a gate of %d let in caller %d while %d were inside", n, n+1, n)
			default:
			}
			g.Leave()
			synctest.Wait()
			select {
			case <-entered:
			default:
				t.Fatalf("a gate of %d did not let in the waiting caller once one left", n)
			}
		})
	}
}

// TestGateWaitEndsWithTheContext checks that a caller whose context ends
// while it waits returns at once with the context's error, takes no place
// and leaves the queue, so the caller behind it is let in next.
func TestGateWaitEndsWithTheContext(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1)
		if err := g.Enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		gaveUp := make(chan error)
		go func() { gaveUp <- g.Enter(ctx) }()
		synctest.Wait()
		entered := make(chan struct{})
		go func() {
			if err := g.Enter(context.Background()); err != nil {
				t.Error(err)
			}
			close(entered)
		}()
		synctest.Wait()
		cancel()
		if err := <-gaveUp; !errors.Is(err, context.Canceled) {
			t.Fatalf("Enter after its context ended: got %v, want context.Canceled", err)
		}
		g.Leave()
		synctest.Wait()
		select {
		case <-entered:
		default:
			t.Fatal("the caller behind one that gave up was not let in when the place came free")
		}
		g.Leave()
		if got := len(g.places); got != 0 {
			t.Errorf("the gate holds %d places after every caller left, want 0", got)
		}
	})
}

// TestGateWaitEndsAtTheDeadline checks that a caller waiting behind a full
// gate gets context.DeadlineExceeded when its deadline passes.
func TestGateWaitEndsAtTheDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		g := NewGate(1)
		if err := g.Enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		start := time.Now()
		if err := g.Enter(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Enter behind a full gate past its deadline: got %v, want context.DeadlineExceeded", err)
		}
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("Enter waited %v, want its deadline, 1s", waited)
		}
	})
}

// TestGateWaitEndsAtTheRequestDeadline checks that a request whose wait at
// a full gate began on the context the server gives it gives up at the
// request's deadline, as server.Config.RequestTimeout promises, and that
// one finding a free place is let in at once.
func TestGateWaitEndsAtTheRequestDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const timeout = 2 * time.Second
		g := NewGate(1)
		var err error
		var took time.Duration
		h := server.New(server.Config{RequestTimeout: timeout}, slog.New(slog.DiscardHandler), nil, func(r server.Router) {
			r.Handle("GET /a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				start := time.Now()
				if err = g.Enter(r.Context()); err == nil {
					g.Leave()
				}
				took = time.Since(start)
			}))
		})
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
		if err != nil || took != 0 {
			t.Fatalf("a free gate: got %v after %v, want in at once", err, took)
		}
		if err := g.Enter(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
		if !errors.Is(err, context.DeadlineExceeded) || took != timeout {
			t.Errorf("a full gate: got %v after %v, want %v after %v", err, took, context.DeadlineExceeded, timeout)
		}
	})
}
