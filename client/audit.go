package client

import (
	"context"
	"iter"
	"net/url"
	"time"
)

// Event is one record of the tenant's audit log. Fields names what changed,
// never a value.
type Event struct {
	ID       int64     `json:"id"`
	Time     time.Time `json:"time"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	ObjectID string    `json:"object_id"`
	Fields   []string  `json:"fields"`
	ClientIP string    `json:"client_ip"`
}

// AuditEvents iterates over the tenant's audit log, oldest first, fetching
// pageSize events per request (0: the server's default), like Users.
func (c *Client) AuditEvents(ctx context.Context, pageSize int) iter.Seq2[Event, error] {
	return pages(ctx, c, "/admin/v1/audit-events", url.Values{}, pageSize, func(p *eventPage) ([]Event, *string) { return p.Events, p.NextCursor })
}

type eventPage struct {
	Events     []Event `json:"events"`
	NextCursor *string `json:"next_cursor"`
}
