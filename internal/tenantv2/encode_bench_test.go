package tenantv2

import (
	"encoding/json"
	"io"
	"testing"
	"time"

	"github.com/userd/userd/internal/dialecttest"
)

// BenchmarkEncodeUserDetail maps one user to the GET answer and encodes it.
func BenchmarkEncodeUserDetail(b *testing.B) {
	u := dialecttest.SampleUser()
	b.ReportAllocs()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(newUserDetail(u, time.UTC)); err != nil {
			b.Fatal(err)
		}
	}
}
