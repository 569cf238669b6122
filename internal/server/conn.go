package server

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxConnections is how many connections Listen accepts at once by
// default. Behind a proxy, which keeps a pool of connections, far fewer are
// open; a node facing the internet directly should have a proxy in front
// (docs/operations.md).
const DefaultMaxConnections = 1024

// DefaultBodyReadTimeout is how long a request body may take to arrive by
// default, counted from the moment its header was read.
const DefaultBodyReadTimeout = 5 * time.Second

// Listen returns ln accepting at most maxConns connections at once (<= 0:
// DefaultMaxConnections); the next caller waits in the kernel's backlog
// until one closes. Each connection also watches the request headers that
// pass through it, so that ConnContext and New can refuse a request that
// carries both Content-Length and Transfer-Encoding, which Go's server
// accepts (letting Transfer-Encoding win) and a proxy in front may read
// the other way. Wrap the plain TCP listener: under TLS the watch sees
// only ciphertext and stays off.
func Listen(ln net.Listener, maxConns int) net.Listener {
	if maxConns <= 0 {
		maxConns = DefaultMaxConnections
	}
	return &limitListener{Listener: ln, slots: make(chan struct{}, maxConns), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	slots     chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

// Accept waits for a free slot, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &conn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close closes the listener and wakes an Accept waiting for a slot.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// conn is a connection of Listen: it frees its slot once closed and scans
// what is read from it for ambiguous request framing.
type conn struct {
	net.Conn
	release   func()
	closeOnce sync.Once
	framing   framingScanner
}

func (c *conn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.framing.scan(p[:n])
	return n, err
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(c.release)
	return err
}

// framingScanner reads the bytes of a connection line by line and marks it
// ambiguous once a block of lines up to a blank one (a request header) has
// both a Content-Length and a Transfer-Encoding field. It does not follow
// request bodies; a JSON or form body cannot hold such lines.
type framingScanner struct {
	prefix    [len("transfer-encoding:")]byte
	n         int // bytes of the current line so far
	cl, te    bool
	ambiguous atomic.Bool
}

var (
	contentLength    = []byte("content-length:")
	transferEncoding = []byte("transfer-encoding:")
)

// scan reads p, the next bytes of the connection. It finds the ends of
// lines with bytes.IndexByte and looks only at the first bytes of each
// line, so the rest of a long line (a bearer token) costs next to nothing:
// this runs on every byte every request brings.
func (s *framingScanner) scan(p []byte) {
	for len(p) > 0 {
		end := bytes.IndexByte(p, '\n')
		line := p
		if end >= 0 {
			line = p[:end]
		}
		if s.n < len(s.prefix) {
			head := s.prefix[s.n:][:copy(s.prefix[s.n:], line)]
			for i, c := range head {
				if 'A' <= c && c <= 'Z' {
					head[i] = c + 'a' - 'A'
				}
			}
		}
		s.n += len(line)
		if end < 0 {
			return
		}
		s.endLine()
		p = p[end+1:]
	}
}

// endLine ends the current line: a blank one ends a request header, which
// is ambiguous if it had both fields.
func (s *framingScanner) endLine() {
	line := s.prefix[:min(s.n, len(s.prefix))]
	switch {
	case s.n == 0 || s.n == 1 && line[0] == '\r':
		if s.cl && s.te {
			s.ambiguous.Store(true)
		}
		s.cl, s.te = false, false
	case bytes.HasPrefix(line, contentLength):
		s.cl = true
	case bytes.HasPrefix(line, transferEncoding):
		s.te = true
	}
	s.n = 0
}

type connKey struct{}

// ConnContext is http.Server.ConnContext for a server on Listen: it lets
// the requests of a connection see what the connection saw.
func ConnContext(ctx context.Context, c net.Conn) context.Context {
	if lc, ok := c.(*conn); ok {
		return context.WithValue(ctx, connKey{}, lc)
	}
	return ctx
}

// withFraming refuses, with 400 and the connection closed, a request whose
// header carried both Content-Length and Transfer-Encoding (RFC 9112
// §6.3: a server may refuse it, and must close the connection).
func withFraming(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, ok := r.Context().Value(connKey{}).(*conn); ok && c.framing.ambiguous.Load() {
			w.Header().Set("Connection", "close")
			writePlain(w, http.StatusBadRequest, "a request may carry Content-Length or Transfer-Encoding, not both\n")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// withBodyDeadline gives a request's body d to arrive, so a client sending
// it slowly cannot hold the connection for the whole --read-timeout. The
// deadline is lifted once the body is read: the server's read that watches
// for the client going away must not end the request.
func withBodyDeadline(d time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			rc := http.NewResponseController(w)
			if rc.SetReadDeadline(time.Now().Add(d)) == nil {
				r.Body = &deadlineBody{ReadCloser: r.Body, rc: rc}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// deadlineBody lifts the read deadline when the whole body has been read.
// A body cut off by the deadline keeps it, so the server gives up on the
// rest of it too and closes the connection.
type deadlineBody struct {
	io.ReadCloser
	rc   *http.ResponseController
	done bool
}

func (b *deadlineBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF && !b.done {
		b.done = true
		_ = b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}
