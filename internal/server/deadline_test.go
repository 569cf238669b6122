package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestWithDeadline(t *testing.T) {
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
			h := WithDeadline(tt.d, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				deadline, ok := r.Context().Deadline()
				if !ok {
					t.Fatal("the request's context has no deadline")
				}
				left = time.Until(deadline)
			}))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			if left > tt.want || left < tt.want-time.Second {
				t.Errorf("deadline: got %v from now, want %v", left, tt.want)
			}
		})
	}
}
