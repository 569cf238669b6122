package e2e

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
)

// TestGCTarget: userd serve runs its garbage collector at a target of 400
// when the environment sets no GOGC, and at the operator's GOGC when it
// does, as the Go runtime reports it on /metrics.
func TestGCTarget(t *testing.T) {
	for _, tc := range []struct {
		name, env, want string
	}{
		{"unset", "GOGC=", "400"},
		{"set", "GOGC=150", "150"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := "sqlite:" + filepath.Join(t.TempDir(), "userd.db")
			p := startEnv(t, []string{tc.env}, db, "--metrics-addr", "api")
			resp, err := http.Get(p.base + "/metrics")
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			m := regexp.MustCompile(`(?m)^go_gc_gogc_percent (\S+)$`).FindSubmatch(body)
			if m == nil || string(m[1]) != tc.want {
				t.Fatalf("with %s, /metrics shows go_gc_gogc_percent %q, want %s", tc.env, m, tc.want)
			}
		})
	}
}
