package userinfov1

import (
	"io"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// BenchmarkEncodeUserItem maps one user to a data item and encodes it.
func BenchmarkEncodeUserItem(b *testing.B) {
	var buf []byte
	dialecttest.BenchEncode(b, func(u directory.User) error {
		var it userItem
		it.fill(&u)
		buf = it.appendJSON(buf[:0])
		_, err := io.Discard.Write(buf)
		return err
	})
}

// BenchmarkEncodeBatch100 encodes a whole answer of 100 users, the largest
// batch a request may ask for.
func BenchmarkEncodeBatch100(b *testing.B) {
	users := make([]directory.User, MaxUserIDs)
	for i := range users {
		users[i] = dialecttest.SampleUser()
		users[i].ID += int64(i)
	}
	var buf []byte // the handler reuses its buffers too
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = writeSuccess(io.Discard, buf, users); err != nil {
			b.Fatal(err)
		}
	}
}
