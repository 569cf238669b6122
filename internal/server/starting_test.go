package server

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestStarting checks what a node answers before and after its store is
// ready: before, /healthz 200 and everything else 503 with Retry-After;
// after, whatever the ready handler answers, /healthz included.
func TestStarting(t *testing.T) {
	var s Starting
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 503, "/admin/v1/users": 503} {
		rec := get(path)
		if rec.Code != want {
			t.Errorf("starting, GET %s: got %d, want %d", path, rec.Code, want)
		}
		if want == 503 && rec.Header().Get("Retry-After") == "" {
			t.Errorf("starting, GET %s: no Retry-After", path)
		}
	}
	s.Ready(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) }))
	for _, path := range []string{"/healthz", "/readyz", "/admin/v1/users"} {
		if rec := get(path); rec.Code != http.StatusTeapot {
			t.Errorf("ready, GET %s: got %d, want the ready handler's 418", path, rec.Code)
		}
	}
}
