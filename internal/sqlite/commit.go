package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/writequeue"
)

// maxBatch bounds how many writes share one transaction, so a burst of
// writes is answered in several commits rather than one long wait.
const maxBatch = 256

// errClosed answers a write that arrives after Close.
var errClosed = directory.StoreError(directory.Unavailable, "", errors.New("sqlite: the store is closed"))

// writeOp is one write waiting for its turn in a transaction.
type writeOp struct {
	ctx  context.Context
	fn   func(tx querier) error
	done chan error // receives the outcome once, after the op's transaction ended
}

// committer is the queue of writes and the state of the goroutine that
// runs them: one transaction at a time on the writer connection, each
// holding every write queued when it began (up to maxBatch), so one COMMIT
// and one fsync serve many requests.
type committer struct {
	q       *writequeue.Queue[writeOp]
	stopped chan struct{} // closed when the committing goroutine has returned
}

func newCommitter() *committer {
	return &committer{q: writequeue.New[writeOp](), stopped: make(chan struct{})}
}

// stop refuses new writes and waits until the queued ones have been
// answered.
func (c *committer) stop() {
	c.q.Close(false)
	<-c.stopped
}

// write runs fn in a write transaction and returns once that transaction
// has committed (or fn's error, with none of fn's changes kept). The
// transaction may hold other requests' writes too: fn runs inside its own
// SAVEPOINT, so its error undoes only its own changes; it sees the changes
// of the writes before it. The queries of fn run through the writer's
// prepared statements.
//
// A request whose ctx ends while it waits for the writer gives up. One
// that a transaction has already taken waits for that transaction's
// COMMIT: its answer then says truly whether its change was stored.
func (s *Store) write(ctx context.Context, fn func(tx querier) error) error {
	if err := ctx.Err(); err != nil {
		return storeError(err)
	}
	op := &writeOp{ctx: ctx, fn: fn, done: make(chan error, 1)}
	if !s.c.q.Add(op, false) {
		return errClosed
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		if s.c.q.Withdraw(op) {
			return storeError(ctx.Err())
		}
		return <-op.done
	}
}

// commitLoop runs the queued writes, one transaction at a time, until the
// store closes and the queue is empty.
func (s *Store) commitLoop() {
	defer close(s.c.stopped)
	for s.c.q.Wait() {
		s.commitBatch()
	}
}

// commitBatch runs the writes queued once the writer has begun a
// transaction and commits them together. The ops are taken only after
// BEGIN, so a write that waits for the lock (held by a backup, say) can
// still give up at its deadline.
func (s *Store) commitBatch() {
	// The transaction serves many requests, so no request's context may
	// cancel it.
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	batch := s.c.q.Take(maxBatch)
	if err != nil {
		for _, op := range batch {
			op.done <- storeError(err)
		}
		return
	}
	p := &prepared{c: s.wc, tx: tx}
	errs := make([]error, len(batch))
	var txErr error // an error that leaves the transaction unusable
	for i, op := range batch {
		if errs[i], txErr = runOp(p, op); txErr != nil {
			break
		}
	}
	if txErr == nil {
		txErr = tx.Commit()
	} else {
		tx.Rollback()
	}
	for i, op := range batch {
		if txErr != nil && errs[i] == nil {
			errs[i] = txErr
		}
		op.done <- storeError(errs[i])
	}
	for _, query := range p.missed {
		// Only a speed-up: a query that fails to prepare here, or finds
		// the cache full, is prepared for its transaction again next time.
		if s.wc.full() {
			break
		}
		if _, perr := s.wc.prepare(ctx, query); perr != nil {
			break
		}
	}
}

// runOp runs op inside a savepoint of p's transaction. opErr is op's own
// failure, whose changes are rolled back; txErr is a failure of the
// savepoint itself, after which the whole transaction must be rolled back.
func runOp(p *prepared, op *writeOp) (opErr, txErr error) {
	if err := op.ctx.Err(); err != nil {
		return err, nil
	}
	ctx := context.Background()
	if _, err := p.ExecContext(ctx, "SAVEPOINT write"); err != nil {
		return nil, err
	}
	if opErr = callOp(p, op); opErr != nil {
		if _, err := p.ExecContext(ctx, "ROLLBACK TO write"); err != nil {
			return opErr, err
		}
	}
	_, txErr = p.ExecContext(ctx, "RELEASE write")
	return opErr, txErr
}

// callOp runs op.fn, turning a panic into an internal error of op alone.
func callOp(p *prepared, op *writeOp) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = directory.Wrap(directory.Internal, fmt.Errorf("sqlite: write panicked: %v\n%s", r, debug.Stack()), "internal error")
		}
	}()
	return op.fn(p)
}
