// Package server assembles userd's HTTP surface: it mounts every API on one
// mux and wraps it in the middleware all of them share (request ids, access
// log, panic recovery, body size and time limits, refusing ambiguous
// framing) and the health endpoints, and the listener that caps
// connections.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/userd/userd/internal/directory"
)

// Config holds the HTTP settings shared by every API.
type Config struct {
	// MaxBodyBytes caps every request body; reading past it fails and the
	// API answers 413 in its own error format.
	MaxBodyBytes int64
	// BodyReadTimeout is how long a request body may take to arrive after
	// its header; 0 means DefaultBodyReadTimeout.
	BodyReadTimeout time.Duration
	// RequestTimeout is how long a request may take: its context ends then,
	// so a slow or unreachable database cannot hold a request (and its
	// goroutine and connection) longer than that; the store gives up, and
	// the API answers 503 in its own error format. 0 means
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
	// Observe, if set, is called once per finished request with its status
	// and duration; r.Pattern is the route that matched, "" if none did.
	// It is how metrics see requests without server depending on them.
	Observe func(r *http.Request, status int, elapsed time.Duration)
}

// DefaultMaxBodyBytes is the default request body limit: every valid body
// of every API is well under it (a user with a full 16 KiB extension
// included).
const DefaultMaxBodyBytes = 64 << 10

// Router is what an API registers its routes on. *http.ServeMux is one; New
// passes one that also records each pattern, so tests can list the routes.
type Router interface {
	Handle(pattern string, handler http.Handler)
}

// Mount registers an API's routes.
type Mount func(r Router)

// Server is userd's whole HTTP surface.
type Server struct {
	handler http.Handler
	routes  []string
}

// ServeHTTP serves a request through the shared middleware.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Routes returns the pattern of every registered route in registration
// order, so a test can prove that each one is covered.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

// recordingRouter registers on a mux and remembers each pattern.
type recordingRouter struct {
	mux      *http.ServeMux
	patterns []string
}

func (r *recordingRouter) Handle(pattern string, handler http.Handler) {
	r.patterns = append(r.patterns, pattern)
	r.mux.Handle(pattern, handler)
}

// New returns the handler for the whole server: health endpoints, each
// mounted API, and the shared middleware around them.
func New(cfg Config, logger *slog.Logger, store directory.Store, mounts ...Mount) *Server {
	mux := &recordingRouter{mux: http.NewServeMux()}
	mux.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writePlain(w, http.StatusOK, "ok\n")
	}))
	mux.Handle("GET /readyz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := store.Ping(ctx); err != nil {
			logger.WarnContext(r.Context(), "readiness check failed", "err", err)
			writePlain(w, http.StatusServiceUnavailable, "store unavailable\n")
			return
		}
		writePlain(w, http.StatusOK, "ok\n")
	}))
	for _, m := range mounts {
		m(mux)
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.BodyReadTimeout <= 0 {
		cfg.BodyReadTimeout = DefaultBodyReadTimeout
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	h := withBodyDeadline(cfg.BodyReadTimeout, withBodyLimit(cfg.MaxBodyBytes, mux.mux))
	h = withRequestContext(cfg.RequestTimeout, withAccessLog(logger, cfg.Observe, withRecover(logger, withFraming(h))))
	return &Server{handler: h, routes: mux.patterns}
}

func writePlain(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

type requestIDKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if id, ok := ctx.Value(requestIDKey{}).(*string); ok {
		return *id
	}
	return ""
}

// validRequestID accepts a caller's X-Request-Id only when it is short and
// plain, so it cannot forge log lines.
var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// withRequestContext gives every request its context: one that ends
// timeout after the request starts (a requestContext, which arms its timer
// only if the request waits), and carries an id — the caller's
// X-Request-Id if it is well-formed, else a new random one — which is
// returned in X-Request-Id. Both are set in one context and one copy of
// the request, which each further r.WithContext would cost again.
func withRequestContext(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if id == "" || !validRequestID.MatchString(id) {
			id = newRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		ctx := newRequestContext(r.Context(), id, time.Now().Add(timeout))
		defer ctx.end()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// newRequestID returns 12 random bytes in hex, in one allocation: every
// request without an id of its caller takes one.
func newRequestID() string {
	var b [12]byte
	var out [24]byte
	_, _ = rand.Read(b[:])
	hex.Encode(out[:], b[:])
	return string(out[:])
}

// withBodyLimit caps every request body at n bytes. A request without a
// body (http.NoBody, as a GET has) is left as it is: it has nothing to cap.
func withBodyLimit(n int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, n)
		}
		next.ServeHTTP(w, r)
	})
}

// withRecover turns a panic in a handler into a logged 500, so one bad
// request cannot take the process down. The panic value is logged, never
// sent to the client.
func withRecover(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				logger.ErrorContext(r.Context(), "handler panicked", "panic", v, "route", r.Pattern)
				writePlain(w, http.StatusInternalServerError, "internal error\n")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// statusRecorder remembers the status and size of a response for the access log.
type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// withAccessLog writes one log line per request, and tells observe (if not
// nil) of it. It logs the route pattern and the path, never the query
// string or headers, which may carry credentials.
func withAccessLog(logger *slog.Logger, observe func(*http.Request, int, time.Duration), next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		switch {
		case (rec.status == 0 || rec.status >= 500) && ClientGone(r):
			// The client left first: what failed was its request, not the
			// server, and what was written, nobody read.
			rec.status = StatusClientClosed
		case rec.status == 0:
			rec.status = http.StatusOK
		}
		end := time.Now()
		elapsed := end.Sub(start)
		if observe != nil {
			observe(r, rec.status, elapsed)
		}
		logRequest(logger.Handler(), r, rec, end, elapsed)
	})
}
