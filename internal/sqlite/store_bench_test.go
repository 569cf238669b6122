package sqlite

import (
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// BenchmarkStore runs the engine-independent store benchmarks on a file in
// a temporary directory, with the default (durable) synchronous mode.
func BenchmarkStore(b *testing.B) {
	directorytest.Bench(b, openTest(b, Options{}))
}
