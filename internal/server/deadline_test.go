package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestRequestTimeout checks that a request's context ends
// Config.RequestTimeout after it starts.
func TestRequestTimeout(t *testing.T) {
	tests := []struct {
		name string
		d    time.Duration
		want time.Duration
	}{
		{"set", 250 * time.Millisecond, 250 * time.Millisecond},
		{"zero means the default", 0, DefaultRequestTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var left time.Duration
			h := New(Config{RequestTimeout: tt.d}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, func(r Router) {
				r.Handle("GET /a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					deadline, ok := r.Context().Deadline()
					if !ok {
						t.Fatal("the request's context has no deadline")
					}
					left = time.Until(deadline)
				}))
			})
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
			if left > tt.want || left < tt.want-time.Second {
				t.Errorf("deadline: got %v from now, want %v", left, tt.want)
			}
		})
	}
}

// serveWaiting serves one GET through New with timeout, in a handler that
// runs wait on the request's context, and returns how long the handler ran
// and what wait returned. parent is the context net/http would give the
// request.
func serveWaiting(t *testing.T, parent context.Context, timeout time.Duration, wait func(ctx context.Context) error) (time.Duration, error) {
	t.Helper()
	var err error
	var took time.Duration
	h := New(Config{RequestTimeout: timeout}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, func(r Router) {
		r.Handle("GET /a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			start := time.Now()
			err = wait(r.Context())
			took = time.Since(start)
		}))
	})
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(parent, "GET", "/a", nil))
	return took, err
}

// childKey is the key of a value in a context a handler derives from its
// request's.
type childKey struct{}

// TestRequestContextEnds checks that a request's context ends at its
// deadline, or sooner when its client goes away, however the handler
// waits for it or looks at it, and whether it looked before or not.
func TestRequestContextEnds(t *testing.T) {
	const timeout = 3 * time.Second
	waits := []struct {
		name string
		wait func(ctx context.Context) error
	}{
		{"Done", func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		}},
		{"Err after sleeping, then Done", func(ctx context.Context) error {
			for ctx.Err() == nil {
				time.Sleep(time.Second)
				synctest.Wait() // a client going away now has gone
			}
			<-ctx.Done() // already closed
			return ctx.Err()
		}},
		{"a context of its own", func(ctx context.Context) error {
			child, cancel := context.WithCancel(context.WithValue(ctx, childKey{}, 1))
			defer cancel()
			<-child.Done()
			return child.Err()
		}},
		{"context.AfterFunc", func(ctx context.Context) error {
			ended := make(chan struct{})
			context.AfterFunc(ctx, func() { close(ended) })
			<-ended
			return ctx.Err()
		}},
		{"a gate that is full", func(ctx context.Context) error {
			gate := make(chan struct{}) // never has room
			select {
			case gate <- struct{}{}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}},
	}
	for _, w := range waits {
		t.Run(w.name+"/deadline", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				took, err := serveWaiting(t, context.Background(), timeout, w.wait)
				if !errors.Is(err, context.DeadlineExceeded) || took != timeout {
					t.Errorf("got %v after %v, want %v after %v", err, took, context.DeadlineExceeded, timeout)
				}
			})
		})
		t.Run(w.name+"/client gone", func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				parent, cancel := context.WithCancel(context.Background())
				time.AfterFunc(time.Second, cancel)
				took, err := serveWaiting(t, parent, timeout, w.wait)
				if !errors.Is(err, context.Canceled) || took != time.Second {
					t.Errorf("got %v after %v, want %v after 1s", err, took, context.Canceled)
				}
			})
		})
	}
}

// TestRequestContextUnwaited checks a request's context that nothing waits
// for: it is live while the request runs within its time, and ended once
// the request is over, as context.WithTimeout's would be after its cancel.
func TestRequestContextUnwaited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var ctx context.Context
		_, err := serveWaiting(t, context.Background(), 3*time.Second, func(c context.Context) error {
			ctx = c
			time.Sleep(2 * time.Second)
			return c.Err()
		})
		if err != nil {
			t.Errorf("within its time: got %v, want nil", err)
		}
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("after the request: got %v, want %v", err, context.Canceled)
		}
		select {
		case <-ctx.Done():
		default:
			t.Error("after the request: Done is open")
		}
		time.Sleep(2 * time.Second) // past the deadline: still canceled, not timed out
		if err := ctx.Err(); !errors.Is(err, context.Canceled) {
			t.Errorf("after the request and its deadline: got %v, want %v", err, context.Canceled)
		}
	})
}

// TestRequestContextShared checks that goroutines of one request may arm
// and read its context at once (run with -race): every one of them sees
// the same Done channel, closed at the deadline.
func TestRequestContextShared(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const n = 8
		dones := make([]<-chan struct{}, n)
		errs := make([]error, n)
		_, _ = serveWaiting(t, context.Background(), time.Second, func(ctx context.Context) error {
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_ = ctx.Err()
					dones[i] = ctx.Done()
					<-dones[i]
					errs[i] = ctx.Err()
				})
			}
			wg.Wait()
			return nil
		})
		for i := range n {
			if dones[i] != dones[0] {
				t.Errorf("goroutine %d got another Done channel than goroutine 0", i)
			}
			if !errors.Is(errs[i], context.DeadlineExceeded) {
				t.Errorf("goroutine %d: got %v, want %v", i, errs[i], context.DeadlineExceeded)
			}
		}
	})
}
