// Package migration holds what both stores need to know about their
// embedded goose migrations to answer readiness: the newest version a build
// knows, and whether a database's schema version can serve it.
package migration

import (
	"io/fs"

	"github.com/pressly/goose/v3"

	"github.com/userd/userd/internal/directory"
)

// Latest returns the highest version among the migration files (named
// NNNNN_name.sql) in dir of fsys, 0 if there are none.
func Latest(fsys fs.FS, dir string) int64 {
	entries, _ := fs.ReadDir(fsys, dir)
	var latest int64
	for _, e := range entries {
		if v, err := goose.NumericComponent(e.Name()); err == nil {
			latest = max(latest, v)
		}
	}
	return latest
}

// Ready returns nil when a database at schema version current can serve a
// build whose newest migration is latest: every migration applied, or a
// newer schema (nodes of the previous version keep serving while an upgrade
// rolls). Otherwise it returns an Unavailable error that says what to run.
func Ready(current, latest int64) error {
	if current >= latest {
		return nil
	}
	return directory.Errorf(directory.Unavailable, "", "the database schema is at version %d and this userd needs %d: run userd migrate, or start userd serve without --no-migrate", current, latest)
}
