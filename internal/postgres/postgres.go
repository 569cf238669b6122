// Package postgres is the PostgreSQL directory.Store, for installations that
// run several userd nodes against one database. It uses pgx through a
// pgxpool connection pool and keeps its schema in versioned SQL migrations
// embedded in the binary.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/fifo"
	"github.com/userd/userd/internal/migration"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// defaultConnectTimeout bounds a connection attempt when the URL sets no
// connect_timeout, so an unreachable server answers Unavailable instead of
// hanging until the kernel gives up.
const defaultConnectTimeout = 10 * time.Second

// defaultMaxConns is the pool size when the URL sets no pool_max_conns.
// PostgreSQL flushes the WAL of every transaction committing at the same
// moment in one write, so durable writes scale with the transactions in
// flight: pgx's own default (the larger of 4 and the number of CPUs) left
// 64 concurrent updates queueing for 4 connections, each commit waiting
// for a flush of its own.
const defaultMaxConns = 16

// maxTxAttempts bounds how often a transaction that lost a deadlock or a
// serialization conflict is run again.
const maxTxAttempts = 3

// heavyReadsParam is the URL parameter that says how many heavy reads a
// node runs at once on the database of the URL, the primary's or a
// replica's.
//
// A node admits its heavy reads on a database (list pages, searches and
// filters, counts, batch lookups: the reads through queryInto, which may
// scan or return many rows) through a first-come gate of that size, and
// queues the others in arrival order. Reads by key and writes do not pass
// it. By default the size is the pool's, which throttles nothing: userd
// cannot know how many reads the database runs well at once, and on the
// shared two-core machine of docs/benchmarks.md ("List pages through a
// first-come gate on PostgreSQL") a narrow gate served list pages more
// nearly in order but at a lower rate, so their 99th percentile hardly
// fell: pages let through one after another cost the client, userd and
// PostgreSQL more CPU each than pages that arrive together. An operator
// whose database has far fewer cores than its nodes' pools have
// connections can narrow it, which also keeps the rest of the pool for
// reads by key and writes while lists queue.
const heavyReadsParam = "pool_max_heavy_reads"

// Store is the PostgreSQL directory.Store. It is safe for concurrent use.
type Store struct {
	target            // the primary: its pool, point reads and heavy-read gate
	c      *committer // the queue of writes, run in shared transactions (commit.go)
	r      replicas   // the read replicas (replica.go)
}

var _ directory.Store = (*Store)(nil)

// Open returns a Store for the database at url, a postgres:// URL. Pool
// settings come from the URL's pool_* parameters (pool_max_conns,
// pool_min_conns, pool_max_conn_lifetime, pool_max_conn_idle_time,
// pool_health_check_period); without pool_max_conns the pool holds up to
// defaultMaxConns connections. Open does not connect: a node whose database is
// down still starts, and Ping reports Unavailable until it comes back.
//
// Reads that may see data a little old go to the replicas at replicaURLs,
// if any (replica.go says which, and how read-your-writes holds).
func Open(ctx context.Context, url string, replicaURLs ...string) (*Store, error) {
	cfg, primary, err := openPool(ctx, url, "db", defaultConnectTimeout)
	if err != nil {
		return nil, err
	}
	s := &Store{target: primary, c: newCommitter()}
	if s.r.list, err = openReplicas(ctx, replicaURLs); err != nil {
		s.pool.Close()
		return nil, err
	}
	s.c.start(s, min(maxCommitters, int(cfg.MaxConns)))
	if len(s.r.list) > 0 {
		s.watchReplicas()
	}
	return s, nil
}

// openPool opens the server at url, the value of flag (for errors), as a
// target: a pool with defaultMaxConns connections and connectTimeout
// unless url sets them, its point reads and the gate of its heavy reads
// (heavyReadsParam).
func openPool(ctx context.Context, url, flag string, connectTimeout time.Duration) (*pgxpool.Config, target, error) {
	cfg, heavyReads, err := poolConfig(url, flag, connectTimeout)
	if err != nil {
		return nil, target{}, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, target{}, storeError("open", err)
	}
	return cfg, target{pool: pool, points: newPointReads(pool), heavy: fifo.NewGate(heavyReads)}, nil
}

// poolConfig parses url, the value of flag (for errors), and gives it
// defaultMaxConns connections and connectTimeout unless it sets them. It
// also returns how many heavy reads may run at once on the database
// (heavyReadsParam): url's pool_max_heavy_reads, at most the pool's size.
func poolConfig(url, flag string, connectTimeout time.Duration) (*pgxpool.Config, int, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's parse error quotes the URL with the password hidden only on a
		// best-effort basis, so it is neither shown nor logged.
		return nil, 0, directory.Errorf(directory.Invalid, flag, "is not a valid postgres:// URL; check its host, port and parameters (pool_max_conns, pool_max_conn_lifetime, ... as github.com/jackc/pgx/v5/pgxpool reads them)")
	}
	if !setsMaxConns(url) {
		cfg.MaxConns = defaultMaxConns
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	heavyReads := int(cfg.MaxConns)
	// pgx sends the parameters it does not know to the server, which
	// would refuse this one.
	if v, ok := cfg.ConnConfig.RuntimeParams[heavyReadsParam]; ok {
		delete(cfg.ConnConfig.RuntimeParams, heavyReadsParam)
		heavyReads, err = strconv.Atoi(v)
		if err != nil || heavyReads < 1 {
			return nil, 0, directory.Errorf(directory.Invalid, flag, "sets %s to %q: give how many list pages, searches and batches the database may run at once, 1 or more (its cores or a few times that), or leave it out for the pool size", heavyReadsParam, v)
		}
	}
	return cfg, min(heavyReads, int(cfg.MaxConns)), nil
}

