package userinfov1

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// BenchmarkEncodeUserItem maps one user to a data item and encodes it.
func BenchmarkEncodeUserItem(b *testing.B) {
	dialecttest.BenchEncode(b, func(u directory.User) error {
		return json.NewEncoder(io.Discard).Encode(newUserItem(u))
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
	b.ReportAllocs()
	for b.Loop() {
		items := make([]userItem, len(users))
		for i, u := range users {
			items[i] = newUserItem(u)
		}
		if err := json.NewEncoder(io.Discard).Encode(successBody{Result: true, Mcode: mcodeSuccess, Data: items}); err != nil {
			b.Fatal(err)
		}
	}
}
