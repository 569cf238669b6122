package postgres

import (
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// BenchmarkStore runs the engine-independent store benchmarks in a fresh
// schema; it is skipped unless USERD_TEST_POSTGRES_URL is set.
func BenchmarkStore(b *testing.B) {
	directorytest.Bench(b, openFresh(b))
}
