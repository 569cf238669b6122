package postgres

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// TestPingNeedsSchema checks that Ping, which /readyz asks, reports
// Unavailable with the command to run while the database lacks migrations
// this build knows (an empty schema, or one whose schema went back), and nil
// once migrated or when the schema is newer (nodes of the previous version
// keep serving during an upgrade).
func TestPingNeedsSchema(t *testing.T) {
	dbURL := testDatabase(t)
	ctx := t.Context()
	schema := "s" + strconv.FormatInt(testDB.schemas.Add(1), 10)
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	s := openURL(t, withParam(dbURL, "search_path", schema))
	notReady := func(when string) {
		t.Helper()
		err := s.Ping(ctx)
		if directory.KindOf(err) != directory.Unavailable || !strings.Contains(err.Error(), "run userd migrate") {
			t.Errorf("Ping %s: got %v, want Unavailable saying to run userd migrate", when, err)
		}
	}
	notReady("on an empty database")
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping once migrated: got %v, want nil", err)
	}
	if _, err := s.pool.Exec(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, true)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping on a newer schema: got %v, want nil", err)
	}
	if _, err := s.pool.Exec(ctx, "DELETE FROM goose_db_version WHERE version_id > 1"); err != nil {
		t.Fatal(err)
	}
	notReady("once the schema went back")
}
