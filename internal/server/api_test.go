package server

import (
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func TestParseID(t *testing.T) {
	tests := []struct {
		s    string
		want int64
		ok   bool
	}{
		{"1", 1, true},
		{"42", 42, true},
		{"9007199254740991", directory.MaxSafeID, true},
		{"9007199254740992", 0, false},
		{"18446744073709551616", 0, false},
		{"0", 0, false},
		{"01", 0, false},
		{"007", 0, false},
		{"+1", 0, false},
		{"-1", 0, false},
		{" 1", 0, false},
		{"1 ", 0, false},
		{"1e3", 0, false},
		{"0x10", 0, false},
		{"１", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		id, ok := ParseID(tt.s)
		if id != tt.want || ok != tt.ok {
			t.Errorf("ParseID(%q) = %d, %v; want %d, %v", tt.s, id, ok, tt.want, tt.ok)
		}
	}
}

// FuzzParseID checks ParseID accepts exactly the canonical decimal form of
// the ids from 1 to MaxSafeID.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"1", "007", "+1", "-0", "9007199254740991", "9007199254740992", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ParseID(s)
		n, err := strconv.ParseInt(s, 10, 64)
		canonical := err == nil && n >= 1 && n <= directory.MaxSafeID && strconv.FormatInt(n, 10) == s
		if ok != canonical || (ok && id != n) {
			t.Fatalf("ParseID(%q) = %d, %v; canonical: %v", s, id, ok, canonical)
		}
	})
}
