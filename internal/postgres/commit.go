package postgres

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/readafter"
	"github.com/userd/userd/internal/writequeue"
)

// maxBatch bounds how many writes share one transaction. Each write runs in
// a subtransaction of its own, and PostgreSQL keeps at most 64
// subtransaction ids of a transaction in shared memory: past that every
// snapshot taken on the primary and its replicas while the transaction
// runs has to look them up in pg_subtrans. 32 leaves room for a write that
// opens a savepoint of its own.
const maxBatch = 32

// maxCommitters bounds the transactions a node runs at once for writes.
// Several committers keep the server busy while one waits for its COMMIT's
// WAL flush; each holds a pool connection only while its batch runs.
const maxCommitters = 4

// errClosed answers a write that arrives after Close, or was still queued
// when Close came.
var errClosed = directory.StoreError(directory.Unavailable, "", errors.New("postgres: the store is closed"))

// writeOp is one write waiting for its turn in a transaction.
type writeOp struct {
	ctx      context.Context
	fn       func(tx pgx.Tx) error // the write, unless stmt is set
	stmt     *statement            // the write, when it is one statement (see pipeline)
	attempts int                   // transactions the op has run in and lost to a deadlock or serialization failure
	lsn      uint64                // the primary's log position after the op's COMMIT (with replicas only)
	done     chan error            // receives the outcome once, after the op's transaction ended
}

// committer is the queue of writes and the state of the goroutines that
// run them: each takes every write queued when it is free (up to
// maxBatch), runs them in one transaction and answers them after one
// COMMIT, so one WAL flush serves many requests.
type committer struct {
	q       *writequeue.Queue[writeOp]
	running sync.WaitGroup // the committing goroutines
	commits atomic.Int64   // transactions committed
}

func newCommitter() *committer {
	return &committer{q: writequeue.New[writeOp]()}
}

// enqueue adds op to the queue, unless the store is closed.
func (c *committer) enqueue(op *writeOp, front bool) error {
	if !c.q.Add(op, front) {
		return errClosed
	}
	return nil
}

// stop refuses new writes, answers the queued ones with errClosed and waits
// until the batches running have been answered.
func (c *committer) stop() {
	for _, op := range c.q.Close(true) {
		op.done <- errClosed
	}
	c.running.Wait()
}

// start runs n committing goroutines for s.
func (c *committer) start(s *Store, n int) {
	c.running.Add(n)
	for range n {
		go func() {
			defer c.running.Done()
			for c.q.Wait() {
				s.commitBatch()
			}
		}()
	}
}

// inTx runs fn in a write transaction and returns once that transaction
// has committed (or fn's error, with none of fn's changes kept). The
// transaction may hold other requests' writes too: fn's error undoes only
// its own changes (the batch runs again with a SAVEPOINT per write, see
// commitBatch), and fn sees the changes of the writes before it in the
// batch. fn's queries run whatever becomes of ctx: the transaction is
// shared, so no request may cancel it.
//
// fn may run more than once: again in the same batch when a write of it
// failed, and in a later transaction when fn lost a deadlock or a
// serialization conflict, up to maxTxAttempts times. So fn must not keep
// state from a run whose transaction was rolled back.
// Only those two SQLSTATEs are retried: the server sends them when it has
// rolled the work back, even when COMMIT is what failed. A COMMIT that
// fails any other way, such as a connection lost before the answer came,
// may have committed, so its writes get the error, never run again
// (TestNetworkFaults in cmd/userd proves it).
//
// A request whose ctx ends while it waits in the queue gives up. One that
// a transaction has already taken waits for that transaction's COMMIT: its
// answer then says truly whether its change was stored.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	return s.submit(ctx, &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)})
}

