package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDBURLForms runs userd migrate with each accepted spelling of a SQLite
// --db and checks the file lands where the spelling says, and that the
// ambiguous ones are refused with the right form, creating nothing.
func TestDBURLForms(t *testing.T) {
	abs := filepath.Join(t.TempDir(), "abs dir")
	if err := os.Mkdir(abs, 0o700); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		db   string
		want string // the file's path relative to the working directory, or absolute
	}{
		{"sqlite:userd.db", "userd.db"},
		{"sqlite:sub/userd.db", "sub/userd.db"},
		{"sqlite:" + abs + "/a.db", abs + "/a.db"},
		{"sqlite://" + strings.ReplaceAll(abs, " ", "%20") + "/b.db", abs + "/b.db"},
		{"sqlite://localhost" + strings.ReplaceAll(abs, " ", "%20") + "/c.db", abs + "/c.db"},
		{"sqlite://./rel.db", "rel.db"},
		{"sqlite://../up.db", "../up.db"},
		{"file:f.db", "f.db"},
		{"file://" + abs + "/d.db", abs + "/d.db"},
	}
	for _, tt := range tests {
		t.Run(tt.db, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "work")
			if err := os.MkdirAll(filepath.Join(dir, "sub"), 0o700); err != nil {
				t.Fatal(err)
			}
			mustRunBin(t, dir, nil, "", "migrate", "--db", tt.db)
			want := tt.want
			if !filepath.IsAbs(want) {
				want = filepath.Join(dir, want)
			}
			if _, err := os.Stat(want); err != nil {
				t.Errorf("--db %s: want the database at %s: %v", tt.db, want, err)
			}
		})
	}

	refused := []struct{ db, want string }{
		{"sqlite://userd.db", "Write sqlite:userd.db for a file in the working directory"},
		{"sqlite://data/userd.db", `"data" is a host name`},
		{"file://userd.db", "file:userd.db"},
		{"sqlite:", "needs a file path"},
		{"sqlite:///", "needs a file path"},
		{"sqlite:userd.db?_pragma=x", "give only the file's path"},
		{"mysql://x", "sqlite:PATH"},
		{"userd.db", "use sqlite:PATH or postgres://"},
	}
	for _, tt := range refused {
		t.Run(tt.db, func(t *testing.T) {
			dir := t.TempDir()
			res := runBin(t, dir, nil, "", "migrate", "--db", tt.db)
			if res.code != 2 || !strings.Contains(res.stderr, tt.want) {
				t.Errorf("--db %s: got exit %d and stderr %q, want exit 2 and an error containing %q", tt.db, res.code, res.stderr, tt.want)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("--db %s: a refused --db left %d files in the working directory", tt.db, len(entries))
			}
		})
	}
}
