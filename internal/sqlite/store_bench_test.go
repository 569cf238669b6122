package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// BenchmarkStore runs the engine-independent store benchmarks on a file in
// a temporary directory, with the default (durable) synchronous mode.
func BenchmarkStore(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "bench.db"), Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if err := s.Migrate(b.Context()); err != nil {
		b.Fatal(err)
	}
	directorytest.Bench(b, s)
}
