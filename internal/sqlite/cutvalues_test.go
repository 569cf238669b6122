package sqlite

import (
	"slices"
	"strings"
	"testing"
)

// BenchmarkCutValues splits the texts of a typical user as scanUser reads
// them: 48 values, most of them empty.
func BenchmarkCutValues(b *testing.B) {
	var v [userTextCount + 1 + userProfileCount]string
	texts := []string{"user00012345", "User 12345", "u12345", "user00012345@bench.example", "5550012345", "+1", "admin",
		"", "ent-45", "E12345", "", "Springfield", "", "US", "", `{"level_id":5,"role_id":2}`, ""}
	s := strings.Join(append(texts, make([]string, len(v)-len(texts))...), "\x00")
	b.ReportAllocs()
	for b.Loop() {
		if err := cutValues(s, v[:]); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCutValues(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want []string
		err  string
	}{
		{s: "a\x00\x00c", n: 3, want: []string{"a", "", "c"}},
		{s: "", n: 1, want: []string{""}},
		{s: "a\x00b", n: 3, err: "hold 2 values, want 3"},
		{s: "a\x00b\x00c", n: 2, err: "hold more than 2 values"},
	} {
		v := make([]string, tc.n)
		err := cutValues(tc.s, v)
		switch {
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("cutValues(%q, %d): got error %v, want one saying %q", tc.s, tc.n, err, tc.err)
		case tc.err == "" && (err != nil || strings.Join(v, "|") != strings.Join(tc.want, "|")):
			t.Errorf("cutValues(%q, %d): got %q, %v; want %q", tc.s, tc.n, v, err, tc.want)
		}
	}
}

// FuzzCutValues holds cutValues to strings.Split: the same values when s
// holds exactly n, an error otherwise.
func FuzzCutValues(f *testing.F) {
	f.Add("a\x00\x00c", 3)
	f.Add("", 1)
	f.Add("\x00", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		if n < 1 || n > 64 {
			return
		}
		v := make([]string, n)
		err := cutValues(s, v)
		want := strings.Split(s, "\x00")
		switch {
		case len(want) != n && err == nil:
			t.Errorf("cutValues(%q, %d): no error for %d values", s, n, len(want))
		case len(want) == n && (err != nil || !slices.Equal(v, want)):
			t.Errorf("cutValues(%q, %d): got %q, %v; want %q", s, n, v, err, want)
		}
	})
}