// submit queues op and returns its outcome, as inTx describes.
func (s *Store) submit(ctx context.Context, op *writeOp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.c.enqueue(op, false); err != nil {
		return err
	}
	var err error
	select {
	case err = <-op.done:
	case <-ctx.Done():
		if s.c.q.Withdraw(op) {
			return ctx.Err()
		}
		err = <-op.done
	}
	if err == nil && op.lsn != 0 {
		readafter.From(ctx).Wrote(op.lsn)
	}
	return err
}

// The savepoint each write of a batch runs in is named write. It is set
// lazily, by the write's first statement: sent with it in one round trip
// when that statement is a pgx.Batch, as UpdateUser's is.
var (
	firstSavepoint = []string{"SAVEPOINT write"}
	nextSavepoint  = []string{"RELEASE write", "SAVEPOINT write"}
)

// rollbackToWrite undoes a write's changes; the savepoint stays, empty, for
// the next write.
const rollbackToWrite = "ROLLBACK TO write"

// commitBatch takes the writes queued once a connection is free and
// commits them together. The ops are taken only once the connection is in
// hand, so a write can still give up at its deadline while the pool
// connects (to a server that is down, say).
//
// The batch first runs without savepoints, which cost the server a
// subtransaction per write: when no write fails, as is usual, that
// transaction commits. When one fails, the transaction is rolled back
// whole and the batch runs again with a savepoint per write (see redo), so
// that the failing write fails alone.
func (s *Store) commitBatch() {
	ctx := context.Background()
	conn, err := s.pool.Acquire(ctx)
	batch := s.c.q.Take(maxBatch)
	if len(batch) == 0 {
		if err == nil {
			conn.Release()
		}
		return
	}
	if err != nil {
		answer(batch, make([]error, len(batch)), err)
		return
	}
	defer conn.Release()
	errs, txErr := s.runBatch(ctx, conn, batch, false)
	var failed *redoError
	if errors.As(txErr, &failed) {
		batch, errs, txErr = s.redo(ctx, conn, batch, failed)
	}
	retry := make([]bool, len(batch))
	for i, op := range batch {
		retry[i] = retryable(errs[i]) && op.attempts+1 < maxTxAttempts
	}
	if retryable(txErr) {
		// The server rolled the transaction back: every write in it may run
		// again, in another one.
		for i := range batch {
			retry[i] = errs[i] == nil || retry[i]
			if retry[i] && batch[i].attempts+1 >= maxTxAttempts {
				retry[i] = false
			}
		}
	}
	for i, op := range batch {
		if retry[i] {
			op.attempts++
			if s.c.enqueue(op, true) == nil {
				batch[i] = nil
				continue
			}
			errs[i] = errClosed
		}
	}
	answer(batch, errs, txErr)
}

// redoError is the failure of a write in a batch that runs without
// savepoints: the batch's transaction has been rolled back whole.
type redoError struct {
	index int   // of the write in the batch
	err   error // the write's failure
}

func (e *redoError) Error() string {
	return fmt.Sprintf("postgres: write %d of a batch without savepoints failed: %v", e.index, e.err)
}

// redo settles a batch whose first attempt, without savepoints, was rolled
// back because one write failed. A batch of that write alone is settled:
// rolling its transaction back undid that write and nothing else. Else the
// batch runs again, each write in a savepoint of its own, so the failing
// write (which may well fail again) fails alone and the others commit.
// The failed run counts as an attempt of the failing write when it lost a
// deadlock or a serialization conflict; one that has used all its
// attempts is answered now and left out of the second run. redo returns
// the writes that remain to be answered, their errors and the second
// transaction's.
func (s *Store) redo(ctx context.Context, conn *pgxpool.Conn, batch []*writeOp, failed *redoError) ([]*writeOp, []error, error) {
	if len(batch) == 1 {
		return batch, []error{failed.err}, nil
	}
	if op := batch[failed.index]; retryable(failed.err) {
		op.attempts++
		if op.attempts >= maxTxAttempts {
			op.done <- failed.err
			batch = slices.Delete(batch, failed.index, failed.index+1)
		}
	}
	errs, txErr := s.runBatch(ctx, conn, batch, true)
	return batch, errs, txErr
}

