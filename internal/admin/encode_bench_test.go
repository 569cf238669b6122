package admin

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// BenchmarkEncodeUser maps one user to the native user object and encodes
// it as the admin API answers it.
func BenchmarkEncodeUser(b *testing.B) {
	u := dialecttest.SampleUser()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encode(toUserJSON(u)); err != nil {
			b.Fatal(err)
		}
	}
}
