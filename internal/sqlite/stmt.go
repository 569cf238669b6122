package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmtCache keeps one *sql.Stmt per distinct SQL text for a pool, so each
// query is parsed once per connection rather than on every call, as
// database/sql on modernc.org/sqlite otherwise does. Values are bound,
// never formatted in, so the cache holds one entry per query shape; the
// shapes that vary (an update of the fields a request changed) stop being
// cached past maxCachedStatements, so no sequence of requests grows it
// without bound.
type stmtCache struct {
	db *sql.DB
	m  sync.Map     // SQL text → *sql.Stmt
	n  atomic.Int64 // entries in m
	// closed is set by close: a query after it is answered errClosed,
	// as a write is, not database/sql's unclassified error.
	closed atomic.Bool
}

// prepare returns the pool's statement for query, preparing it on first use.
func (c *stmtCache) prepare(ctx context.Context, query string) (*sql.Stmt, error) {
	if c.closed.Load() {
		return nil, errClosed
	}
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := c.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		// Another goroutine prepared it first; the spare statement is
		// unused, so closing it cannot fail in a way that matters.
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	c.n.Add(1)
	return st, nil
}

// maxCachedStatements bounds the statements a stmtCache keeps: every
// constant query of the package, and the commonest update shapes.
const maxCachedStatements = 512

// full reports whether the cache holds as many statements as it may.
func (c *stmtCache) full() bool { return c.n.Load() >= maxCachedStatements }

// close closes every cached statement.
func (c *stmtCache) close() {
	c.closed.Store(true)
	c.m.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}

// prepared is a querier whose queries run through c's statements: on any
// connection of the pool when tx is nil, else in tx.
type prepared struct {
	c  *stmtCache
	tx *sql.Tx
	// inTx holds the statements tx has used, so a query repeated in one
	// transaction (a bulk import) binds the cached statement to tx once.
	inTx map[string]*sql.Stmt
	// missed lists queries the cache lacked during tx; see stmt.
	missed []string
}

// stmt returns the statement to run query with, and the context to run it
// in. In a transaction, a statement is not interrupted when ctx ends: an
// interrupted INSERT, UPDATE or DELETE rolls back the whole transaction,
// which holds other requests' writes too. ctx is checked before each
// statement instead, so a write whose request gave up stops at its next
// statement and only its own changes are rolled back.
func (p *prepared) stmt(ctx context.Context, query string) (*sql.Stmt, context.Context, error) {
	if p.tx == nil {
		st, err := p.c.prepare(ctx, query)
		return st, ctx, err
	}
	if err := ctx.Err(); err != nil {
		return nil, ctx, err
	}
	ctx = context.WithoutCancel(ctx)
	if st, ok := p.inTx[query]; ok {
		return st, ctx, nil
	}
	var st *sql.Stmt
	if cached, ok := p.c.m.Load(query); ok {
		st = p.tx.StmtContext(ctx, cached.(*sql.Stmt))
	} else {
		// The writer pool has one connection and tx holds it, so the pool
		// cannot prepare now: prepare for tx alone, and for the pool once
		// tx has ended (see Store.commitBatch).
		var err error
		if st, err = p.tx.PrepareContext(ctx, query); err != nil {
			return nil, ctx, err
		}
		p.missed = append(p.missed, query)
	}
	if p.inTx == nil {
		p.inTx = make(map[string]*sql.Stmt)
	}
	p.inTx[query] = st
	return st, ctx, nil
}

// ExecContext runs a statement that returns no rows.
func (p *prepared) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	st, ctx, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// QueryContext runs a query that returns rows.
func (p *prepared) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, ctx, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (p *prepared) QueryRowContext(ctx context.Context, query string, args ...any) scanner {
	st, ctx, err := p.stmt(ctx, query)
	if err != nil {
		return errRow{err}
	}
	return st.QueryRowContext(ctx, args...)
}

// errRow is a row whose query could not be prepared.
type errRow struct{ err error }

// Scan returns the preparation error.
func (r errRow) Scan(...any) error { return r.err }