// runBatch runs batch in one transaction on conn and commits it, each write
// in a savepoint of its own when savepoints is set. errs are the writes'
// own failures, txErr the transaction's. Without savepoints, a write that
// fails after it sent a statement rolls the transaction back, and txErr is
// a *redoError.
func (s *Store) runBatch(ctx context.Context, conn *pgxpool.Conn, batch []*writeOp, savepoints bool) (errs []error, txErr error) {
	errs = make([]error, len(batch))
	sp := &savepoint{off: true}
	if savepoints {
		sp = &savepoint{pending: firstSavepoint}
	}
	// A batch of statements alone is one pipeline, BEGIN to COMMIT, in one
	// round trip when no write fails (see pipeline); one with functions
	// runs in a pgx.Tx, its statements pipelined between them.
	p := &pipeline{q: conn.Conn(), sp: sp, own: true}
	var tx pgx.Tx
	if slices.ContainsFunc(batch, func(op *writeOp) bool { return op.stmt == nil }) {
		var err error
		if tx, err = conn.Begin(ctx); err != nil {
			return errs, err
		}
		p = &pipeline{q: tx, sp: sp}
	}
	for i := 0; i < len(batch); {
		n := 1
		if batch[i].stmt != nil {
			n, txErr = p.run(ctx, batch[i:], errs[i:])
		} else {
			errs[i], txErr = runOp(ctx, batchTx{tx, sp}, batch[i])
		}
		if errors.Is(txErr, errRedo) {
			txErr = &redoError{index: i + n - 1, err: errs[i+n-1]}
		}
		if txErr != nil {
			break
		}
		i += n
	}
	if txErr != nil {
		if tx != nil {
			_ = tx.Rollback(ctx)
		} else {
			p.rollback(ctx)
		}
		return errs, txErr
	}
	committed := false
	if tx != nil {
		txErr, committed = tx.Commit(ctx), true
	} else {
		committed, txErr = p.commit(ctx)
	}
	if txErr == nil && committed {
		s.c.commits.Add(1)
		lsn := s.commitLSN(ctx, conn)
		for _, op := range batch {
			op.lsn = lsn
		}
	}
	return errs, txErr
}

// answer sends every op of batch (but those that are nil, requeued) its
// outcome: its own error, or else txErr, the failure of its transaction.
func answer(batch []*writeOp, errs []error, txErr error) {
	for i, op := range batch {
		if op == nil {
			continue
		}
		err := errs[i]
		if err == nil {
			err = txErr
		}
		op.done <- err
	}
}

// runOp runs op inside the savepoint of tx. opErr is op's own failure,
// whose changes are rolled back; txErr is a failure of the savepoint
// itself, after which the whole transaction must be rolled back, or
// errRedo when the batch sets no savepoints and op failed after it sent a
// statement.
func runOp(ctx context.Context, tx batchTx, op *writeOp) (opErr, txErr error) {
	if err := op.ctx.Err(); err != nil {
		return err, nil
	}
	tx.sp.used = false
	opErr = callOp(tx, op)
	switch {
	case !tx.sp.used:
		// op sent no statement: nothing to undo or to keep, and its
		// savepoint, never set, is still to set for the next op.
	case opErr == nil:
		tx.sp.pending = tx.sp.after()
	case tx.sp.off:
		// Nothing can undo op's changes but rolling the transaction back.
		return opErr, errRedo
	case tx.sp.pending == nil:
		if _, err := tx.Tx.Exec(ctx, rollbackToWrite); err != nil {
			return opErr, err
		}
	default:
		// Setting the savepoint failed: the transaction is aborted.
		return opErr, opErr
	}
	return opErr, nil
}

