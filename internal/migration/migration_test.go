package migration

import (
	"testing"
	"testing/fstest"

	"github.com/userd/userd/internal/directory"
)

func TestLatest(t *testing.T) {
	fsys := fstest.MapFS{
		"m/00001_init.sql":  {},
		"m/00012_more.sql":  {},
		"m/00003_other.sql": {},
		"m/README":          {},
	}
	if got := Latest(fsys, "m"); got != 12 {
		t.Errorf("Latest: got %d, want 12", got)
	}
	if got := Latest(fsys, "none"); got != 0 {
		t.Errorf("Latest of a missing directory: got %d, want 0", got)
	}
}

func TestReady(t *testing.T) {
	tests := []struct {
		current, latest int64
		ready           bool
	}{{0, 1, false}, {1, 2, false}, {2, 2, true}, {3, 2, true}}
	for _, tt := range tests {
		err := Ready(tt.current, tt.latest)
		if (err == nil) != tt.ready || err != nil && directory.KindOf(err) != directory.Unavailable {
			t.Errorf("Ready(%d, %d): got %v, want ready %v (else Unavailable)", tt.current, tt.latest, err, tt.ready)
		}
	}
}
