package sqlite

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestPingNeedsSchema checks that Ping, which /readyz asks, reports
// Unavailable with the command to run while the database lacks migrations
// this build knows (a new file, or one whose schema went back), and nil once
// migrated or when the schema is newer (nodes of the previous version keep
// serving during an upgrade).
func TestPingNeedsSchema(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "userd.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	notReady := func(when string) {
		t.Helper()
		err := s.Ping(ctx)
		if directory.KindOf(err) != directory.Unavailable || !strings.Contains(err.Error(), "run userd migrate") {
			t.Errorf("Ping %s: got %v, want Unavailable saying to run userd migrate", when, err)
		}
	}
	notReady("on a new database")
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping once migrated: got %v, want nil", err)
	}
	if _, err := s.w.ExecContext(ctx, "INSERT INTO goose_db_version (version_id, is_applied) VALUES (9999, 1)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping on a newer schema: got %v, want nil", err)
	}
	if _, err := s.w.ExecContext(ctx, "DELETE FROM goose_db_version WHERE version_id > 0"); err != nil {
		t.Fatal(err)
	}
	notReady("once the schema went back")
}
