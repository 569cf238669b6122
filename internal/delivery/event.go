package delivery

import (
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
)

// EventType returns the webhook event type of a change: "user.created",
// "org.deleted", ...
func EventType(c directory.Change) string {
	switch c.Op {
	case directory.OpCreate:
		return c.Type + ".created"
	case directory.OpDelete:
		return c.Type + ".deleted"
	}
	return c.Type + ".updated"
}

// MessageID is the webhook-id (and OneAccess nonce) of a subscription's
// event: the same on every attempt and on every node, so a receiver can
// drop a repeat.
func MessageID(subscriptionID, position int64) string {
	return "msg_" + strconv.FormatInt(subscriptionID, 10) + "_" + strconv.FormatInt(position, 10)
}

// eventJSON is the body of a Standard Webhooks delivery and of a NATS
// message: a thin event naming the change, never the object's values.
type eventJSON struct {
	Type      string     `json:"type"`
	Timestamp string     `json:"timestamp"`
	Data      changeJSON `json:"data"`
}

type changeJSON struct {
	TenantID   int64    `json:"tenant_id"`
	Position   int64    `json:"position"`
	ObjectType string   `json:"object_type"`
	ObjectID   int64    `json:"object_id"`
	Op         string   `json:"op"`
	Version    int64    `json:"version"`
	Fields     []string `json:"fields"`
}

// eventBody returns the JSON body of change c.
func eventBody(c directory.Change) ([]byte, error) {
	fields := c.Fields
	if fields == nil {
		fields = []string{}
	}
	return jsonBody(eventJSON{Type: EventType(c), Timestamp: c.Time.UTC().Format("2006-01-02T15:04:05.000000Z"),
		Data: changeJSON{TenantID: c.TenantID, Position: c.Position, ObjectType: c.Type, ObjectID: c.ObjectID, Op: c.Op, Version: c.Version, Fields: fields}})
}

// backoff returns how long to wait before attempt n+1 (n >= 1): a random
// duration up to min(max, base·2^(n-1)), "full jitter", so receivers that
// failed together are not retried together.
func backoff(n int, base, max time.Duration, rnd func(int64) int64) time.Duration {
	d := base
	for i := 1; i < n && d < max; i++ {
		d *= 2
	}
	d = min(d, max)
	return time.Duration(rnd(int64(d))) + time.Millisecond
}
