// Package sqlite is the directory.Store on an embedded SQLite database, the
// default engine of a single userd node. It uses the pure-Go driver
// modernc.org/sqlite, so the binary needs no cgo.
//
// A Store holds two connection pools on the same file: one writer connection
// whose transactions start with BEGIN IMMEDIATE, and a pool of query-only
// readers that WAL mode lets run alongside the writer. Writes queue for the
// writer in the Store, instead of failing with SQLITE_BUSY, and the writes
// queued together share one transaction and one COMMIT (group commit).
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/fifo"
	"github.com/userd/userd/internal/migration"
)

// Options tunes a Store. The zero value is the safe default.
type Options struct {
	// Synchronous is "FULL" (the default: a write that was acknowledged
	// survives a power loss) or "NORMAL" (faster commits; after a power loss
	// the last acknowledged writes may be gone, but the database stays
	// consistent). Choose NORMAL only when losing the last moments of writes
	// is acceptable.
	Synchronous string
	// ReadConns is the number of reader connections; 0 means
	// max(4, GOMAXPROCS).
	ReadConns int
	// ServerLock takes an exclusive OS lock on the file PATH.lock beside the
	// database for as long as the Store is open, and makes Open fail with
	// ErrLocked while another Store holds it, in this process or another:
	// one userd serve per database file. Command-line tools, which may write
	// while the server runs, leave it false.
	ServerLock bool
}

// Store is a directory.Store on one SQLite database file.
//
// The reads of users (a user, a list page, a batch) pass rg, a gate as
// wide as the reader pool, in arrival order. Without it they queued in
// database/sql, which hands a freed connection to a random waiter: at 64
// concurrent pages on 4 connections a read waited anywhere from nothing to
// many times the average, and the 99th percentile of a list page was six
// times its median.
type Store struct {
	w  *sql.DB     // exactly one connection; every transaction is BEGIN IMMEDIATE
	r  *sql.DB     // query-only readers
	wc *stmtCache  // the writer's prepared statements, used by write
	rq *prepared   // runs queries on the readers through their prepared statements
	rg *fifo.Gate  // queues the reads of users for the readers in arrival order
	c  *committer  // the queue of writes; see write
	l  *serverLock // held while open if Options.ServerLock; nil otherwise
}

var _ directory.Store = (*Store)(nil)

// busyTimeout bounds how long a connection waits for a lock held by another
// process (a second userd on the same file, a backup) before SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// mmapSize is how much of the database file each connection reads through
// a memory mapping of it rather than through its own page cache of 2 MB
// and a pread per page it misses: SQLite's largest (SQLITE_MAX_MMAP_SIZE),
// so a file of up to 2 GB is mapped whole and a point read of a large
// directory costs no system call. The pages are the kernel's page cache,
// shared by every connection and counted in the resident size once per
// connection (see docs/operations.md). SQLite still writes through write();
// the mapping only reads. The price: an I/O error on a mapped page, or the
// file cut short by another program, stops the process with SIGBUS instead
// of failing one query with SQLITE_IOERR.
const mmapSize = 2147418112

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating it if needed) the database at path. Call Migrate
// before using a new database. A new database's files are readable by their
// owner only, and Open refuses an existing one that other accounts may read.
func Open(ctx context.Context, path string, opts Options) (s *Store, err error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: open %q: give the path of a database file (the writer and the readers must share it)", path)
	}
	sync := strings.ToUpper(opts.Synchronous)
	switch sync {
	case "":
		sync = "FULL"
	case "FULL", "NORMAL":
	default:
		return nil, fmt.Errorf("sqlite: synchronous %q: use FULL (the default) or NORMAL", opts.Synchronous)
	}
	readConns := opts.ReadConns
	if readConns <= 0 {
		readConns = defaultReadConns()
	}
	var lock *serverLock
	if opts.ServerLock {
		if lock, err = lockServer(path); err != nil {
			return nil, err
		}
		defer func() {
			if err != nil {
				err = errors.Join(err, lock.release())
			}
		}()
	}
	if err := prepareFiles(path); err != nil {
		return nil, err
	}

	writer := url.Values{"_txlock": {"immediate"}}
	for k, v := range pragmas(sync) {
		writer[k] = v
	}
	w, err := openPool(ctx, path+"?"+writer.Encode(), 1)
	if err != nil {
		return nil, err
	}
	// The readers open only after the writer has switched the file to WAL,
	// which a query-only connection could not do.
	r, err := openPool(ctx, readerDSN(path, sync), readConns)
	if err != nil {
		return nil, errors.Join(err, w.Close())
	}
	s = &Store{w: w, r: r, wc: &stmtCache{db: w}, rq: &prepared{c: &stmtCache{db: r}}, rg: fifo.NewGate(readConns), c: newCommitter(), l: lock}
	go s.commitLoop()
	return s, nil
}

