package openapiv1

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// BenchmarkEncodeUserInfo maps one user to the GET answer and encodes it.
func BenchmarkEncodeUserInfo(b *testing.B) {
	dialecttest.BenchEncode(b, func(u directory.User) error {
		return json.NewEncoder(io.Discard).Encode(newUserInfo(u))
	})
}

// BenchmarkAppendUserInfo is BenchmarkEncodeUserInfo with the encoder the
// GET uses.
func BenchmarkAppendUserInfo(b *testing.B) {
	var buf []byte
	dialecttest.BenchEncode(b, func(u directory.User) (err error) {
		brief := u.Brief()
		buf = appendUserInfo(buf[:0], &brief)
		return nil
	})
}
