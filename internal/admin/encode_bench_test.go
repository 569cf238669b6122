package admin

import (
	"io"
	"net/http"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

// discard is a ResponseWriter that keeps nothing.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(b []byte) (int, error) { return io.Discard.Write(b) }
func (discard) WriteHeader(int)             {}

// BenchmarkEncodeUser maps one user to the native user object and encodes
// it as the admin API answers it.
func BenchmarkEncodeUser(b *testing.B) {
	dialecttest.BenchEncode(b, func(u directory.User) error {
		return server.WriteJSON(discard{}, http.StatusOK, "application/json", toUserJSON(u))
	})
}

// BenchmarkAppendUser is BenchmarkEncodeUser with the encoder the GET and
// the list use.
func BenchmarkAppendUser(b *testing.B) {
	dialecttest.BenchEncode(b, func(u directory.User) error {
		return writeJSON(discard{}, http.StatusOK, userWire(u))
	})
}