// defaultReadConns is the number of reader connections when
// Options.ReadConns is 0.
func defaultReadConns() int { return max(4, runtime.GOMAXPROCS(0)) }

// pragmas are the connection settings of the writer and the readers, with
// synchronous set to sync.
func pragmas(sync string) url.Values {
	// The driver runs busy_timeout first, so no other pragma can fail with
	// SQLITE_BUSY while another process holds a lock.
	return url.Values{"_pragma": {
		"busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		"synchronous(" + sync + ")",
		"foreign_keys(1)",
		// Statement journals and sorts stay in memory instead of temp files.
		"temp_store(MEMORY)",
		// The writer maps the file too: its reads (the row an update
		// changes, the unique indexes an insert probes) miss its page cache
		// as a reader's do, and the one failure mapping brings, SIGBUS on
		// an I/O error, already stops the whole process once the readers
		// map the file.
		"mmap_size(" + strconv.FormatInt(mmapSize, 10) + ")",
	}}
}

// readerDSN is the data source name of a reader of the database at path.
func readerDSN(path, sync string) string {
	p := pragmas(sync)
	p.Add("_pragma", "query_only(1)")
	return path + "?" + p.Encode()
}

func openPool(ctx context.Context, dsn string, conns int) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		return nil, errors.Join(fmt.Errorf("sqlite: open %s: %w; check that the directory exists and is writable", strings.SplitN(dsn, "?", 2)[0], err), db.Close())
	}
	return db, nil
}

// Migrate brings the schema up to date. It is safe to run on every start.
func (s *Store) Migrate(ctx context.Context) error {
	_, err := s.ApplyMigrations(ctx)
	return err
}

