package dialecttest

import (
	"os"
	"testing"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// BenchOnEngines runs bench as sub-benchmark "sqlite", and again as
// "postgres", with every Env New builds on PostgreSQL, when pgtest.URLVar
// is set: a dialect's benchmark measured on both engines.
func BenchOnEngines(b *testing.B, bench func(b *testing.B)) {
	b.Run("sqlite", bench)
	if os.Getenv(pgtest.URLVar) == "" {
		return
	}
	b.Run("postgres", func(b *testing.B) {
		onPostgres.Store(b.Name(), struct{}{})
		defer onPostgres.Delete(b.Name())
		bench(b)
	})
}
