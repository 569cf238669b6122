package admin

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"

	"github.com/userd/userd/internal/directory"
)

// cursorKeyName names the installation secret that signs cursors.
const cursorKeyName = "cursor-key"

// cursorVersion is the first byte of every cursor, so the format can change.
const cursorVersion = 1

// cursorLen is the decoded length of a cursor: version, position, tag.
const cursorLen = 1 + 8 + sha256.Size

// cursorSigner makes and opens pagination cursors: the position (the last
// id of the page) and an HMAC-SHA256 tag over it, the tenant, and the list
// with its filters, base64url-encoded. A cursor is therefore opaque to
// callers, cannot be forged or altered, and only works for the list and
// filters it was issued for. The key is the installation's secret, shared by
// every node and created on first use.
type cursorSigner struct {
	store directory.Store

	mu  sync.Mutex
	key []byte
}

// keyFor returns the signing key, reading (or creating) it on first use.
func (c *cursorSigner) keyFor(ctx context.Context) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key != nil {
		return c.key, nil
	}
	generated := make([]byte, 32)
	if _, err := rand.Read(generated); err != nil {
		return nil, directory.Wrap(directory.Internal, err, "generating the cursor key failed")
	}
	key, err := c.store.Secret(ctx, cursorKeyName, generated)
	if err != nil {
		return nil, err
	}
	c.key = key
	return key, nil
}

// tag authenticates position for tenantID and the list described by binding.
func (c *cursorSigner) tag(ctx context.Context, tenantID, position int64, binding []string) ([]byte, error) {
	key, err := c.keyFor(ctx)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	buf := []byte("userd admin cursor\x00")
	buf = binary.BigEndian.AppendUint64(buf, uint64(tenantID))
	buf = binary.BigEndian.AppendUint64(buf, uint64(position))
	for _, s := range binding {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	m.Write(buf)
	return m.Sum(nil), nil
}

// seal returns the cursor for the page after position, or nil when position
// is 0 (there is no next page).
func (c *cursorSigner) seal(ctx context.Context, tenantID, position int64, binding ...string) (*string, error) {
	if position == 0 {
		return nil, nil
	}
	tag, err := c.tag(ctx, tenantID, position, binding)
	if err != nil {
		return nil, err
	}
	raw := append([]byte{cursorVersion}, binary.BigEndian.AppendUint64(nil, uint64(position))...)
	s := base64.RawURLEncoding.EncodeToString(append(raw, tag...))
	return &s, nil
}

// open returns the position a cursor holds, or 0 for the empty cursor (the
// first page). A cursor that was altered, or issued for another list,
// filters or tenant, is Invalid.
func (c *cursorSigner) open(ctx context.Context, tenantID int64, cursor string, binding ...string) (int64, error) {
	if cursor == "" {
		return 0, nil
	}
	bad := directory.Errorf(directory.Invalid, "cursor", "is not a cursor this list issued with these filters; start again from the first page without cursor")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) != cursorLen || raw[0] != cursorVersion {
		return 0, bad
	}
	position := int64(binary.BigEndian.Uint64(raw[1:9]))
	want, err := c.tag(ctx, tenantID, position, binding)
	if err != nil {
		return 0, err
	}
	if !hmac.Equal(raw[9:], want) || position <= 0 {
		return 0, bad
	}
	return position, nil
}