// savepoint is the state of the savepoint of the write running in a batch.
type savepoint struct {
	pending []string // statements to send before the write's first one; nil once its savepoint is set
	used    bool     // the write has sent a statement
	off     bool     // the batch sets no savepoints: a write that fails after it sent a statement fails the transaction (errRedo)
}

// after returns the statements that set the savepoint of the write after
// one that succeeded.
func (sp *savepoint) after() []string {
	if sp.off {
		return nil
	}
	return nextSavepoint
}

// errRedo is the transaction error of a batch without savepoints in which
// a write failed after it sent a statement: the transaction must be rolled
// back, and the batch run again with savepoints.
var errRedo = errors.New("postgres: a write failed in a batch without savepoints")

// callOp runs op.fn, turning a panic into an internal error of op alone.
func callOp(tx batchTx, op *writeOp) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = directory.Wrap(directory.Internal, fmt.Errorf("postgres: write panicked: %v\n%s", r, debug.Stack()), "internal error")
		}
	}()
	return op.fn(tx)
}

// batchTx is the transaction of a batch as one write sees it: its queries
// keep the values of the write's context (for tracing) but not its
// cancellation, since cancelling a query closes the connection the whole
// batch runs on. A write may not end the transaction.
type batchTx struct {
	pgx.Tx
	sp *savepoint
}

var errNested = errors.New("postgres: a write of a batch cannot begin, commit or roll back the transaction")

func (t batchTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNested }
func (t batchTx) Commit(context.Context) error          { return errNested }
func (t batchTx) Rollback(context.Context) error        { return errNested }

// set sends the statements that set the write's savepoint, if they are
// still pending, ahead of its first statement.
func (t batchTx) set(ctx context.Context) error {
	t.sp.used = true
	if t.sp.pending == nil {
		return nil
	}
	_, err := t.Tx.Exec(ctx, strings.Join(t.sp.pending, "; "))
	if err == nil {
		t.sp.pending = nil
	}
	return err
}

func (t batchTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	ctx = context.WithoutCancel(ctx)
	if err := t.set(ctx); err != nil {
		return pgconn.CommandTag{}, err
	}
	return t.Tx.Exec(ctx, sql, args...)
}

func (t batchTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	ctx = context.WithoutCancel(ctx)
	if err := t.set(ctx); err != nil {
		return nil, err
	}
	return t.Tx.Query(ctx, sql, args...)
}

func (t batchTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	ctx = context.WithoutCancel(ctx)
	if err := t.set(ctx); err != nil {
		return errRow{err}
	}
	return t.Tx.QueryRow(ctx, sql, args...)
}

// SendBatch sends the statements that set the write's savepoint, if still
// pending, at the head of b, in the same round trip.
func (t batchTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	ctx = context.WithoutCancel(ctx)
	t.sp.used = true
	pending := t.sp.pending
	if pending == nil {
		return t.Tx.SendBatch(ctx, b)
	}
	withSavepoint := &pgx.Batch{}
	for _, sql := range pending {
		withSavepoint.Queue(sql)
	}
	withSavepoint.QueuedQueries = append(withSavepoint.QueuedQueries, b.QueuedQueries...)
	results := t.Tx.SendBatch(ctx, withSavepoint)
	for range pending {
		if _, err := results.Exec(); err != nil {
			results.Close()
			return errResults{err}
		}
	}
	t.sp.pending = nil
	return results
}

func (t batchTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	ctx = context.WithoutCancel(ctx)
	if err := t.set(ctx); err != nil {
		return 0, err
	}
	return t.Tx.CopyFrom(ctx, table, columns, src)
}

// errRow is a row whose query could not be sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// errResults are the results of a batch whose savepoint could not be set.
type errResults struct{ err error }

func (r errResults) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, r.err }
func (r errResults) Query() (pgx.Rows, error)         { return nil, r.err }
func (r errResults) QueryRow() pgx.Row                { return errRow(r) }
func (r errResults) Close() error                     { return r.err }
func (r errResults) Tx() pgx.Tx                       { return nil }
