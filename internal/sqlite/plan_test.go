package sqlite

import (
	"path/filepath"
	"testing"
)

// queryPlan returns the steps of SQLite's plan for query, each step's
// detail in the order EXPLAIN QUERY PLAN lists them.
func queryPlan(t *testing.T, s *Store, query string, args ...any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("scan the plan: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the plan: %v", err)
	}
	return plan
}

// openAtVersion returns a Store over a new file migrated up to version,
// for a test of the migrations after it; it is closed when the test ends.
func openAtVersion(t *testing.T, version int64) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "userd.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := s.migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), version); err != nil {
		t.Fatalf("migrate to version %d: %v", version, err)
	}
	return s
}
