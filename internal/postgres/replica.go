package postgres

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/fifo"
	"github.com/userd/userd/internal/readafter"
)

// replicaPollInterval is how often the store reads how far each replica
// has replayed the primary's log.
const replicaPollInterval = 200 * time.Millisecond

// maxReplicaLag is how far, in bytes of write-ahead log, a replica may be
// behind the primary and still serve reads. Past it, the replica is taken
// out of rotation until it has caught up.
const maxReplicaLag = 16 << 20

// replicaConnectTimeout bounds a connection attempt to a replica when its
// URL sets no connect_timeout: a read waits for it before it goes to the
// primary instead.
const replicaConnectTimeout = 2 * time.Second

// replica is one read-only standby the store may read from.
type replica struct {
	target            // its pool, point reads and heavy-read gate
	name       string // host:port, for metrics and logs
	inRotation atomic.Bool
	replayed   atomic.Uint64 // the log position it had replayed at the last poll
	lag        atomic.Int64  // bytes of log behind the primary at the last poll; -1 when unknown
	reads      atomic.Int64
}

// querier is what a read needs of a pool.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// replicas is the store's read replicas and the goroutine that watches them.
type replicas struct {
	list         []*replica
	next         atomic.Uint64 // round robin
	primaryReads atomic.Int64
	stop         chan struct{}
	stopped      sync.WaitGroup
}

// openReplicas opens a pool for each replica URL. It does not connect.
func openReplicas(ctx context.Context, urls []string) ([]*replica, error) {
	var out []*replica
	for _, u := range urls {
		cfg, t, err := openPool(ctx, u, "db-replica", replicaConnectTimeout)
		if err != nil {
			closeReplicas(out)
			return nil, err
		}
		r := &replica{target: t, name: cfg.ConnConfig.Host + ":" + strconv.Itoa(int(cfg.ConnConfig.Port))}
		r.lag.Store(-1)
		out = append(out, r)
	}
	return out, nil
}

func closeReplicas(list []*replica) {
	for _, r := range list {
		r.pool.Close()
	}
}

// watchReplicas polls the primary's log position and each replica's
// replay position every replicaPollInterval until Close.
func (s *Store) watchReplicas() {
	s.r.stop = make(chan struct{})
	s.r.stopped.Add(1)
	go func() {
		defer s.r.stopped.Done()
		t := time.NewTicker(replicaPollInterval)
		defer t.Stop()
		var primary uint64
		for {
			primary = s.pollReplicas(primary)
			select {
			case <-s.r.stop:
				return
			case <-t.C:
			}
		}
	}()
}

// pollReplicas reads the positions once and puts each replica in rotation
// or takes it out. primary is the position read last time, used when the
// primary does not answer now.
func (s *Store) pollReplicas(primary uint64) uint64 {
	ctx, cancel := context.WithTimeout(context.Background(), replicaPollInterval*5)
	defer cancel()
	if lsn, err := readLSN(ctx, s.pool, `SELECT pg_current_wal_lsn()::text`); err == nil {
		primary = lsn
	}
	var wg sync.WaitGroup
	for _, r := range s.r.list {
		wg.Go(func() {
			var inRecovery bool
			var replay string
			err := r.pool.QueryRow(ctx, `SELECT pg_is_in_recovery(), coalesce(pg_last_wal_replay_lsn()::text, '')`).Scan(&inRecovery, &replay)
			lsn, perr := readafter.ParseLSN(replay)
			if err != nil || perr != nil || !inRecovery {
				// Down, or not a replica (any more): a promoted standby is
				// reached through --db.
				r.inRotation.Store(false)
				r.lag.Store(-1)
				return
			}
			r.replayed.Store(lsn)
			lag := int64(0)
			if primary > lsn {
				lag = int64(primary - lsn)
			}
			r.lag.Store(lag)
			r.inRotation.Store(lag <= maxReplicaLag)
		})
	}
	wg.Wait()
	return primary
}

// readLSN reads one log position with sql.
func readLSN(ctx context.Context, q querier, sql string) (uint64, error) {
	var s string
	if err := q.QueryRow(ctx, sql).Scan(&s); err != nil {
		return 0, err
	}
	return readafter.ParseLSN(s)
}

