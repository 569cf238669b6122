package server

import (
	"context"
	"net/http"
	"time"
)

// DefaultRequestTimeout is how long a request may take by default.
const DefaultRequestTimeout = 10 * time.Second

// WithDeadline ends every request's context d after the request starts, so
// a slow or unreachable database cannot hold a request (and its goroutine
// and connection) longer than that: the store gives up, and the API answers
// 503 in its own error format. d <= 0 means DefaultRequestTimeout.
func WithDeadline(d time.Duration, next http.Handler) http.Handler {
	if d <= 0 {
		d = DefaultRequestTimeout
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), d)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
