package admin

import (
	"bytes"
	"context"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"strings"
	"testing"
)

// keylessDecodings returns s and everything s decodes to, once or twice,
// in the encodings one can undo without a key: URL escaping, base64 (every
// alphabet, padded or not), base32 and hex.
func keylessDecodings(s string) [][]byte {
	decoders := []func(string) ([]byte, error){
		func(s string) ([]byte, error) { u, err := url.QueryUnescape(s); return []byte(u), err },
		base64.RawURLEncoding.DecodeString,
		base64.URLEncoding.DecodeString,
		base64.RawStdEncoding.DecodeString,
		base64.StdEncoding.DecodeString,
		base32.StdEncoding.DecodeString,
		base32.HexEncoding.DecodeString,
		hex.DecodeString,
	}
	out := [][]byte{[]byte(s)}
	for range 2 {
		for _, b := range out {
			for _, decode := range decoders {
				if d, err := decode(string(b)); err == nil {
					out = append(out, d)
				}
			}
		}
	}
	return out
}

// TestCursorHidesTheSortKey checks that a cursor of a list ordered by email
// shows the email in no form one can decode without the installation's
// key, in whole or in part, and that its length does not give the email's
// length away.
func TestCursorHidesTheSortKey(t *testing.T) {
	ctx := context.Background()
	c := &cursorSealer{secret: []byte("0123456789abcdef0123456789abcdef")}
	emails := []string{"ada.lovelace@example.com", "b@example.org"}
	var lengths []int
	for _, email := range emails {
		s, err := c.seal(ctx, 1, position{ID: 42, Key: email}, "users", "", "ad", "")
		if err != nil || s == nil {
			t.Fatalf("seal: got %v, %v, want a cursor", s, err)
		}
		lengths = append(lengths, len(*s))
		for _, d := range keylessDecodings(*s) {
			lower := bytes.ToLower(d)
			for _, part := range strings.Split(email, "@") {
				// Parts shorter than 4 bytes turn up in random bytes by chance.
				if len(part) >= 4 && bytes.Contains(lower, []byte(part)) {
					t.Errorf("cursor %s: a keyless decoding holds %q", *s, part)
				}
			}
		}
	}
	if lengths[0] != lengths[1] {
		t.Errorf("cursors of emails of %d and %d bytes: got lengths %v, want one length", len(emails[0]), len(emails[1]), lengths)
	}
}
