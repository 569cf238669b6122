package tenantv2

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// BenchmarkEncodeUserDetail maps one user to the GET answer and encodes it.
func BenchmarkEncodeUserDetail(b *testing.B) {
	dialecttest.BenchEncode(b, func(u directory.User) error {
		return json.NewEncoder(io.Discard).Encode(newUserDetail(u, time.UTC))
	})
}

// BenchmarkAppendUserDetail is BenchmarkEncodeUserDetail with the encoder
// the GET uses.
func BenchmarkAppendUserDetail(b *testing.B) {
	var buf []byte
	dialecttest.BenchEncode(b, func(u directory.User) (err error) {
		d := newUserDetail(u, time.UTC)
		buf, err = d.appendJSON(buf[:0])
		return err
	})
}
