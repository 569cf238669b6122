package server

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
)

// TestAccessLogLine checks the access log line byte for byte (but for its
// time and duration): its keys in order, the request id last, and no line
// at all when the level is above info.
func TestAccessLogLine(t *testing.T) {
	var buf bytes.Buffer
	for _, level := range []slog.Level{slog.LevelInfo, slog.LevelWarn} {
		buf.Reset()
		logger := slog.New(LogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: level})))
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
			t.Errorf("level %v: got\n%s\nwant\n%s", level, got, want)
		}
	}
}
