package postgres

import (
	"strconv"
	"strings"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		p, hi string
		ok    bool
	}{
		{"a", "b", true},
		{"user1", "user2", true},
		{"a%", "a&", true},
		{"a\x7f", "a\u0080", true}, // past ASCII: two bytes, still UTF-8
		{"zoé", "zoê", true},
		{"\u07ff", "\u0800", true},
		{"\ud7ff", "\ue000", true}, // past the surrogates
		{"\uffff", "\U00010000", true},
		{"x\U0010FFFF", "", false}, // the highest rune: LIKE
		{"", "", false},
		{"a\xff", "", false}, // not UTF-8
	}
	for _, tc := range tests {
		hi, ok := prefixEnd(tc.p)
		if hi != tc.hi || ok != tc.ok {
			t.Errorf("prefixEnd(%q) = %q, %v; want %q, %v", tc.p, hi, ok, tc.hi, tc.ok)
		}
	}
}

// explainGeneric returns the generic plan of sql, the one a cached
// statement runs from its sixth execution on: the plan made without the
// arguments' values, which stand for themselves here as literals.
func explainGeneric(t *testing.T, s *Store, sql string, args ...any) string {
	t.Helper()
	ctx := t.Context()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatalf("acquire a connection: %v", err)
	}
	// The connection goes back to the pool as it came.
	defer conn.Release()
	defer conn.Exec(ctx, `RESET plan_cache_mode`)
	defer conn.Exec(ctx, `DEALLOCATE generic_plan`)
	if _, err := conn.Exec(ctx, `SET plan_cache_mode = force_generic_plan`); err != nil {
		t.Fatalf("force generic plans: %v", err)
	}
	if _, err := conn.Exec(ctx, `PREPARE generic_plan AS `+sql); err != nil {
		t.Fatalf("PREPARE: %v", err)
	}
	values := make([]string, len(args))
	for i, a := range args {
		switch a := a.(type) {
		case int:
			values[i] = strconv.Itoa(a)
		case int64:
			values[i] = strconv.FormatInt(a, 10)
		case string:
			values[i] = `'` + strings.ReplaceAll(a, `'`, `''`) + `'`
		default:
			t.Fatalf("argument %d: no literal for %T", i+1, a)
		}
	}
	rows, err := conn.Query(ctx, `EXPLAIN (COSTS OFF) EXECUTE generic_plan(`+strings.Join(values, `, `)+`)`)
	if err != nil {
		t.Fatalf("EXPLAIN EXECUTE: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			t.Fatalf("read the plan: %v", err)
		}
		plan = append(plan, line)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("EXPLAIN EXECUTE: %v", err)
	}
	return strings.Join(plan, "\n")
}
