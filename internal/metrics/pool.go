package metrics

import (
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolStats is what the pool collector reports of one connection pool.
type poolStats struct {
	open, inUse, idle, max int
	waits                  int64
	waited                 time.Duration
}

// sqlStats is a SQL pool (the SQLite store's writer and reader).
func sqlStats(s sql.DBStats) poolStats {
	return poolStats{open: s.OpenConnections, inUse: s.InUse, idle: s.Idle, max: s.MaxOpenConnections, waits: s.WaitCount, waited: s.WaitDuration}
}

// pgxStats is a pgx pool (the PostgreSQL store).
func pgxStats(s *pgxpool.Stat) poolStats {
	return poolStats{
		open: int(s.TotalConns()), inUse: int(s.AcquiredConns()), idle: int(s.IdleConns()), max: int(s.MaxConns()),
		waits: s.EmptyAcquireCount(), waited: s.EmptyAcquireWaitTime(),
	}
}

// poolCollector reads the pools' statistics at each scrape.
type poolCollector struct {
	stats                            func() map[string]poolStats
	open, inUse, idle, max, waits, w *prometheus.Desc
}

func newPoolCollector(stats func() map[string]poolStats) *poolCollector {
	desc := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("userd_db_"+name, help, []string{"pool"}, nil)
	}
	return &poolCollector{
		stats: stats,
		open:  desc("connections_open", "Open database connections."),
		inUse: desc("connections_in_use", "Database connections in use."),
		idle:  desc("connections_idle", "Idle database connections."),
		max:   desc("connections_max", "Most connections the pool opens."),
		waits: desc("waits_total", "Times a query waited for a free connection."),
		w:     desc("wait_seconds_total", "Time queries spent waiting for a free connection."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.open, c.inUse, c.idle, c.max, c.waits, c.w} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.stats() {
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(s.open), pool)
		ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(s.inUse), pool)
		ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(s.idle), pool)
		ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(s.max), pool)
		ch <- prometheus.MustNewConstMetric(c.waits, prometheus.CounterValue, float64(s.waits), pool)
		ch <- prometheus.MustNewConstMetric(c.w, prometheus.CounterValue, s.waited.Seconds(), pool)
	}
}
