package postgres

import (
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/userd/userd/internal/directory"
)

// The Store's own statements and pool settings, for the benchmark's
// yardsticks (bench/ceiling), which run a path's database work with the
// driver alone and nothing of the Store around it. Taking them from here
// keeps a yardstick running exactly what the Store runs.

// UserBriefSQL is the statement of UserBrief: $1 the tenant, $2 the id.
const UserBriefSQL = userBriefSQL

// UsersByIDSQL is the statement of UsersByID: $1 the tenant, $2 the ids
// as an int8 array.
const UsersByIDSQL = usersByIDSQL

// ListUsersSQL returns the statement and arguments ListUsers runs for a
// filter f of no offset, and whether it runs them on the generic plan
// (with plan_cache_mode = force_generic_plan). The arguments may start
// with a pgx.QueryExecMode, to be passed on to pgx as they are.
func ListUsersSQL(tenantID int64, f directory.UserFilter) (query string, args []any, generic bool) {
	return listUsersArgs(viewSelect(f.View), tenantID, f)
}

// PoolConfig returns the settings of the pool Open opens for url: the
// URL's own, with the pool size and connect timeout Open gives a URL that
// sets none, and without pool_max_heavy_reads, which only the Store reads.
func PoolConfig(url string) (*pgxpool.Config, error) {
	cfg, _, err := poolConfig(url, "db", defaultConnectTimeout)
	return cfg, err
}
