package metrics

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/storewatch"
)

// WatchStore returns next with every method call timed, by operation (the
// method's name), and failures counted by kind. If next reports pool
// statistics (the SQLite store's Stats, the PostgreSQL store's Stat), they
// are exported too.
func (m *Metrics) WatchStore(next directory.Store) directory.Store {
	switch st := next.(type) {
	case interface{ Stats() map[string]sql.DBStats }:
		m.reg.MustRegister(newPoolCollector(func() map[string]poolStats {
			out := map[string]poolStats{}
			for name, s := range st.Stats() {
				out[name] = sqlStats(s)
			}
			return out
		}))
	case interface{ Stat() *pgxpool.Stat }:
		m.reg.MustRegister(newPoolCollector(func() map[string]poolStats {
			return map[string]poolStats{"postgres": pgxStats(st.Stat())}
		}))
	}
	watchReplicas(m.reg, next)
	return storewatch.Wrap(next, storeObserver{m})
}

// storeObserver times store operations and counts their failures.
type storeObserver struct{ m *Metrics }

// opDuration returns storeOps's series of op.
func (m *Metrics) opDuration(op string) prometheus.Observer {
	m.opMu.RLock()
	o, ok := m.opSeries[op]
	m.opMu.RUnlock()
	if !ok {
		o = m.storeOps.WithLabelValues(op)
		m.opMu.Lock()
		m.opSeries[op] = o
		m.opMu.Unlock()
	}
	return o
}

// Begin does nothing: the operation's time is measured by storewatch.
func (o storeObserver) Begin(ctx context.Context, op string) context.Context { return ctx }

// End records an operation that took elapsed and returned err, counting
// what callers saw: an operation cut short because its caller went away
// counts as kind "canceled" (the store did not fail), and a version
// mismatch the Service retries is not counted.
func (o storeObserver) End(ctx context.Context, op string, elapsed time.Duration, err error) {
	o.m.opDuration(op).Observe(elapsed.Seconds())
	switch {
	case err == nil:
	case errors.Is(ctx.Err(), context.Canceled):
		o.m.storeErrors.WithLabelValues(op, "canceled").Inc()
	case errors.Is(err, directory.ErrVersionMismatch) && directory.MismatchHandled(ctx):
		// The Service retries it; no caller sees it.
	default:
		o.m.storeErrors.WithLabelValues(op, directory.KindOf(err).String()).Inc()
	}
}
