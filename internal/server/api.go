package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/directory"
)

// This file is the request plumbing every API dialect shares: a dialect
// keeps only its wire types and its one function mapping errors to its own
// status and body.

// Authenticator turns a request's credential (an access token or an API
// token) into a principal. It returns a *directory.Error of kind
// Unauthenticated when the credential is bad, expired or revoked.
type Authenticator interface {
	Authenticate(ctx context.Context, credential string) (directory.Principal, error)
}

// Deps is what every API dialect is built from; cmd/userd fills it once
// from the server's configuration.
type Deps struct {
	Service *directory.Service
	Authn   Authenticator
	// Logger receives what an API cannot tell its caller: internal errors
	// and an unavailable store. nil discards.
	Logger *slog.Logger
	// MaxBodyBytes is the largest request body an API reads, the same
	// number as Config.MaxBodyBytes; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// HeavyReads admits the answers that hold many items (lists, batches)
	// against the node's and each credential's bounds; nil admits all.
	HeavyReads *admission.Limiter
}

// WithDefaults returns d with its zero settings replaced by the defaults.
func (d Deps) WithDefaults() Deps {
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.MaxBodyBytes <= 0 {
		d.MaxBodyBytes = DefaultMaxBodyBytes
	}
	return d
}

// BearerCredential returns the credential of r's "Authorization: Bearer"
// header (the scheme in any case), or "" when there is none.
func BearerCredential(r *http.Request) string {
	scheme, credential, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(credential)
}

// Authenticate returns the principal credential stands for, with the
// address of r's caller as its ClientIP.
func Authenticate(r *http.Request, authn Authenticator, credential string) (directory.Principal, error) {
	p, err := authn.Authenticate(r.Context(), credential)
	if err != nil {
		return directory.Principal{}, err
	}
	p.ClientIP = ClientIP(r)
	return p, nil
}

// ClientIP returns the address of r's caller: the host of r.RemoteAddr.
func ClientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// ParseID reads s as an object id, by the one rule every API applies: the
// canonical decimal form of an integer from 1 to directory.MaxSafeID, so
// digits only, no sign, no leading zero. ("%31" in a path is "1" by the
// time it reaches here: a percent-encoded digit is that digit, RFC 3986
// §2.3.) Anything else is no id, and each API answers that in its own way.
func ParseID(s string) (int64, bool) {
	if s == "" || len(s) > maxIDDigits || s[0] == '0' {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id > directory.MaxSafeID {
		return 0, false
	}
	return id, true
}

// maxIDDigits is how many digits directory.MaxSafeID has, worked out once
// rather than formatted for every id read.
var maxIDDigits = len(strconv.FormatInt(directory.MaxSafeID, 10))

// ReadBody reads r's whole body, which may be at most limit bytes. A larger
// body returns the *http.MaxBytesError, whose Limit is the number to tell
// the caller (the server's own limit, if that is the smaller one); a body
// that cannot be read (cut off, or sent too slowly) is an Invalid error.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
		return nil, tooLarge
	}
	if err != nil {
		return nil, directory.Wrap(directory.Invalid, err, "the request body could not be read; send it again")
	}
	return data, nil
}

// WriteJSON answers v as JSON of contentType with status, never cached.
// Strings are not HTML-escaped: "R&D" stays "R&D". Headers set before the
// call are kept. A v that cannot be encoded returns the error before
// anything is written, so the caller can still answer an error instead.
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	WriteBody(w, status, contentType, buf.Bytes())
	return nil
}

// WriteAppended answers, as WriteJSON does, the JSON value appendJSON
// appends to an empty buffer, followed by a newline: for the dialects'
// hand-written encoders. The buffers are reused from answer to answer. An
// error of appendJSON is returned before anything is written.
func WriteAppended(w http.ResponseWriter, status int, contentType string, appendJSON func(b []byte) ([]byte, error)) error {
	bp := bodyBuffers.Get().(*[]byte)
	b, err := appendJSON((*bp)[:0])
	if err == nil {
		WriteBody(w, status, contentType, append(b, '\n'))
	}
	if cap(b) <= maxPooledBody {
		*bp = b
		bodyBuffers.Put(bp)
	}
	return err
}

// bodyBuffers holds WriteAppended's buffers; one larger than maxPooledBody
// (a rare answer) is left to the garbage collector rather than kept. A
// page of 100 users (some 100 KB as SCIM writes it) fits, so pages do
// not grow a buffer from 2 KB each time.
var bodyBuffers = sync.Pool{New: func() any { return new(make([]byte, 0, 2048)) }}

const maxPooledBody = 256 << 10

// WriteBody answers body, already encoded as contentType, with status,
// never cached. A failed write means the caller has gone; the access log
// records the request, so it is not reported again.
func WriteBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	StartBody(w, status, contentType)
	_, _ = w.Write(body)
}

// StartBody sends the header of an answer of contentType with status,
// never cached, for a caller that writes (or streams) the body itself.
func StartBody(w http.ResponseWriter, status int, contentType string) {
	h := w.Header()
	if contentType == "application/json" {
		h["Content-Type"] = contentTypeJSON
	} else {
		h.Set("Content-Type", contentType)
	}
	h["Cache-Control"] = noStore
	w.WriteHeader(status)
}

// The header values every answer sets, shared rather than allocated per
// answer (Header.Set allocates a slice). Nothing writes into a header's
// value slice: Set replaces it and Add appends to a copy, as these are
// full.
var (
	contentTypeJSON = []string{"application/json"}
	noStore         = []string{"no-store"}
)

// StatusClientClosed is the status recorded, in the access log and the
// request metrics, for a request whose client went away before it was
// answered (nginx's 499). It is never sent: nobody is there to read it.
const StatusClientClosed = 499

// ClientGone reports whether r's client went away before r was answered:
// its context was canceled, not timed out.
func ClientGone(r *http.Request) bool {
	return errors.Is(r.Context().Err(), context.Canceled)
}

// LogError logs err, which an API answers as a server error (internal, or
// the store unavailable), at level with msg and the route. When r's client
// went away first — which is then why the work failed — it is no server
// error: it is logged at debug as a client close.
func LogError(logger *slog.Logger, r *http.Request, level slog.Level, msg string, err error) {
	if ClientGone(r) {
		level, msg = slog.LevelDebug, "the client closed the request before it was answered"
	}
	logger.Log(r.Context(), level, msg, "route", r.Pattern, "err", err)
}
