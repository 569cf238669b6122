package e2e

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// TestGCTarget: userd serve runs its garbage collector at a target of 400
// and a soft memory limit of 1 GiB when the environment sets no GOGC and no
// GOMEMLIMIT, and at the operator's values when it does, as the Go runtime
// reports them on /metrics.
func TestGCTarget(t *testing.T) {
	for _, tc := range []struct {
		name        string
		env         []string
		gogc, limit float64 // percent, bytes
	}{
		{"unset", []string{"GOGC=", "GOMEMLIMIT="}, 400, 1 << 30},
		{"set", []string{"GOGC=150", "GOMEMLIMIT=300MiB"}, 150, 300 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "userd.db")
			p := startEnv(t, tc.env, db, "--metrics-addr", "api")
			resp, err := http.Get(p.base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []struct {
				series string
				value  float64
			}{
				{"go_gc_gogc_percent", tc.gogc},
				{"go_gc_gomemlimit_bytes", tc.limit},
			} {
				m := regexp.MustCompile(`(?m)^` + want.series + ` (\S+)$`).FindSubmatch(body)
				if m == nil {
					t.Fatalf("with %v, /metrics has no %s", tc.env, want.series)
				}
				got, err := strconv.ParseFloat(string(m[1]), 64)
				if err != nil {
					t.Fatalf("with %v, /metrics shows %s %q, not a number: %v", tc.env, want.series, m[1], err)
				}
				if got != want.value {
					t.Errorf("with %v, /metrics shows %s %v, want %v", tc.env, want.series, got, want.value)
				}
			}
		})
	}
}
