package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
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
