package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// statement is a write that is one SQL statement returning one row. The
// committer sends the statements of consecutive such writes of a batch,
// each after the commands that set its savepoint, in one round trip
// (pgx.Batch), instead of one round trip per write.
//
// The statement must write nothing when it fails for a reason of its own
// that it reports in its row (such as a stale version), since the
// statements after it in the pipeline have already run by the time its row
// is read: only a statement that raises an error can be rolled back alone.
type statement struct {
	sql  string
	args []any
	// scan reads the statement's row and returns the write's outcome: nil
	// when it wrote, or why it wrote nothing. err is a failure to run the
	// statement or to read its row.
	scan func(row pgx.Row) (outcome, err error)
}

// execStatement runs st as a write of a batch, like inTx, and returns its
// outcome once its transaction has committed.
func (s *Store) execStatement(ctx context.Context, st *statement) error {
	return s.submit(ctx, &writeOp{ctx: ctx, stmt: st, done: make(chan error, 1)})
}

// pipeliner is what a pipeline sends its statements on: the connection
// of a batch, or its pgx.Tx.
type pipeliner interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// pipeline sends the statements of a batch's writes (see statement).
// When it owns the transaction (a batch of statements alone), BEGIN goes
// with its first statements and COMMIT after its last ones, so a batch in
// which no write fails is one round trip; else it runs in a pgx.Tx that
// the committer begins and commits.
type pipeline struct {
	q         pipeliner
	sp        *savepoint
	own       bool // the pipeline sends BEGIN and COMMIT
	begun     bool // BEGIN was sent
	committed bool // COMMIT succeeded
}

// run sends, in one round trip, the statements of the writes at the head
// of ops that are statements, and returns how many of those writes it
// settled, each with its outcome in errs. When a statement raises an
// error, the server skips the rest of the round trip: the write is rolled
// back to its savepoint, and settled stops after it, so that the caller
// runs the rest again. txErr is a failure after which the transaction
// must be rolled back, or COMMIT's; it is errRedo when a statement raised
// an error in a batch without savepoints.
func (p *pipeline) run(ctx context.Context, ops []*writeOp, errs []error) (settled int, txErr error) {
	b := &pgx.Batch{}
	type sentOp struct {
		index      int // in ops
		savepoints int // statements before it that set its savepoint
	}
	var sent []sentOp
	pending := p.sp.pending
	for i, op := range ops {
		if op.stmt == nil {
			break
		}
		settled = i + 1
		if err := op.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		for _, sql := range pending {
			b.Queue(sql)
		}
		b.Queue(op.stmt.sql, op.stmt.args...)
		sent = append(sent, sentOp{i, len(pending)})
		pending = p.sp.after()
	}
	if len(sent) == 0 {
		return settled, nil
	}
	begin := p.own && !p.begun
	if begin {
		b.QueuedQueries = append([]*pgx.QueuedQuery{{SQL: "BEGIN"}}, b.QueuedQueries...)
		p.begun = true
	}
	end := p.own && settled == len(ops)
	if end {
		b.Queue("COMMIT")
	}
	results := p.q.SendBatch(ctx, b)
	if begin {
		if _, err := results.Exec(); err != nil {
			_ = results.Close()
			return 0, err
		}
	}
	for _, o := range sent {
		for range o.savepoints {
			if _, err := results.Exec(); err != nil {
				_ = results.Close()
				// Setting the savepoint failed: the transaction is aborted.
				errs[o.index] = err
				return o.index + 1, err
			}
		}
		p.sp.pending = nil // the savepoint of ops[o.index] is set
		outcome, err := ops[o.index].stmt.scan(results.QueryRow())
		if err == nil {
			errs[o.index] = outcome
			p.sp.pending = p.sp.after()
			continue
		}
		_ = results.Close()
		errs[o.index] = err
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) {
			// Whether the statement wrote is unknown.
			return o.index + 1, err
		}
		if p.sp.off {
			return o.index + 1, errRedo
		}
		if _, err := p.q.Exec(ctx, rollbackToWrite); err != nil {
			return o.index + 1, err
		}
		return o.index + 1, nil
	}
	if end {
		if err := commitResult(results.Exec()); err != nil {
			_ = results.Close()
			return settled, err
		}
		p.committed = true
	}
	return settled, results.Close()
}

// commit ends the transaction of a pipeline that owns it, unless its last
// round trip did, and reports whether there was one: a batch whose writes
// all gave up before they were sent began none.
func (p *pipeline) commit(ctx context.Context) (committed bool, err error) {
	if !p.begun || p.committed {
		return p.begun, nil
	}
	return true, commitResult(p.q.Exec(ctx, "COMMIT"))
}

// rollback ends the transaction of a pipeline that owns it after a failure.
// An error is left to the pool, which closes a connection still in a
// transaction when it is released.
func (p *pipeline) rollback(ctx context.Context) {
	if p.begun {
		_, _ = p.q.Exec(ctx, "ROLLBACK")
	}
}

// commitResult is the error of a COMMIT: the server answers ROLLBACK to
// the COMMIT of a transaction that had failed.
func commitResult(tag pgconn.CommandTag, err error) error {
	if err == nil && tag.String() != "COMMIT" {
		err = pgx.ErrTxCommitRollback
	}
	return err
}
