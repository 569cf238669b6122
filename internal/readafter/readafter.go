// Package readafter carries read-your-writes across userd nodes that read
// from PostgreSQL replicas. The answer to a request that wrote carries the
// write-ahead log position of its commit in the Userd-Read-After header; a
// client that sends that value back on a later request, to any node, is
// never served from a replica that has not replayed that far. A request
// that may write (any method but GET and HEAD) reads from the primary.
package readafter

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// Header names the response header that carries the position of a write
// and the request header that asks to read at least that far.
const Header = "Userd-Read-After"

// Session is what one request asks of the store's reads and what its writes
// tell the client.
type Session struct {
	primary bool   // read from the primary only
	min     uint64 // read from a replica only once it has replayed this far
	mu      sync.Mutex
	wrote   uint64 // the latest commit position of the request's writes
}

type key struct{}

// With returns ctx carrying s.
func With(ctx context.Context, s *Session) context.Context {
	return context.WithValue(ctx, key{}, s)
}

// From returns the session of ctx, or nil when it has none (the commands
// of the CLI; a store without replicas ignores it anyway).
func From(ctx context.Context) *Session {
	s, _ := ctx.Value(key{}).(*Session)
	return s
}

// NewSession returns a session that reads from the primary only when
// primary is set, and otherwise from a replica that has replayed min.
func NewSession(primary bool, min uint64) *Session {
	return &Session{primary: primary, min: min}
}

// Primary reports whether every read must go to the primary. A nil
// session (no request) reads from the primary.
func (s *Session) Primary() bool { return s == nil || s.primary }

// Min is the log position a replica must have replayed to serve the
// session's reads.
func (s *Session) Min() uint64 {
	if s == nil {
		return 0
	}
	return s.min
}

// Wrote records the commit position of one of the session's writes.
func (s *Session) Wrote(lsn uint64) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.wrote = max(s.wrote, lsn)
	s.mu.Unlock()
}

// Written returns the latest commit position Wrote recorded (0: none).
func (s *Session) Written() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.wrote
}

// FormatLSN writes a log position as PostgreSQL does: two hexadecimal
// halves, 16/B374D848.
func FormatLSN(lsn uint64) string {
	return fmt.Sprintf("%X/%X", lsn>>32, uint32(lsn))
}

// ParseLSN reads a position FormatLSN wrote.
func ParseLSN(s string) (uint64, error) {
	hi, lo, ok := strings.Cut(s, "/")
	if !ok || len(hi) == 0 || len(hi) > 8 || len(lo) == 0 || len(lo) > 8 {
		return 0, fmt.Errorf("readafter: %q is not a log position such as 16/B374D848", s)
	}
	h, err := strconv.ParseUint(hi, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("readafter: %q is not a log position such as 16/B374D848", s)
	}
	l, err := strconv.ParseUint(lo, 16, 32)
	if err != nil {
		return 0, fmt.Errorf("readafter: %q is not a log position such as 16/B374D848", s)
	}
	return h<<32 | l, nil
}

// Middleware gives every request a Session: a GET or HEAD reads from a
// replica that has replayed the position in its Userd-Read-After header (or
// any replica in rotation without one); any other method reads from the
// primary. A header that is not a log position is not an error: the request
// reads from the primary, which is always current. The answer to a request
// that wrote carries its commit position in Userd-Read-After.
func Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pr := &perRequest{}
		s := &pr.s
		pr.w = writer{ResponseWriter: w, s: s}
		s.primary = r.Method != http.MethodGet && r.Method != http.MethodHead
		if v := r.Header.Get(Header); v != "" {
			lsn, err := ParseLSN(v)
			if err != nil {
				s.primary = true
			}
			s.min = lsn
		}
		next.ServeHTTP(&pr.w, r.WithContext(With(r.Context(), s)))
	})
}

// perRequest is what Middleware allocates for a request, in one object
// rather than two: what the request reads after, and the writer of its
// answer.
type perRequest struct {
	s Session
	w writer
}

// writer adds the Userd-Read-After header to an answer whose request wrote.
type writer struct {
	http.ResponseWriter
	s       *Session
	written bool
}

func (w *writer) header() {
	if w.written {
		return
	}
	w.written = true
	if lsn := w.s.Written(); lsn != 0 {
		w.ResponseWriter.Header().Set(Header, FormatLSN(lsn))
	}
}

func (w *writer) WriteHeader(code int) {
	w.header()
	w.ResponseWriter.WriteHeader(code)
}

func (w *writer) Write(b []byte) (int, error) {
	w.header()
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Flush passes on a flush, for streamed answers.
func (w *writer) Flush() {
	w.header()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}
