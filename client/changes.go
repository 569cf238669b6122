package client

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Change is one entry of the tenant's change log (docs/api/changes.md): a
// user or org created, updated or deleted. Fields names what the change
// set, never a value.
type Change struct {
	Position int64     `json:"position"`
	Type     string    `json:"type"` // "user" or "org"
	ID       int64     `json:"id"`
	Op       string    `json:"op"` // "create", "update" or "delete"
	Version  int64     `json:"version"`
	Fields   []string  `json:"fields"`
	Time     time.Time `json:"time"`
}

type changePage struct {
	Changes   []Change `json:"changes"`
	NextAfter int64    `json:"next_after"`
}

// changesWait is the long-poll wait of Changes: the most the server allows.
const changesWait = "30s"

// Changes follows the tenant's change log from after position after (0:
// the beginning), oldest first, in commit order, and never ends on its
// own: once it has read every change it waits for the next ones (the
// server answers as soon as one commits). It stops at the first error,
// yielding it, or when the loop breaks; cancel ctx to stop a wait. Resume
// later from the last Position seen. An error for which IsResync holds
// means changes after `after` are no longer kept: read the users and orgs
// afresh and follow from LastChange taken before that read.
func (c *Client) Changes(ctx context.Context, after int64) iter.Seq2[Change, error] {
	return func(yield func(Change, error) bool) {
		for {
			q := url.Values{"after": {strconv.FormatInt(after, 10)}, "wait": {changesWait}}
			var p changePage
			if err := c.do(ctx, request{method: http.MethodGet, path: "/admin/v1/changes", query: q, want: http.StatusOK, out: &p}); err != nil {
				yield(Change{}, err)
				return
			}
			for _, ch := range p.Changes {
				if !yield(ch, nil) {
					return
				}
			}
			after = p.NextAfter
		}
	}
}

// LastChange returns the position of the newest entry of the tenant's
// change log (0 when there is none): where to start following it, taken
// before a full read of the users and orgs.
func (c *Client) LastChange(ctx context.Context) (int64, error) {
	p, err := call[changePage](ctx, c, request{method: http.MethodGet, path: "/admin/v1/changes", query: url.Values{"after": {"now"}}, want: http.StatusOK})
	return p.NextAfter, err
}

// IsResync reports whether err is the server saying the changes after the
// position asked are no longer kept (410 resync).
func IsResync(err error) bool {
	e, ok := errors.AsType[*Error](err)
	return ok && e.Status == http.StatusGone && strings.HasSuffix(e.Type, "#resync")
}
