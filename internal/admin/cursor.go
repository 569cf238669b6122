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
// Version 1 held only an id; version 2 adds the sort key.
const cursorVersion = 2

// cursorMinLen is the decoded length of a cursor with an empty key:
// version, id, tag.
const cursorMinLen = 1 + 8 + sha256.Size

// position is where a page ended: the id of its last item and, for lists
// ordered by another key first (users by email or username), that item's
// key. The zero position is the start of the list.
type position struct {
	ID  int64
	Key string
}

// cursorSigner makes and opens pagination cursors: the position (the last
// id of the page and its sort key) and an HMAC-SHA256 tag over it, the
// tenant, and the list with its filters, base64url-encoded. A cursor is
// therefore opaque to callers, cannot be forged or altered, and only works
// for the list and filters it was issued for. The key is the installation's
// secret, shared by every node and created on first use.
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

// tag authenticates pos for tenantID and the list described by binding.
func (c *cursorSigner) tag(ctx context.Context, tenantID int64, pos position, binding []string) ([]byte, error) {
	key, err := c.keyFor(ctx)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, key)
	buf := []byte("userd admin cursor\x00")
	buf = binary.BigEndian.AppendUint64(buf, uint64(tenantID))
	buf = binary.BigEndian.AppendUint64(buf, uint64(pos.ID))
	for _, s := range append([]string{pos.Key}, binding...) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	m.Write(buf)
	return m.Sum(nil), nil
}

// seal returns the cursor for the page after pos, or nil when pos.ID is 0
// (there is no next page).
func (c *cursorSigner) seal(ctx context.Context, tenantID int64, pos position, binding ...string) (*string, error) {
	if pos.ID == 0 {
		return nil, nil
	}
	tag, err := c.tag(ctx, tenantID, pos, binding)
	if err != nil {
		return nil, err
	}
	raw := append([]byte{cursorVersion}, binary.BigEndian.AppendUint64(nil, uint64(pos.ID))...)
	raw = append(raw, pos.Key...)
	s := base64.RawURLEncoding.EncodeToString(append(raw, tag...))
	return &s, nil
}

// open returns the position a cursor holds, or the zero position for the
// empty cursor (the first page). A cursor that was altered, or issued for
// another list, filters or tenant, or by a userd with another cursor
// format, is Invalid.
func (c *cursorSigner) open(ctx context.Context, tenantID int64, cursor string, binding ...string) (position, error) {
	if cursor == "" {
		return position{}, nil
	}
	bad := directory.Errorf(directory.Invalid, "cursor", "is not a cursor this list issued with these filters; start again from the first page without cursor")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) < cursorMinLen || raw[0] != cursorVersion {
		return position{}, bad
	}
	tagAt := len(raw) - sha256.Size
	pos := position{ID: int64(binary.BigEndian.Uint64(raw[1:9])), Key: string(raw[9:tagAt])}
	want, err := c.tag(ctx, tenantID, pos, binding)
	if err != nil {
		return position{}, err
	}
	if !hmac.Equal(raw[tagAt:], want) || pos.ID <= 0 {
		return position{}, bad
	}
	return pos, nil
}
