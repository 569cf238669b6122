package sqlite

import "database/sql"

// Stats returns the statistics of the store's two connection pools, keyed
// "writer" (one connection) and "reader", for metrics.
func (s *Store) Stats() map[string]sql.DBStats {
	return map[string]sql.DBStats{"writer": s.w.Stats(), "reader": s.r.Stats()}
}
