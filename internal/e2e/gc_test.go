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
		name          string
		env           []string
		gogc, limitMB string
	}{
		{"unset", []string{"GOGC=", "GOMEMLIMIT="}, "400", "1024"},
		{"set", []string{"GOGC=150", "GOMEMLIMIT=300MiB"}, "150", "300"},
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
			for _, want := range []struct{ series, value string }{
				{"go_gc_gogc_percent", tc.gogc},
				{"go_gc_gomemlimit_bytes", tc.limitMB},
			} {
				m := regexp.MustCompile(`(?m)^` + want.series + ` (\S+)$`).FindSubmatch(body)
				if m == nil {
					t.Fatalf("with %v, /metrics has no %s", tc.env, want.series)
				}
				got := string(m[1])
				if want.series == "go_gc_gomemlimit_bytes" {
					v, err := strconv.ParseFloat(got, 64)
					if err != nil {
						t.Fatalf("%s %q: %v", want.series, got, err)
					}
					got = strconv.FormatFloat(v/(1<<20), 'f', -1, 64)
				}
				if got != want.value {
					t.Errorf("with %v, /metrics shows %s %s, want %s", tc.env, want.series, got, want.value)
				}
			}
		})
	}
}
