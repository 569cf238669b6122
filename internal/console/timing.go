package console

import (
	"context"
	"net/http"
	"strconv"
	"time"
)

// startKey is the context key of the time the console took a request.
type startKey struct{}

// withStart notes in r's context when the console took it.
func withStart(r *http.Request, now time.Time) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), startKey{}, now))
}

// setServerTiming writes a Server-Timing header with the time the console
// spent on r so far (session check, Service calls, rendering), so a
// browser's network panel or `go run ./bench` can tell server time from
// time on the wire and in the client. It names no query or user: only
// one duration, in milliseconds.
func (c *Console) setServerTiming(h http.Header, r *http.Request) {
	start, ok := r.Context().Value(startKey{}).(time.Time)
	if !ok {
		return
	}
	ms := float64(c.now().Sub(start)) / float64(time.Millisecond)
	h.Set("Server-Timing", "app;dur="+strconv.FormatFloat(ms, 'f', 3, 64))
}