// setsMaxConns reports whether url, which pgxpool parsed without error,
// names a pool size. pgxpool's parsed config cannot tell a pool_max_conns
// equal to its default from none.
func setsMaxConns(url string) bool {
	cfg, err := pgconn.ParseConfig(url)
	if err != nil {
		return false
	}
	_, ok := cfg.RuntimeParams["pool_max_conns"]
	return ok
}

// Close answers the writes still queued with Unavailable, waits for the
// transactions running to end and releases the store's connections.
func (s *Store) Close() error {
	s.c.stop()
	if s.r.stop != nil {
		close(s.r.stop)
		s.r.stopped.Wait()
		s.r.stop = nil
	}
	closeReplicas(s.r.list)
	s.pool.Close()
	return nil
}

// Ping reports whether the store can serve: the database answers and holds
// every migration this build knows. A newer schema is fine. It is what
// /readyz asks.
func (s *Store) Ping(ctx context.Context) error {
	var exists bool
	if err := s.pool.QueryRow(ctx, "SELECT to_regclass('goose_db_version') IS NOT NULL").Scan(&exists); err != nil {
		return storeError("ping", err)
	}
	var current int64
	if exists {
		if err := s.pool.QueryRow(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version").Scan(&current); err != nil {
			return storeError("ping", err)
		}
	}
	return migration.Ready(current, latestVersion())
}

// latestVersion is the version of the newest embedded migration.
var latestVersion = sync.OnceValue(func() int64 { return migration.Latest(migrationFiles, "migrations") })

// migrationLockTimeout is how long Migrate waits, polling once a second, for
// another node that is migrating the same database.
const migrationLockTimeout = 300

// Migrate applies the schema migrations the database does not have yet. It
// holds a PostgreSQL advisory lock while migrating, so nodes that start at
// the same time apply each migration once, one after the other.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is Migrate that returns the versions it applied, oldest
// first (none when the schema was current).
func (s *Store) ApplyMigrations(ctx context.Context) ([]int64, error) {
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, migrationLockTimeout))
	if err != nil {
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := migrations(db, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, storeError("migrate", err)
	}
	applied := make([]int64, 0, len(res))
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// SchemaVersion returns the schema version the database has (0 for a new
// database) and the latest one this build knows. It takes no lock and
// changes nothing: on a new database it does not create the table of
// versions.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	p, err := migrations(db)
	if err != nil {
		return 0, 0, err
	}
	var exists bool
	if err := s.pool.QueryRow(ctx, `SELECT to_regclass('goose_db_version') IS NOT NULL`).Scan(&exists); err != nil {
		return 0, 0, storeError("read the schema version", err)
	}
	if !exists {
		sources := p.ListSources()
		return 0, sources[len(sources)-1].Version, nil
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, storeError("read the schema version", err)
	}
	return current, latest, nil
}

func migrations(db *sql.DB, opts ...goose.ProviderOption) (*goose.Provider, error) {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, append(opts, goose.WithDisableGlobalRegistry(true))...)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	return p, nil
}

// insert runs sql, an INSERT ... RETURNING id, and writes ev naming the new
// id, in one transaction.
func (s *Store) insert(ctx context.Context, ev directory.Event, sql string, args ...any) (int64, error) {
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		id, err = insertTx(ctx, tx, ev, sql, args...)
		return err
	})
	return id, err
}

// insertTx is insert inside the transaction tx.
func insertTx(ctx context.Context, tx pgx.Tx, ev directory.Event, sql string, args ...any) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, sql, args...).Scan(&id); err != nil {
		return 0, err
	}
	ev.ObjectID = strconv.FormatInt(id, 10)
	return id, insertEvent(ctx, tx, ev)
}

// notFound maps pgx.ErrNoRows to a NotFound error about what and leaves other
// errors alone.
func notFound(err error, what string) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.Errorf(directory.NotFound, "", "no such %s", what)
	}
	return err
}

// query runs sql, a heavy read (heavyReadsParam), and reads every row it
// returns with scan.
func query[T any](ctx context.Context, s *Store, op string, scan func(pgx.Row) (T, error), sql string, args ...any) ([]T, error) {
	return queryInto(ctx, s, op, scan, nil, sql, args...)
}

// queryInto is query appending the rows to dst[:0]: a caller that knows
// how many rows to expect makes dst with room for them, where growing the
// slice row by row copied rows as large as a user's over and over.
func queryInto[T any](ctx context.Context, s *Store, op string, scan func(pgx.Row) (T, error), dst []T, sql string, args ...any) ([]T, error) {
	var out []T
	err := s.readHeavy(ctx, func(q querier) error {
		rows, err := q.Query(ctx, sql, args...)
		if err != nil {
			return err
		}
		out, err = pgx.AppendRows(dst[:0], rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		return err
	})
	return out, storeError(op, err)
}
