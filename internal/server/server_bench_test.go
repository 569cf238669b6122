package server

import (
	"context"
	"log/slog"
	"net/http"
	"testing"
)

// BenchmarkMiddleware weighs what New's middleware adds to a request whose
// handler does not wait: a GET answered at once, as a read of one user
// with a free reader and a cached credential is. Each request has a
// cancelable parent context of its own, as net/http gives it.
func BenchmarkMiddleware(b *testing.B) {
	body := []byte(`{"id":123456,"username":"user00123455","email":"user00123455@bench.example"}` + "\n")
	s := New(Config{}, slog.New(slog.DiscardHandler), nil, func(r Router) {
		r.Handle("GET /users/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_ = RequestID(r.Context())
			WriteBody(w, http.StatusOK, "application/json", body)
		}))
	})
	r, err := http.NewRequest("GET", "/users/123456", nil)
	if err != nil {
		b.Fatal(err)
	}
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		clear(w.h)
		s.ServeHTTP(w, r.WithContext(ctx))
		cancel()
	}
}

// discardWriter is an http.ResponseWriter that keeps nothing but its
// header map, reused from request to request.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(int)             {}
