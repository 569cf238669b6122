package postgres

import "github.com/jackc/pgx/v5/pgxpool"

// Stat returns the statistics of the store's connection pool, for metrics.
func (s *Store) Stat() *pgxpool.Stat { return s.pool.Stat() }
