package admin

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// BenchmarkEncodeUser maps one user to the native user object and encodes
// it as the admin API answers it.
func BenchmarkEncodeUser(b *testing.B) {
	dialecttest.BenchEncode(b, func(u directory.User) error {
		_, err := encode(toUserJSON(u))
		return err
	})
}
