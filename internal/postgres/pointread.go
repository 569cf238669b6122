package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/userd/userd/internal/writequeue"
)

// maxPointBatch bounds how many point reads share one round trip.
const maxPointBatch = 32

// maxPointBatches bounds the round trips of point reads a pool runs at
// once: the connections they hold. The fewer run, the more reads each
// carries and the less each read costs both sides: at 64 concurrent GETs
// on 2 cores, PostgreSQL spent 38-54 µs per GET with two, 61-67 with four
// and 104 with eight (docs/benchmarks.md). One did no better than two,
// and two let a node's reads use two of the server's cores.
const maxPointBatches = 2

// pointBatchTimeout bounds a round trip of point reads. It runs for every
// request in it, so no request's context cancels it; each request still
// stops waiting at its own deadline.
const pointBatchTimeout = 30 * time.Second

// pointRead is one read of at most one row by a key, waiting for its
// round trip.
type pointRead struct {
	ctx  context.Context
	sql  string
	args []any
	// decode reads the statement's rows. It runs on the goroutine that runs
	// the round trip, and its caller reads what it decoded only after done
	// received nil.
	decode func(rows pgx.Rows) error
	done   chan error // receives the outcome once
}

// pointReads sends the point reads (a user by id or by username) that
// requests of one pool are waiting for together, as one pipeline and one
// round trip, instead of a round trip each. Under load each read costs its
// server and userd a message in a pipeline rather than a network exchange
// and two wake-ups, the most a read by primary key costs either side.
//
// A read that finds no other waiting goes out at once, on its request's
// goroutine and context, as it would without the queue. Else up to
// maxPointBatches goroutines run the round trips, each taking the reads
// queued when it is free, and ending when none are.
type pointReads struct {
	pool    *pgxpool.Pool
	q       *writequeue.Queue[pointRead]
	running chan struct{} // a place per read or goroutine running round trips
}

func newPointReads(pool *pgxpool.Pool) *pointReads {
	return &pointReads{pool: pool, q: writequeue.New[pointRead](), running: make(chan struct{}, maxPointBatches)}
}

// read runs sql with args, decoding its rows with decode, and returns once
// decode has run (its error, or the statement's), or when ctx ends first:
// a request never waits past its deadline, and what decode decoded for
// it then is never read. The statement must read at most one row, by a
// unique key, so that one read never holds up the others for long.
func (p *pointReads) read(ctx context.Context, sql string, args []any, decode func(pgx.Rows) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &pointRead{ctx: ctx, sql: sql, args: args, decode: decode, done: make(chan error, 1)}
	p.q.Add(op, false)
	select {
	case p.running <- struct{}{}:
		batch := p.q.Take(maxPointBatch)
		if len(batch) == 1 && batch[0] == op {
			// Alone: no round trip to share, nor anyone else's read to
			// answer, so the request's deadline may end it.
			err := readRows(ctx, p.pool, op)
			p.leave()
			return err
		}
		go p.run(batch)
	default:
		// As many round trips run as may: each takes the queued reads
		// before it ends (see leave).
	}
	select {
	case err := <-op.done:
		return err
	case <-ctx.Done():
		p.q.Withdraw(op)
		return ctx.Err()
	}
}

// run runs batch, then round trips of the reads queued while there are
// any, then gives back its place.
func (p *pointReads) run(batch []*pointRead) {
	for len(batch) > 0 {
		p.runBatch(batch)
		batch = p.q.Take(maxPointBatch)
	}
	p.leave()
}

// leave gives back a place. A read queued while every place was taken
// finds none: the last to leave runs it, unless another has taken it.
func (p *pointReads) leave() {
	<-p.running
	if p.q.Len() == 0 {
		return
	}
	select {
	case p.running <- struct{}{}:
		go p.run(p.q.Take(maxPointBatch))
	default:
		// The round trips running take it.
	}
}

// runBatch runs the reads of batch in one round trip on a connection of
// the pool and answers each of them.
func (p *pointReads) runBatch(batch []*pointRead) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(batch[0].ctx), pointBatchTimeout)
	defer cancel()
	if len(batch) == 1 {
		// A pipeline costs pgx more than a query does.
		batch[0].done <- readRows(ctx, p.pool, batch[0])
		return
	}
	b := &pgx.Batch{}
	for _, op := range batch {
		b.Queue(op.sql, op.args...)
	}
	results := p.pool.SendBatch(ctx, b)
	for i, op := range batch {
		rows, err := results.Query()
		err = decodeRows(op, rows, err)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && i+1 < len(batch) {
			// The server skips the rest of a pipeline after an error: the
			// reads after this one have not run, and go out again.
			op.done <- err
			for _, rest := range batch[i+1:] {
				p.q.Add(rest, true)
			}
			_ = results.Close()
			return
		}
		op.done <- err
	}
	// A failure to send or to read the pipeline is every read's error
	// already.
	_ = results.Close()
}

// readRows runs op's statement on pool and decodes its rows.
func readRows(ctx context.Context, pool *pgxpool.Pool, op *pointRead) error {
	rows, err := pool.Query(ctx, op.sql, op.args...)
	return decodeRows(op, rows, err)
}

// decodeRows decodes rows, the answer to op's statement unless err is set,
// with op.decode, and returns the statement's failure, else decode's.
func decodeRows(op *pointRead, rows pgx.Rows, err error) error {
	if err != nil {
		return err
	}
	err = op.decode(rows)
	rows.Close()
	if rerr := rows.Err(); rerr != nil {
		return rerr
	}
	return err
}