// ApplyMigrations is Migrate that returns the versions it applied, oldest
// first (none when the schema was current).
func (s *Store) ApplyMigrations(ctx context.Context) ([]int64, error) {
	p, err := s.migrations()
	if err != nil {
		return nil, err
	}
	res, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrate: %w", err)
	}
	applied := make([]int64, 0, len(res))
	for _, r := range res {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// SchemaVersion returns the schema version the database has (0 for a new
// database) and the latest one this build knows. It changes nothing: on a
// new database it does not create the table of versions.
func (s *Store) SchemaVersion(ctx context.Context) (current, latest int64, err error) {
	p, err := s.migrations()
	if err != nil {
		return 0, 0, err
	}
	var tables int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'goose_db_version'`).Scan(&tables); err != nil {
		return 0, 0, fmt.Errorf("sqlite: read the schema version: %w", err)
	}
	if tables == 0 {
		sources := p.ListSources()
		return 0, sources[len(sources)-1].Version, nil
	}
	current, latest, err = p.GetVersions(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: read the schema version: %w", err)
	}
	return current, latest, nil
}

func (s *Store) migrations() (*goose.Provider, error) {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, s.w, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
	}
	return p, nil
}

// Close answers the writes already queued, refuses new ones, and closes
// both connection pools, first letting SQLite refresh the query planner's
// statistics of tables that changed much, as SQLite recommends doing
// before a long-lived connection closes.
// Closing a closed store does nothing.
func (s *Store) Close() error {
	if s.rq.c.closed.Load() {
		return nil
	}
	s.c.stop()
	_, err := s.w.Exec("PRAGMA optimize")
	if err != nil {
		err = fmt.Errorf("sqlite: optimize before closing: %w", err)
	}
	s.rq.c.close()
	s.wc.close()
	return errors.Join(err, s.r.Close(), s.w.Close(), s.l.release())
}

// Ping reports whether the store can serve: the database answers a query
// on a reader (never waiting for the writer) and holds every migration this
// build knows. A newer schema is fine. It is what /readyz asks.
func (s *Store) Ping(ctx context.Context) error {
	var tables int
	if err := s.rq.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'goose_db_version'").Scan(&tables); err != nil {
		return storeError(err)
	}
	var current int64
	if tables > 0 {
		if err := s.rq.QueryRowContext(ctx, "SELECT coalesce(max(version_id), 0) FROM goose_db_version").Scan(&current); err != nil {
			return storeError(err)
		}
	}
	return migration.Ready(current, latestVersion())
}

// latestVersion is the version of the newest embedded migration.
var latestVersion = sync.OnceValue(func() int64 { return migration.Latest(migrations, "migrations") })

// storeError turns a driver error into a *directory.Error by its SQLite
// result code; *directory.Error values pass through unchanged.
func storeError(err error) error {
	if err == nil {
		return nil
	}
	var de *directory.Error
	if errors.As(err, &de) {
		return err
	}
	switch {
	case isUniqueViolation(err):
		return directory.Violation(directory.Taken, "", err)
	case isForeignKeyViolation(err):
		return directory.Violation(directory.Missing, "", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		// The request's deadline passed while it waited for the writer or
		// ran a query: the database is too slow right now, not broken.
		return directory.StoreError(directory.Unavailable, "", err)
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_FULL, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL, sqlite3.SQLITE_READONLY:
			return directory.StoreError(directory.Unavailable, "", err)
		}
	}
	return directory.StoreError(directory.Internal, "", err)
}

// isUniqueViolation reports whether err is a UNIQUE or PRIMARY KEY
// constraint failure, by SQLite's extended result code.
func isUniqueViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && (se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKeyViolation reports whether err is a FOREIGN KEY constraint
// failure, by SQLite's extended result code.
func isForeignKeyViolation(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// querier is what the queries need of a transaction or a pool: a
// *prepared.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) scanner
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// micros encodes a time as Unix microseconds; the zero time is NULL.
func micros(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

// fromMicros decodes what micros encoded.
func fromMicros(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

// nullString stores "" as NULL, so absent values stay out of unique indexes.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// nullID stores id 0 (no reference) as NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// prefixRange returns bounds [lo, hi) holding exactly the strings that start
// with the lowercased prefix, so a prefix match can use an index on a
// _lower column. hi is lo with its last byte incremented; the last byte of
// UTF-8 text is at most 0xF4, so it cannot overflow.
func prefixRange(prefix string) (lo, hi string) {
	lo = strings.ToLower(prefix)
	return lo, lo[:len(lo)-1] + string([]byte{lo[len(lo)-1] + 1})
}

// idList encodes ids as a JSON array for `IN (SELECT value FROM json_each(?))`,
// which keeps the statement the same whatever the number of ids. It
// appends the digits in place: formatting each id as a string of its own
// cost an allocation per id of a batch.
func idList(ids []int64) string {
	b := make([]byte, 0, 2+len(ids)*(maxIDDigits+1))
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// maxIDDigits is the most digits of an id a list makes room for in
// advance: those of a JavaScript-safe integer, as most ids are.
const maxIDDigits = 16

// notFound returns the NotFound error for a missing object of kind what.
func notFound(what string) error {
	return directory.Errorf(directory.NotFound, "", "no such %s", what)
}

// exists reports whether query returns a row.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}
