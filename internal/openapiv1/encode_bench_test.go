package openapiv1

import (
	"encoding/json"
	"io"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// BenchmarkEncodeUserInfo maps one user to the GET answer and encodes it.
func BenchmarkEncodeUserInfo(b *testing.B) {
	u := dialecttest.SampleUser()
	b.ReportAllocs()
	for b.Loop() {
		if err := json.NewEncoder(io.Discard).Encode(newUserInfo(u)); err != nil {
			b.Fatal(err)
		}
	}
}
