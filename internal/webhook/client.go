package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/userd/userd/internal/directory"
)

// Defaults of Options.
const (
	DefaultTimeout          = 10 * time.Second
	DefaultMaxResponseBytes = 64 << 10
	DefaultPerTenant        = 4
)

// Options configure a Client. Zero values take the defaults.
type Options struct {
	// Timeout bounds one attempt: connecting, sending and reading the
	// answer.
	Timeout time.Duration
	// MaxResponseBytes bounds how much of an answer is read; a longer one
	// fails the attempt.
	MaxResponseBytes int64
	// PerTenant bounds the calls in flight for one tenant, so one tenant's
	// slow receivers cannot take every connection.
	PerTenant int
	// AllowPrivate lets the client dial loopback, private and other
	// non-public addresses (directory.WebhookPolicy.AllowPrivate).
	AllowPrivate bool
}

// Client posts deliveries. It is safe for concurrent use.
type Client struct {
	http *http.Client
	opts Options

	mu    sync.Mutex
	slots map[int64]chan struct{}
}

// NewClient returns a client with opts.
func NewClient(opts Options) *Client {
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.MaxResponseBytes <= 0 {
		opts.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if opts.PerTenant <= 0 {
		opts.PerTenant = DefaultPerTenant
	}
	dialer := &net.Dialer{Timeout: opts.Timeout}
	if !opts.AllowPrivate {
		dialer.Control = refuseNonPublic
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial for us, past the address check
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   opts.Timeout,
		ResponseHeaderTimeout: opts.Timeout,
		MaxIdleConnsPerHost:   opts.PerTenant,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &Client{
		http: &http.Client{Transport: tr, Timeout: opts.Timeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		opts:  opts,
		slots: map[int64]chan struct{}{},
	}
}

// errNonPublic is the reason a dial to a non-public address was refused.
var errNonPublic = errors.New("the address is loopback, link-local, private or reserved; userd does not send webhooks there (userd serve --webhook-allow-private allows it)")

// refuseNonPublic is the dialer's check of every address it connects to,
// after DNS: what a name resolves to at delivery time counts, not what it
// resolved to when the subscription was saved.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("webhook: dial %s: %w", address, err)
	}
	if !directory.PublicAddr(ap.Addr()) {
		return fmt.Errorf("webhook: dial %s: %w", address, errNonPublic)
	}
	return nil
}

// Response is what came of one attempt.
type Response struct {
	// StatusCode is the receiver's status, 0 when it did not answer.
	StatusCode int
	// Body is the answer, up to Options.MaxResponseBytes.
	Body    []byte
	Latency time.Duration
	// Err says why the attempt failed, nil when the receiver answered 2xx.
	Err error
}

// Post sends body to url for tenantID with header, waiting first for one of
// the tenant's slots. A 2xx answer read in full within the limits is a
// success; anything else (a redirect, another status, a timeout, a body
// over the limit) comes back with Err saying why.
func (c *Client) Post(ctx context.Context, tenantID int64, url string, header http.Header, body []byte) Response {
	slot := c.slot(tenantID)
	select {
	case slot <- struct{}{}:
		defer func() { <-slot }()
	case <-ctx.Done():
		return Response{Err: ctx.Err()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{Err: fmt.Errorf("webhook: %w", err)}
	}
	req.Header = header.Clone()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "userd-webhooks/1")
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return Response{Latency: time.Since(start), Err: err}
	}
	defer resp.Body.Close()
	answer, err := io.ReadAll(io.LimitReader(resp.Body, c.opts.MaxResponseBytes+1))
	r := Response{StatusCode: resp.StatusCode, Body: answer, Latency: time.Since(start)}
	switch {
	case err != nil:
		r.Err = fmt.Errorf("webhook: read the answer: %w", err)
	case int64(len(answer)) > c.opts.MaxResponseBytes:
		r.Body = answer[:c.opts.MaxResponseBytes]
		r.Err = fmt.Errorf("webhook: the answer is over %d bytes", c.opts.MaxResponseBytes)
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		r.Err = fmt.Errorf("webhook: the receiver answered %s (to %q); redirects are not followed, update the subscription's URL", resp.Status, resp.Header.Get("Location"))
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		r.Err = fmt.Errorf("webhook: the receiver answered %s", resp.Status)
	}
	return r
}

func (c *Client) slot(tenantID int64) chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.slots[tenantID]
	if !ok {
		s = make(chan struct{}, c.opts.PerTenant)
		c.slots[tenantID] = s
	}
	return s
}
