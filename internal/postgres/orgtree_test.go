package postgres

import (
	"testing"

	"github.com/userd/userd/internal/directory/directorytest"
)

// TestOrgTreeMigration pages through the orgs stored before the org tree's
// ancestry existed (migration 00011).
func TestOrgTreeMigration(t *testing.T) {
	old := openAtVersion(t, 10)
	directorytest.CheckOrgTreeMigrated(t, old, func() error { return old.Migrate(t.Context()) })
}
