package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// logRequest writes the access log line of r, which ended at end, to h. It
// builds the record itself rather than through Logger.LogAttrs, which
// looks up its caller's program counter (runtime.Callers) for a source no
// userd log shows: a fifth of the access log's CPU, once per request. For
// the same reason it adds the request id that LogHandler would add itself,
// with the other attributes: a record holds five without allocating, and
// each AddAttrs past them grows its slice again. To a JSONLogHandler it
// writes the line itself, when it can (see appendAccessLine).
func logRequest(h slog.Handler, r *http.Request, rec *statusRecorder, end time.Time, elapsed time.Duration) {
	ctx := r.Context()
	if !h.Enabled(ctx, slog.LevelInfo) {
		return
	}
	id := ""
	if idh, ok := h.(requestIDHandler); ok {
		id = RequestID(ctx)
		if idh.direct != nil && idh.direct.writeAccessLine(r, rec, end, elapsed, id) {
			return
		}
		h = idh.Handler
	}
	handleAccessLine(ctx, h, r, rec, end, elapsed, id)
}

// handleAccessLine hands the access log line of r, with the request id id
// unless that is "", to h as a slog record.
func handleAccessLine(ctx context.Context, h slog.Handler, r *http.Request, rec *statusRecorder, end time.Time, elapsed time.Duration, id string) {
	attrs := [...]slog.Attr{
		slog.String("method", r.Method),
		slog.String("route", r.Pattern),
		slog.String("path", r.URL.Path),
		slog.Int("status", rec.status),
		slog.Int64("bytes", rec.bytes),
		slog.Duration("duration", elapsed),
		slog.String("remote", r.RemoteAddr),
		{}, // the request id
	}
	n := len(attrs) - 1
	if id != "" {
		attrs[n] = slog.String("request_id", id)
		n++
	}
	line := slog.NewRecord(end, slog.LevelInfo, "request", 0)
	line.AddAttrs(attrs[:n]...)
	_ = h.Handle(ctx, line)
}

// LogHandler wraps h so every record logged with a request's context
// carries that request's id.
func LogHandler(h slog.Handler) slog.Handler { return requestIDHandler{Handler: h} }

// JSONLogHandler is LogHandler of a slog.JSONHandler writing to w with
// opts, whose access log lines logRequest writes itself: byte for byte the
// line the JSONHandler writes, in a quarter of its time, as it knows the
// keys and kinds of every attribute in advance. Lines written through the
// JSONHandler and those written directly are each written whole, in one
// Write, and never at the same time.
func JSONLogHandler(w io.Writer, opts *slog.HandlerOptions) slog.Handler {
	lw := &lockedWriter{w: w}
	h := requestIDHandler{Handler: slog.NewJSONHandler(lw, opts)}
	if opts == nil || (opts.ReplaceAttr == nil && !opts.AddSource) {
		h.direct = lw
	}
	return h
}

type requestIDHandler struct {
	slog.Handler
	// direct, if set, is the writer of Handler, a slog.JSONHandler with no
	// attributes, groups, ReplaceAttr or source: logRequest may write the
	// access log line to it itself.
	direct *lockedWriter
}

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := RequestID(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

// WithAttrs and WithGroup return a handler whose lines carry more than
// the access log line's attributes, so logRequest writes none itself.
func (h requestIDHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDHandler{Handler: h.Handler.WithAttrs(attrs)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{Handler: h.Handler.WithGroup(name)}
}

// lockedWriter serializes the Writes to w of a JSONLogHandler's two paths.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// writeAccessLine writes the access log line of r as appendAccessLine
// makes it, and reports whether it could.
func (l *lockedWriter) writeAccessLine(r *http.Request, rec *statusRecorder, end time.Time, elapsed time.Duration, id string) bool {
	bp := lineBuffers.Get().(*[]byte)
	b, ok := appendAccessLine((*bp)[:0], r.Method, r.Pattern, r.URL.Path, r.RemoteAddr, id, rec.status, rec.bytes, end, elapsed)
	if ok {
		_, _ = l.Write(b)
	}
	if cap(b) <= 4<<10 {
		*bp = b
		lineBuffers.Put(bp)
	}
	return ok
}

var lineBuffers = sync.Pool{New: func() any { return new(make([]byte, 0, 512)) }}

// appendAccessLine appends the access log line slog.JSONHandler writes for
// the record handleAccessLine makes, and true; or, when a string of the
// line is not plain (see plainJSON) or end's year has not four digits,
// nothing and false, and the line is left to slog, whose escaping and
// errors stay the only ones.
func appendAccessLine(b []byte, method, route, path, remote, id string, status int, bytes int64, end time.Time, elapsed time.Duration) ([]byte, bool) {
	if y := end.Year(); y < 0 || y >= 10000 ||
		!plainJSON(method) || !plainJSON(route) || !plainJSON(path) || !plainJSON(remote) || !plainJSON(id) {
		return b, false
	}
	b = append(b, `{"time":"`...)
	b = end.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","method":"`...)
	b = append(b, method...)
	b = append(b, `","route":"`...)
	b = append(b, route...)
	b = append(b, `","path":"`...)
	b = append(b, path...)
	b = append(b, `","status":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(elapsed), 10)
	b = append(b, `,"remote":"`...)
	b = append(b, remote...)
	if id != "" {
		b = append(b, `","request_id":"`...)
		b = append(b, id...)
	}
	return append(b, "\"}\n"...), true
}

// plainJSON reports whether s is printable ASCII without a quote or a
// backslash: a string every JSON encoder writes as it is.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
