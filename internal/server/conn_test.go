package server

import (
	"bufio"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// serve runs New(cfg) with a handler that reads the body and answers 200
// on a real listener capped at maxConns, and returns its address.
func serve(t *testing.T, cfg Config, maxConns int) string {
	t.Helper()
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			writePlain(w, http.StatusBadRequest, "body: "+err.Error()+"\n")
			return
		}
		writePlain(w, http.StatusOK, "ok\n")
	})
	h := New(cfg, slog.New(slog.DiscardHandler), nil, func(r Router) { r.Handle("/echo", echo) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ConnContext: ConnContext, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second}
	go func() { _ = srv.Serve(Listen(ln, maxConns)) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// rawConn dials addr and returns the connection and a reader of its answers.
func rawConn(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, bufio.NewReader(c)
}

// statusLine reads one answer's status line, waiting at most wait.
func statusLine(c net.Conn, r *bufio.Reader, wait time.Duration) (string, error) {
	_ = c.SetReadDeadline(time.Now().Add(wait))
	line, err := r.ReadString('\n')
	return strings.TrimSpace(line), err
}

// TestAmbiguousFramingRefused sends, over raw TCP, requests whose header
// has both Content-Length and Transfer-Encoding: each is refused with 400
// and its connection closed, so nothing smuggled after it is served.
// Requests with one of them are served.
func TestAmbiguousFramingRefused(t *testing.T) {
	addr := serve(t, Config{}, 0)
	tests := []struct {
		name, request, want string
	}{
		{"content-length", "POST /echo HTTP/1.1\r\nHost: u\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 200 OK"},
		{"chunked", "POST /echo HTTP/1.1\r\nHost: u\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "HTTP/1.1 200 OK"},
		{"both", "POST /echo HTTP/1.1\r\nHost: u\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", "HTTP/1.1 400 Bad Request"},
		{"both, other case and order", "POST /echo HTTP/1.1\r\nHost: u\r\ntransfer-encoding: chunked\r\nCONTENT-LENGTH: 48\r\n\r\n0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: u\r\n\r\n", "HTTP/1.1 400 Bad Request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, r := rawConn(t, addr)
			if _, err := io.WriteString(c, tt.request); err != nil {
				t.Fatal(err)
			}
			got, err := statusLine(c, r, 5*time.Second)
			if got != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
			if !strings.Contains(tt.want, "400") {
				return
			}
			// The rest of the answer, then the connection must end.
			_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
			rest, err := io.ReadAll(r)
			if err != nil {
				t.Fatalf("after the 400: %v, want the connection closed", err)
			}
			if strings.Contains(string(rest), "HTTP/1.1 200") {
				t.Errorf("a request after the refused one was served: %q", rest)
			}
		})
	}
}

// TestSlowBodyCutOff sends a body one byte every 100 ms: with a body
// timeout of 300 ms the request ends long before the 30 s read timeout,
// while a body sent in time is read whole.
func TestSlowBodyCutOff(t *testing.T) {
	addr := serve(t, Config{BodyReadTimeout: 300 * time.Millisecond}, 0)
	const body = "0123456789abcdefghij"
	header := "POST /echo HTTP/1.1\r\nHost: u\r\nContent-Length: 20\r\n\r\n"

	c, r := rawConn(t, addr)
	if _, err := io.WriteString(c, header+body); err != nil {
		t.Fatal(err)
	}
	if got, err := statusLine(c, r, 5*time.Second); got != "HTTP/1.1 200 OK" {
		t.Fatalf("body sent at once: got %q, %v; want 200", got, err)
	}

	c, r = rawConn(t, addr)
	start := time.Now()
	if _, err := io.WriteString(c, header); err != nil {
		t.Fatal(err)
	}
	go func() {
		for i := range len(body) {
			if _, err := c.Write([]byte{body[i]}); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	got, _ := statusLine(c, r, 5*time.Second)
	if got == "HTTP/1.1 200 OK" || time.Since(start) > 1500*time.Millisecond {
		t.Errorf("body sent byte by byte: got %q after %v; want the request ended after about 300 ms", got, time.Since(start))
	}
}

// TestBodyDeadlineLiftedAfterBody checks a handler that works on after
// reading its body, longer than the body timeout, still answers: the
// deadline must not end the request once the body is in.
func TestBodyDeadlineLiftedAfterBody(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		select {
		case <-time.After(600 * time.Millisecond):
			writePlain(w, http.StatusOK, "ok\n")
		case <-r.Context().Done():
			writePlain(w, http.StatusServiceUnavailable, "canceled\n")
		}
	})
	h := New(Config{BodyReadTimeout: 200 * time.Millisecond}, slog.New(slog.DiscardHandler), nil, func(r Router) { r.Handle("/slow", slow) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ConnContext: ConnContext}
	go func() { _ = srv.Serve(Listen(ln, 0)) }()
	t.Cleanup(func() { _ = srv.Close() })
	resp, err := http.Post("http://"+ln.Addr().String()+"/slow", "text/plain", strings.NewReader("hello"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("got %d, want 200", resp.StatusCode)
	}
}

// TestConnectionCap opens as many connections as the cap allows: one more
// is not served until one of them closes.
func TestConnectionCap(t *testing.T) {
	addr := serve(t, Config{}, 2)
	get := "GET /healthz HTTP/1.1\r\nHost: u\r\n\r\n"
	var open []net.Conn
	for range 2 {
		c, r := rawConn(t, addr)
		if _, err := io.WriteString(c, get); err != nil {
			t.Fatal(err)
		}
		if got, err := statusLine(c, r, 5*time.Second); got != "HTTP/1.1 200 OK" {
			t.Fatalf("connection within the cap: got %q, %v", got, err)
		}
		open = append(open, c)
	}
	c, r := rawConn(t, addr)
	if _, err := io.WriteString(c, get); err != nil {
		t.Fatal(err)
	}
	if got, err := statusLine(c, r, 300*time.Millisecond); err == nil {
		t.Fatalf("connection over the cap: got %q, want no answer while the others are open", got)
	}
	open[0].Close()
	if got, err := statusLine(c, r, 5*time.Second); got != "HTTP/1.1 200 OK" {
		t.Errorf("connection over the cap, after one closed: got %q, %v; want 200", got, err)
	}
}
