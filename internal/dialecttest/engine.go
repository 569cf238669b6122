package dialecttest

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
	"github.com/userd/userd/internal/postgres/pgtest"
	"github.com/userd/userd/internal/sqlite"
)

// onPostgres holds the names of the tests OnPostgres runs: New builds the
// Env of such a test, or of any of its subtests, on PostgreSQL.
var onPostgres sync.Map // test name → struct{}

// OnPostgres runs each of tests again, as a subtest of t named after the
// test function, with every Env New builds on PostgreSQL, so that the
// golden files, written on SQLite, also hold what PostgreSQL answers: an
// engine difference fails a test. It skips t when pgtest.URLVar is not set.
func OnPostgres(t *testing.T, tests ...func(t *testing.T)) {
	if os.Getenv(pgtest.URLVar) == "" {
		t.Skipf("set %s to run the dialect tests on PostgreSQL too", pgtest.URLVar)
	}
	for _, test := range tests {
		name := runtime.FuncForPC(reflect.ValueOf(test).Pointer()).Name()
		name = name[strings.LastIndexByte(name, '.')+1:]
		t.Run(name, func(t *testing.T) {
			onPostgres.Store(t.Name(), struct{}{})
			defer onPostgres.Delete(t.Name())
			test(t)
		})
	}
}

// underPostgres reports whether t is a test OnPostgres runs, or one of its
// subtests.
func underPostgres(t testing.TB) bool {
	found := false
	onPostgres.Range(func(k, _ any) bool {
		name := k.(string)
		found = t.Name() == name || strings.HasPrefix(t.Name(), name+"/")
		return !found
	})
	return found
}

// migratedStore is a store whose schema Migrate creates.
type migratedStore interface {
	directory.Store
	Migrate(ctx context.Context) error
}

// openStore opens a fresh, empty store for t, closed when t ends, and
// returns with it the URL of its PostgreSQL database ("" on SQLite).
func openStore(t testing.TB) (migratedStore, string) {
	t.Helper()
	var (
		st    migratedStore
		dbURL string
		err   error
	)
	if underPostgres(t) {
		dbURL = pgtest.Fresh(t, os.Getenv(pgtest.URLVar))
		st, err = postgres.Open(context.Background(), dbURL)
	} else {
		st, err = sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	}
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st, dbURL
}
