package server

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
)

// TestRoutes checks that Routes lists every pattern registered, the health
// endpoints first and then each mount's in order, and that each one serves.
func TestRoutes(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	s := New(Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil,
		func(r Router) { r.Handle("GET /a/{id}", ok) },
		func(r Router) { r.Handle("POST /b", ok); r.Handle("DELETE /b/{id}", ok) },
	)
	want := []string{"GET /healthz", "GET /readyz", "GET /a/{id}", "POST /b", "DELETE /b/{id}"}
	if got := s.Routes(); !slices.Equal(got, want) {
		t.Errorf("got routes %q, want %q", got, want)
	}
	s.Routes()[0] = "changed"
	if got := s.Routes()[0]; got != "GET /healthz" {
		t.Errorf("changing the returned slice changed the server's routes: got %q", got)
	}
	for _, req := range []*http.Request{httptest.NewRequest("GET", "/a/1", nil), httptest.NewRequest("POST", "/b", nil), httptest.NewRequest("DELETE", "/b/2", nil)} {
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		if rec.Code != http.StatusTeapot {
			t.Errorf("%s %s: got status %d, want %d", req.Method, req.URL, rec.Code, http.StatusTeapot)
		}
	}
}
