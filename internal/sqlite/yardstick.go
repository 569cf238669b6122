package sqlite

import (
	"context"
	"database/sql"

	"github.com/userd/userd/internal/directory"
)

// The Store's own statements and connection settings, for the benchmark's
// yardsticks (bench/ceiling), which run a path's database work with the
// driver alone and nothing of the Store around it. Taking them from here
// keeps a yardstick running exactly what the Store runs.

// UserBriefSQL is the statement of UserBrief: the tenant, then the id.
const UserBriefSQL = userBriefSQL

// UsersByIDSQL is the statement of UsersByID: the tenant, then the ids as
// a JSON array.
const UsersByIDSQL = usersByIDSQL

// ListUsersSQL returns the statement and arguments ListUsers runs for a
// filter f of no offset.
func ListUsersSQL(tenantID int64, f directory.UserFilter) (query string, args []any) {
	return listUsersQuery(viewColumns(f.View), tenantID, f)
}

// OpenReaders opens a pool of the readers Open opens on the database at
// path, with their settings and number (Options.ReadConns 0), for reads
// only, without the rest of a Store. The database must already be in WAL
// mode, as a Store leaves it.
func OpenReaders(ctx context.Context, path string) (*sql.DB, error) {
	return openPool(ctx, readerDSN(path, "FULL"), defaultReadConns())
}
