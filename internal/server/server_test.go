package server

import (
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRequestID checks that a request keeps a well-formed X-Request-Id of
// its caller and gets a new random one, 24 hex digits, otherwise, in the
// answer and in its context.
func TestRequestID(t *testing.T) {
	var seen string
	s := New(Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, func(r Router) {
		r.Handle("GET /a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = RequestID(r.Context()) }))
	})
	ids := map[string]bool{}
	for _, sent := range []string{"", "caller-id.1", "bad id", strings.Repeat("x", 65), ""} {
		r := httptest.NewRequest("GET", "/a", nil)
		if sent != "" {
			r.Header.Set("X-Request-Id", sent)
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		got := w.Header().Get("X-Request-Id")
		if got != seen {
			t.Errorf("sent %q: answered id %q, context id %q", sent, got, seen)
		}
		if sent == "caller-id.1" {
			if got != sent {
				t.Errorf("sent %q: got id %q, want the caller's", sent, got)
			}
			continue
		}
		if b, err := hex.DecodeString(got); err != nil || len(b) != 12 || ids[got] {
			t.Errorf("sent %q: got id %q, want 24 new hex digits", sent, got)
		}
		ids[got] = true
	}
}

// TestBodyLimit checks that a body is cut off past the limit and that a
// request without one reads none.
func TestBodyLimit(t *testing.T) {
	var n int
	var err error
	s := New(Config{MaxBodyBytes: 4}, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, func(r Router) {
		r.Handle("/a", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var b []byte
			b, err = io.ReadAll(r.Body)
			n = len(b)
		}))
	})
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/a", strings.NewReader("12345")))
	if _, ok := err.(*http.MaxBytesError); !ok || n != 4 {
		t.Errorf("5 bytes past a 4-byte limit: read %d, %v; want 4 and a *http.MaxBytesError", n, err)
	}
	s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/a", nil))
	if err != nil || n != 0 {
		t.Errorf("no body: read %d, %v; want 0, nil", n, err)
	}
}

// BenchmarkServe is the cost of the shared middleware for a GET whose
// handler writes a small answer.
func BenchmarkServe(b *testing.B) {
	s := New(Config{}, slog.New(slog.NewJSONHandler(io.Discard, nil)), nil, func(r Router) {
		r.Handle("GET /a/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			WriteBody(w, http.StatusOK, "application/json", []byte("{}\n"))
		}))
	})
	r := httptest.NewRequest("GET", "/a/1", nil)
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		clear(w.Header())
		s.ServeHTTP(w, r)
	}
}

// TestWriteAppended checks the answer WriteAppended writes from a reused
// buffer, and that an encoder's error writes nothing.
func TestWriteAppended(t *testing.T) {
	for _, body := range []string{`{"a":1}`, `[]`, strings.Repeat("x", maxPooledBody+1), `{"b":"<&>"}`} {
		w := httptest.NewRecorder()
		err := WriteAppended(w, http.StatusCreated, "application/json", func(b []byte) ([]byte, error) {
			if len(b) != 0 {
				t.Errorf("got a buffer holding %q, want an empty one", b)
			}
			return append(b, body...), nil
		})
		if err != nil || w.Code != http.StatusCreated || w.Body.String() != body+"\n" ||
			w.Header().Get("Content-Type") != "application/json" || w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("got %d %v %q (%v), want 201 and the body with a newline", w.Code, w.Header(), w.Body, err)
		}
	}
	w := httptest.NewRecorder()
	want := errors.New("cannot encode")
	if err := WriteAppended(w, http.StatusOK, "application/json", func(b []byte) ([]byte, error) { return append(b, "partial"...), want }); err != want || w.Body.Len() != 0 || len(w.Header()) != 0 {
		t.Errorf("an encoder's error: got %v, %q, %v; want the error and nothing written", err, w.Body, w.Header())
	}
}
