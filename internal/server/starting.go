package server

import (
	"net/http"
	"sync/atomic"
)

// Starting is the handler of a node whose store is not ready yet, such as
// one started while PostgreSQL is down: /healthz answers 200 (the process
// runs, so a liveness probe leaves it alone), /readyz and every other route
// 503 with Retry-After. Once Ready is called it passes every request to the
// handler given, for good.
type Starting struct {
	next atomic.Pointer[http.Handler]
}

// Ready makes s serve every request with h from now on.
func (s *Starting) Ready(h http.Handler) { s.next.Store(&h) }

// ServeHTTP serves r with the ready handler, or answers for a node that
// is still starting.
func (s *Starting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h := s.next.Load(); h != nil {
		(*h).ServeHTTP(w, r)
		return
	}
	if r.URL.Path == "/healthz" {
		writePlain(w, http.StatusOK, "ok\n")
		return
	}
	w.Header().Set("Retry-After", "5")
	writePlain(w, http.StatusServiceUnavailable, "userd is starting: its database is not ready yet; retry later\n")
}
