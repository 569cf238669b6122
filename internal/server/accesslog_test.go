package server

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"
	"time"
)

// TestAccessLogLine checks the access log line byte for byte (but for its
// time and duration): its keys in order, the request id last, and no line
// at all when the level is above info; through LogHandler over slog's
// JSONHandler, and through JSONLogHandler, which writes the line itself.
func TestAccessLogLine(t *testing.T) {
	handlers := map[string]func(w io.Writer, opts *slog.HandlerOptions) slog.Handler{
		"LogHandler": func(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
			return LogHandler(slog.NewJSONHandler(w, opts))
		},
		"JSONLogHandler": JSONLogHandler,
	}
	var buf bytes.Buffer
	for name, newHandler := range handlers {
		for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
			buf.Reset()
			logger := slog.New(newHandler(&buf, &slog.HandlerOptions{Level: level}))
			s := New(Config{}, logger, nil, func(r Router) {
				r.Handle("GET /a/{id}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					WriteBody(w, http.StatusTeapot, "application/json", []byte("{}\n"))
				}))
			})
			r := httptest.NewRequest("GET", "/a/1?secret=x", nil)
			r.Header.Set("X-Request-Id", "req-1")
			s.ServeHTTP(httptest.NewRecorder(), r)
			got := regexp.MustCompile(`"time":"[^"]+"|"duration":\d+`).ReplaceAllStringFunc(buf.String(), func(m string) string {
				return m[:bytes.IndexByte([]byte(m), ':')+1] + "T"
			})
			want := `{"time":T,"level":"INFO","msg":"request","method":"GET","route":"GET /a/{id}","path":"/a/1","status":418,"bytes":3,"duration":T,"remote":"192.0.2.1:1234","request_id":"req-1"}` + "\n"
			if level > slog.LevelInfo {
				want = ""
			}
			if got != want {
				t.Errorf("%s, level %v: got\n%s\nwant\n%s", name, level, got, want)
			}
		}
	}
}

// TestJSONLogHandlerEscapes: a path that JSON must escape (a quote, a
// control character, invalid UTF-8) is logged by JSONLogHandler as slog's
// JSONHandler logs it, and a logger with attributes of its own still
// writes them on the access log line.
func TestJSONLogHandlerEscapes(t *testing.T) {
	end := time.Date(2026, 12, 6, 18, 0, 0, 123456789, time.UTC)
	for _, path := range []string{"/a/\"x\"", "/a/\x08\x7f", "/a/\xff", "/a/\u2028é", `/a/\`} {
		for _, with := range []bool{false, true} {
			var got, want bytes.Buffer
			h := JSONLogHandler(&got, nil)
			var sl slog.Handler = slog.NewJSONHandler(&want, nil)
			if with {
				h = h.WithAttrs([]slog.Attr{slog.String("node", "n1")})
				sl = sl.WithAttrs([]slog.Attr{slog.String("node", "n1")})
			}
			r := &http.Request{Method: "GET", Pattern: "GET /a/{id}", URL: &url.URL{Path: path}, RemoteAddr: "192.0.2.1:1234"}
			rec := &statusRecorder{status: 404, bytes: 10}
			logRequest(h, r, rec, end, time.Millisecond)
			handleAccessLine(r.Context(), sl, r, rec, end, time.Millisecond, "")
			if got.String() != want.String() {
				t.Errorf("path %q, attributes %v: got\n%s\nwant\n%s", path, with, got.String(), want.String())
			}
		}
	}
}

// FuzzAccessLine: whatever the request's strings, numbers and time, the
// line appendAccessLine writes, when it writes one, is the line slog's
// JSONHandler writes for the same record.
func FuzzAccessLine(f *testing.F) {
	f.Add("GET", "GET /a/{id}", "/a/1", "192.0.2.1:1234", "req-1", 200, int64(3), int64(1765044000123456789), int64(1500), true)
	f.Add("POST", "", "/é", "[::1]:80", "", 499, int64(0), int64(0), int64(-1), false)
	f.Fuzz(func(t *testing.T, method, route, path, remote, id string, status int, n int64, unixNano, elapsed int64, utc bool) {
		end := time.Unix(0, unixNano)
		if utc {
			end = end.UTC()
		}
		got, ok := appendAccessLine(nil, method, route, path, remote, id, status, n, end, time.Duration(elapsed))
		if !ok {
			return
		}
		var want bytes.Buffer
		r := &http.Request{Method: method, Pattern: route, URL: &url.URL{Path: path}, RemoteAddr: remote}
		handleAccessLine(r.Context(), slog.NewJSONHandler(&want, nil), r, &statusRecorder{status: status, bytes: n}, end, time.Duration(elapsed), id)
		if string(got) != want.String() {
			t.Errorf("got\n%s\nwant\n%s", got, want.String())
		}
	})
}

// BenchmarkAccessLogLine weighs one access log line through slog's
// JSONHandler and through JSONLogHandler, which writes it itself.
func BenchmarkAccessLogLine(b *testing.B) {
	handlers := []struct {
		name string
		h    slog.Handler
	}{
		{"slog", LogHandler(slog.NewJSONHandler(io.Discard, nil))},
		{"direct", JSONLogHandler(io.Discard, nil)},
	}
	r := httptest.NewRequest("GET", "/openapi/v1/users/123456", nil)
	r.Pattern = "GET /openapi/v1/users/{user_id}"
	ctx := newRequestContext(r.Context(), "0123456789abcdef01234567", time.Now().Add(time.Minute))
	defer ctx.end()
	r = r.WithContext(ctx)
	rec := &statusRecorder{status: 200, bytes: 120}
	for _, h := range handlers {
		b.Run(h.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				logRequest(h.h, r, rec, time.Now(), 25*time.Microsecond)
			}
		})
	}
}
