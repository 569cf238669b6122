package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// readStats is what a store with read replicas reports (the PostgreSQL
// store's ReadStats).
type readStats interface {
	ReadStats() (reads, lagBytes map[string]int64, inRotation map[string]bool)
}

// watchReplicas exports, when st has read replicas, the reads served by
// each target and each replica's lag and rotation.
func watchReplicas(reg *prometheus.Registry, st any) {
	rs, ok := st.(readStats)
	if !ok {
		return
	}
	reg.MustRegister(&replicaCollector{
		st:         rs,
		reads:      prometheus.NewDesc("userd_db_reads_total", "Reads served, by target: primary or a replica's host:port.", []string{"target"}, nil),
		lag:        prometheus.NewDesc("userd_db_replica_lag_bytes", "Bytes of write-ahead log a replica was behind the primary at the last poll (-1: it did not answer).", []string{"replica"}, nil),
		inRotation: prometheus.NewDesc("userd_db_replica_in_rotation", "1 while a replica serves reads, 0 while it is out of rotation (down, or lagging past 16 MiB).", []string{"replica"}, nil),
	})
}

// replicaCollector reads the store's read statistics at each scrape.
type replicaCollector struct {
	st                     readStats
	reads, lag, inRotation *prometheus.Desc
}

func (c *replicaCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.reads
	ch <- c.lag
	ch <- c.inRotation
}

func (c *replicaCollector) Collect(ch chan<- prometheus.Metric) {
	reads, lag, in := c.st.ReadStats()
	for target, n := range reads {
		ch <- prometheus.MustNewConstMetric(c.reads, prometheus.CounterValue, float64(n), target)
	}
	for replica, n := range lag {
		ch <- prometheus.MustNewConstMetric(c.lag, prometheus.GaugeValue, float64(n), replica)
	}
	for replica, ok := range in {
		v := 0.0
		if ok {
			v = 1
		}
		ch <- prometheus.MustNewConstMetric(c.inRotation, prometheus.GaugeValue, v, replica)
	}
}
