// Package natspub publishes change events to NATS JetStream: one subject per
// tenant and event type, the tenant and change position as the message id
// so JetStream drops a message published twice (after a node takeover), and
// the stream itself remembering how far each tenant was published.
package natspub

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Defaults of Options.
const (
	DefaultSubjectPrefix = "userd"
	DefaultStream        = "USERD_CHANGES"
	// DefaultDuplicateWindow is how long JetStream remembers message ids.
	// It must outlast a takeover (the delivery lease, 10 s) by far.
	DefaultDuplicateWindow = 10 * time.Minute
)

// Options configure a Publisher.
type Options struct {
	// SubjectPrefix starts every subject: <prefix>.<tenant id>.<event
	// type>, e.g. userd.1.user.updated.
	SubjectPrefix string
	// Stream is the JetStream stream that holds <prefix>.>; it is created
	// if missing.
	Stream          string
	DuplicateWindow time.Duration
	// Timeout bounds connecting and each publish.
	Timeout time.Duration
}

// Publisher publishes to one JetStream stream. Safe for concurrent use.
type Publisher struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	stream jetstream.Stream
	opts   Options
}

// Connect connects to the NATS server at url and makes sure the stream
// exists.
func Connect(ctx context.Context, url string, opts Options) (*Publisher, error) {
	if opts.SubjectPrefix == "" {
		opts.SubjectPrefix = DefaultSubjectPrefix
	}
	if opts.Stream == "" {
		opts.Stream = DefaultStream
	}
	if opts.DuplicateWindow <= 0 {
		opts.DuplicateWindow = DefaultDuplicateWindow
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	nc, err := nats.Connect(url, nats.Name("userd"), nats.Timeout(opts.Timeout), nats.MaxReconnects(-1))
	if err != nil {
		return nil, fmt.Errorf("natspub: connect to %s: %w (check --nats-url)", url, err)
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("natspub: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	stream, err := js.CreateOrUpdateStream(ctx, jetstream.StreamConfig{
		Name:       opts.Stream,
		Subjects:   []string{opts.SubjectPrefix + ".>"},
		Storage:    jetstream.FileStorage,
		Duplicates: opts.DuplicateWindow,
	})
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("natspub: create stream %s (is JetStream enabled on the server?): %w", opts.Stream, err)
	}
	return &Publisher{nc: nc, js: js, stream: stream, opts: opts}, nil
}

// Close closes the connection.
func (p *Publisher) Close() { p.nc.Close() }

// Subject returns the subject of an event of eventType in tenantID.
func (p *Publisher) Subject(tenantID int64, eventType string) string {
	return p.opts.SubjectPrefix + "." + strconv.FormatInt(tenantID, 10) + "." + eventType
}

// MsgID returns the Nats-Msg-Id of tenantID's change at position.
func MsgID(tenantID, position int64) string {
	return strconv.FormatInt(tenantID, 10) + ":" + strconv.FormatInt(position, 10)
}

// Publish publishes body as tenantID's change at position and waits for
// JetStream's acknowledgement. Publishing the same tenant and position
// again within the duplicate window stores nothing new.
func (p *Publisher) Publish(ctx context.Context, tenantID, position int64, eventType string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	_, err := p.js.Publish(ctx, p.Subject(tenantID, eventType), body, jetstream.WithMsgID(MsgID(tenantID, position)),
		jetstream.WithExpectStream(p.opts.Stream))
	if err != nil {
		return fmt.Errorf("natspub: publish position %d of tenant %d: %w", position, tenantID, err)
	}
	return nil
}

// Published returns the position of the last change of tenantID in the
// stream, 0 when it holds none: where publishing resumes.
func (p *Publisher) Published(ctx context.Context, tenantID int64) (int64, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Timeout)
	defer cancel()
	msg, err := p.stream.GetLastMsgForSubject(ctx, p.opts.SubjectPrefix+"."+strconv.FormatInt(tenantID, 10)+".>")
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("natspub: read the last message of tenant %d: %w", tenantID, err)
	}
	_, pos, ok := strings.Cut(msg.Header.Get(jetstream.MsgIDHeader), ":")
	if !ok {
		return 0, fmt.Errorf("natspub: the last message of tenant %d has no userd message id", tenantID)
	}
	return strconv.ParseInt(pos, 10, 64)
}
