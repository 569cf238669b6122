package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// TestOrgTreeMigration pages through the orgs stored before the org tree's
// ancestry existed (migration 00010).
func TestOrgTreeMigration(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "userd.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	p, err := s.migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 9); err != nil {
		t.Fatalf("migrate to version 9: %v", err)
	}
	directorytest.CheckOrgTreeMigrated(t, s, func() error { return s.Migrate(ctx) })
}
