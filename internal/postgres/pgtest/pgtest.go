// Package pgtest gives tests a PostgreSQL database of their own, created on
// the server named by USERD_TEST_POSTGRES_URL and dropped afterwards, and
// the list of --db URLs end-to-end tests run against.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// URLVar names the environment variable that switches the PostgreSQL tests
// on: a postgres:// URL of a server where the tests may create databases.
const URLVar = "USERD_TEST_POSTGRES_URL"

// CreateDatabase creates a database with a random name on the server at
// base and returns its URL and a function that drops it.
func CreateDatabase(ctx context.Context, base string) (dbURL string, drop func() error, err error) {
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, fmt.Errorf("%s is not a URL", URLVar)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "userd_test_" + hex.EncodeToString(b)
	if err := exec(ctx, base, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, base, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop test database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// exec runs one statement on its own connection to the server at base.
func exec(ctx context.Context, base, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return fmt.Errorf("PostgreSQL named by %s cannot be reached (%w); start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`, or unset %s to skip these tests", URLVar, err, URLVar)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// Fresh creates a database for t on the server at base and drops it when t
// ends. It fails t when the server cannot be reached.
func Fresh(t testing.TB, base string) string {
	t.Helper()
	dbURL, drop, err := CreateDatabase(context.Background(), base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return dbURL
}

// Engines returns, by engine name, functions that make a fresh --db URL for
// a test: a SQLite file in the test's temporary directory always, and a
// PostgreSQL database of its own when URLVar is set.
func Engines() map[string]func(t testing.TB) string {
	out := map[string]func(t testing.TB) string{
		"sqlite": func(t testing.TB) string { return "sqlite:" + filepath.Join(t.TempDir(), "userd.db") },
	}
	if base := os.Getenv(URLVar); base != "" {
		out["postgres"] = func(t testing.TB) string { return Fresh(t, base) }
	}
	return out
}
