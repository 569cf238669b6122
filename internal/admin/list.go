package admin

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
)

// flushBytes is how much of a list answer is gathered before it is written
// to the connection: enough for few, large writes, and little next to a
// page of large users, which is tens of megabytes.
const flushBytes = 32 << 10

// listBuffers keeps writeList's output buffers from one answer to the
// next: a fresh buffer grew by doubling to flushBytes and beyond on every
// page, a quarter of the bytes a page of 100 users allocated. A buffer an
// unusually large item grew past keptBufferBytes is left to the collector.
var listBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

const keptBufferBytes = 4 * flushBytes

// writeList answers 200 with the JSON object {"<name>":[items...]} followed
// by the members of tail (a struct such as {NextCursor}; struct{}{} for
// none), byte for byte what writeJSON writes for the same object. It
// encodes and sends one item at a time, so what it holds is one item and
// at most flushBytes of output, however long the page, and it clears each
// item of items once encoded, so a slow reader keeps only what is still
// to be sent. Each value wire returns is encoded before wire is called
// again, so wire may return the same value each time. An error before
// anything was sent is returned, for writeError to answer; once the
// answer has begun it can no longer change, so a failure to encode then
// aborts the connection and the client sees a truncated answer, never a
// wrong one.
func writeList[T any](w http.ResponseWriter, r *http.Request, name string, items []T, wire func(T) any, tail any) error {
	buf := listBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= keptBufferBytes {
			buf.Reset()
			listBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	started := false
	send := func() error {
		if !started {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		_, err := w.Write(buf.Bytes())
		buf.Reset()
		return err
	}
	// encodeInto appends v as enc writes it, without its final newline,
	// through v's own encoder when it has one.
	encodeInto := func(v any) error {
		var err error
		if a, ok := v.(jsonAppender); ok {
			var b []byte
			if b, err = a.appendJSON(buf.AvailableBuffer()); err == nil {
				buf.Write(b)
			}
		} else if err = enc.Encode(v); err == nil {
			buf.Truncate(buf.Len() - 1)
		}
		if err != nil && started {
			slog.ErrorContext(r.Context(), "admin: encode list item", "route", r.Pattern, "err", err)
			panic(http.ErrAbortHandler)
		}
		return err
	}
	buf.WriteString(`{"`)
	buf.WriteString(name)
	buf.WriteString(`":[`)
	var zero T
	for i := range items {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := encodeInto(wire(items[i])); err != nil {
			return err
		}
		items[i] = zero
		if buf.Len() >= flushBytes {
			if err := send(); err != nil {
				slog.DebugContext(r.Context(), "admin: write response", "err", err)
				return nil // the client has gone; nobody is left to answer
			}
		}
	}
	buf.WriteByte(']')
	// tail is an object: {} adds nothing; {"a":…} adds ,"a":… and its
	// closing brace closes the answer.
	mark := buf.Len()
	if err := encodeInto(tail); err != nil {
		return err
	}
	if buf.Len()-mark == len("{}") {
		buf.Truncate(mark)
		buf.WriteByte('}')
	} else {
		buf.Bytes()[mark] = ','
	}
	buf.WriteByte('\n')
	if err := send(); err != nil {
		slog.DebugContext(r.Context(), "admin: write response", "err", err)
	}
	return nil
}
