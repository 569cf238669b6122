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
