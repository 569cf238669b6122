package admin

import (
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"sync"

	"golang.org/x/crypto/chacha20poly1305"

	"github.com/userd/userd/internal/directory"
)

// cursorKeyName names the installation secret the cursor key derives from.
const cursorKeyName = "cursor-key"

// cursorVersion is the first byte of every cursor, so the format can change.
// Version 1 held only an id; version 2 added the sort key, signed but in
// clear; version 3 encrypts both.
const cursorVersion = 3

// cursorKeyInfo binds the key derived from the installation secret to this
// use and format.
const cursorKeyInfo = "userd admin cursor v3"

// cursorBlock is the size the sealed position is padded to a multiple of,
// so a cursor's length does not tell the length of the email or username
// it carries: every key up to 55 bytes makes a cursor of one length, and
// the longest email (254 bytes) one of five.
const cursorBlock = 64

// cursorMinLen is the decoded length of the shortest cursor: version,
// nonce, one block, AEAD tag.
const cursorMinLen = 1 + chacha20poly1305.NonceSizeX + cursorBlock + chacha20poly1305.Overhead

// position is where a page ended: the id of its last item and, for lists
// ordered by another key first (users by email or username), that item's
// key. The zero position is the start of the list.
type position struct {
	ID  int64
	Key string
}

// cursorSealer makes and opens pagination cursors: the position (the last
// id of the page and its sort key), encrypted with XChaCha20-Poly1305 under
// a key derived from the installation's secret, with the tenant and the
// list with its filters as additional data; base64url-encoded. A cursor is
// therefore opaque to callers (it shows no email or username, even to one
// who decodes it), cannot be forged or altered, and only works for the list
// and filters it was issued for. Every node shares the secret, created on
// first use; the random 192-bit nonce of each cursor never needs a counter.
type cursorSealer struct {
	store directory.Store

	mu     sync.Mutex
	secret []byte // read from store on first use when nil
	aead   cipher.AEAD
}

// cipher returns the AEAD, deriving its key on first use.
func (c *cursorSealer) cipher(ctx context.Context) (cipher.AEAD, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.aead != nil {
		return c.aead, nil
	}
	if c.secret == nil {
		generated := make([]byte, 32)
		rand.Read(generated)
		secret, err := c.store.Secret(ctx, cursorKeyName, generated)
		if err != nil {
			return nil, err
		}
		c.secret = secret
	}
	key, err := hkdf.Key(sha256.New, c.secret, nil, cursorKeyInfo, chacha20poly1305.KeySize)
	if err != nil {
		return nil, directory.Wrap(directory.Internal, err, "deriving the cursor key failed")
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, directory.Wrap(directory.Internal, err, "deriving the cursor key failed")
	}
	c.aead = aead
	return aead, nil
}

// additionalData binds a cursor to tenantID and the list described by
// binding.
func additionalData(tenantID int64, binding []string) []byte {
	buf := append([]byte("userd admin cursor\x00"), cursorVersion)
	buf = binary.BigEndian.AppendUint64(buf, uint64(tenantID))
	for _, s := range binding {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	return buf
}

// seal returns the cursor for the page after pos, or nil when pos.ID is 0
// (there is no next page).
func (c *cursorSealer) seal(ctx context.Context, tenantID int64, pos position, binding ...string) (*string, error) {
	if pos.ID == 0 {
		return nil, nil
	}
	aead, err := c.cipher(ctx)
	if err != nil {
		return nil, err
	}
	plain := binary.BigEndian.AppendUint64(nil, uint64(pos.ID))
	plain = binary.AppendUvarint(plain, uint64(len(pos.Key)))
	plain = append(plain, pos.Key...)
	plain = append(plain, make([]byte, cursorBlock-1-(len(plain)-1)%cursorBlock)...)
	raw := make([]byte, 1+aead.NonceSize(), cursorMinLen+len(plain))
	raw[0] = cursorVersion
	rand.Read(raw[1:])
	raw = aead.Seal(raw, raw[1:], plain, additionalData(tenantID, binding))
	s := base64.RawURLEncoding.EncodeToString(raw)
	return &s, nil
}

// open returns the position a cursor holds, or the zero position for the
// empty cursor (the first page). A cursor that was altered, or issued for
// another list, filters or tenant, or by a userd with another cursor
// format or installation secret, is Invalid.
func (c *cursorSealer) open(ctx context.Context, tenantID int64, cursor string, binding ...string) (position, error) {
	if cursor == "" {
		return position{}, nil
	}
	bad := directory.Errorf(directory.Invalid, "cursor", "is not a cursor this list issued with these filters; start again from the first page without cursor")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil || len(raw) < cursorMinLen || raw[0] != cursorVersion {
		return position{}, bad
	}
	aead, err := c.cipher(ctx)
	if err != nil {
		return position{}, err
	}
	nonce := raw[1 : 1+aead.NonceSize()]
	plain, err := aead.Open(nil, nonce, raw[1+aead.NonceSize():], additionalData(tenantID, binding))
	if err != nil {
		return position{}, bad
	}
	// An authentic cursor is one seal made, so it parses; the checks only
	// keep a bug from panicking.
	id := int64(binary.BigEndian.Uint64(plain))
	n, w := binary.Uvarint(plain[8:])
	if w <= 0 || n > uint64(len(plain)-8-w) || id <= 0 {
		return position{}, bad
	}
	return position{ID: id, Key: string(plain[8+w : 8+w+int(n)])}, nil
}
