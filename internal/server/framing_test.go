package server

import (
	"bytes"
	"strings"
	"testing"
)

// ambiguousFraming is the framing rule written plainly, over a whole
// stream: some request header (lines up to a blank one) has a line that
// starts with Content-Length: and one that starts with Transfer-Encoding:,
// in any case.
func ambiguousFraming(stream []byte) bool {
	var cl, te bool
	lines := bytes.Split(stream, []byte("\n"))
	for _, line := range lines[:len(lines)-1] { // the last is not ended yet
		l := strings.ToLower(string(line))
		switch {
		case l == "" || l == "\r":
			if cl && te {
				return true
			}
			cl, te = false, false
		case strings.HasPrefix(l, "content-length:"):
			cl = true
		case strings.HasPrefix(l, "transfer-encoding:"):
			te = true
		}
	}
	return false
}

// FuzzFramingScanner: however a connection's bytes arrive, split into
// reads anywhere, the scanner calls them ambiguous exactly when the plain
// rule does.
func FuzzFramingScanner(f *testing.F) {
	f.Add([]byte("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc"), uint8(7), uint8(19))
	f.Add([]byte("GET / HTTP/1.1\r\nCONTENT-LENGTH: 0\r\n\r\nGET / HTTP/1.1\r\nTransfer-Encoding:x\n\n"), uint8(1), uint8(200))
	f.Add([]byte("GET / HTTP/1.1\r\nX-Content-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"), uint8(0), uint8(0))
	f.Fuzz(func(t *testing.T, stream []byte, first, every uint8) {
		var s framingScanner
		rest := stream
		for n := int(first); len(rest) > 0; n = int(every) {
			n = min(max(n, 1), len(rest))
			s.scan(rest[:n])
			rest = rest[n:]
		}
		if got, want := s.ambiguous.Load(), ambiguousFraming(stream); got != want {
			t.Errorf("%q read %d then %d bytes at a time: ambiguous %v, want %v", stream, first, every, got, want)
		}
	})
}

// BenchmarkFramingScan scans a GET as the bench sends it, with an access
// token: what the framing guard costs every request.
func BenchmarkFramingScan(b *testing.B) {
	req := []byte("GET /openapi/v1/users/123456 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAuthorization: Bearer " +
		strings.Repeat("t", 180) + "\r\n\r\n")
	var s framingScanner
	b.SetBytes(int64(len(req)))
	for b.Loop() {
		s.scan(req)
	}
	if s.ambiguous.Load() {
		b.Fatal("a plain GET was called ambiguous")
	}
}