// replicaFor picks the replica the request of ctx may read from, round
// robin among those in rotation that have replayed the position it asks
// for, or nil for the primary: a request that may write, one without a
// session (the CLI), and one whose position no replica was known to have
// replayed at the last poll read from the primary, which is always
// current.
func (s *Store) replicaFor(ctx context.Context) *replica {
	sess := readafter.From(ctx)
	if len(s.r.list) == 0 || sess.Primary() {
		return nil
	}
	min := sess.Min()
	n := uint64(len(s.r.list))
	start := s.r.next.Add(1)
	for i := range n {
		r := s.r.list[(start+i)%n]
		if r.inRotation.Load() && r.replayed.Load() >= min {
			return r
		}
	}
	return nil
}

// read runs do on a replica the request of ctx may read from, or on the
// primary. When the replica fails (other than finding no row), do runs
// again on the primary, so a replica that goes away costs its readers no
// error; one that cannot be reached is also taken out of rotation until
// the next poll that reaches it puts it back.
func (s *Store) read(ctx context.Context, do func(q querier) error) error {
	return s.route(ctx, func(t target) error { return do(t.pool) })
}

// readHeavy is read for a heavy read: it runs once the gate of the
// database it runs on lets it in (heavyReadsParam). Its wait there ends
// with ctx, with ctx's error, which storeError makes Unavailable as it
// does a deadline that passes in the pool or the database.
func (s *Store) readHeavy(ctx context.Context, do func(q querier) error) error {
	return s.route(ctx, func(t target) error {
		if err := t.heavy.Enter(ctx); err != nil {
			return err
		}
		defer t.heavy.Leave()
		return do(t.pool)
	})
}

// readPoint is read for a statement that reads at most one row by a
// unique key: it goes out with the other point reads waiting for the same
// server (see pointReads), and decode reads its rows.
func (s *Store) readPoint(ctx context.Context, sql string, args []any, decode func(pgx.Rows) error) error {
	return s.route(ctx, func(t target) error { return t.points.read(ctx, sql, args, decode) })
}

// target is a server a read goes to: its pool, the point reads waiting
// for it and the gate of its heavy reads.
type target struct {
	pool   *pgxpool.Pool
	points *pointReads
	heavy  *fifo.Gate
}

// route runs do on the server a read for the request of ctx goes to, as
// read describes.
func (s *Store) route(ctx context.Context, do func(t target) error) error {
	r := s.replicaFor(ctx)
	if r != nil {
		err := do(r.target)
		if err == nil || ctx.Err() != nil || errors.Is(err, pgx.ErrNoRows) {
			r.reads.Add(1)
			return err
		}
		// Any other failure (a lost connection, a query cancelled by a
		// conflict with recovery) the primary may not have.
		if directory.KindOf(storeError("read", err)) == directory.Unavailable {
			r.inRotation.Store(false)
		}
	}
	s.r.primaryReads.Add(1)
	return do(s.target)
}

// ReadStats reports the reads served by each target since Open ("primary",
// or a replica's host:port) and, by replica, the bytes of log it was behind
// the primary at the last poll (-1: out of rotation because it did not
// answer) and whether it serves reads. They are exported as metrics.
func (s *Store) ReadStats() (reads, lagBytes map[string]int64, inRotation map[string]bool) {
	reads = map[string]int64{"primary": s.r.primaryReads.Load()}
	lagBytes, inRotation = map[string]int64{}, map[string]bool{}
	for _, r := range s.r.list {
		reads[r.name] += r.reads.Load()
		lagBytes[r.name] = r.lag.Load()
		inRotation[r.name] = r.inRotation.Load()
	}
	return reads, lagBytes, inRotation
}

// commitLSN reads the primary's log position on conn right after a COMMIT
// there: a replica that has replayed it shows the commit. It is read only
// when the store has replicas (0 otherwise).
func (s *Store) commitLSN(ctx context.Context, q querier) uint64 {
	if len(s.r.list) == 0 {
		return 0
	}
	lsn, err := readLSN(ctx, q, `SELECT pg_current_wal_lsn()::text`)
	if err != nil {
		// The commit stands; the request's later reads go to the primary.
		return 1<<64 - 1
	}
	return lsn
}
