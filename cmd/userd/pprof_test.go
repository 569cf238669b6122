package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestPprofAddr checks runtime profiles are served only where --pprof-addr
// says, on loopback, and never on --addr; an address other machines could
// reach is refused before anything starts.
func TestPprofAddr(t *testing.T) {
	env := map[string]string{"USERD_DB": "sqlite:" + filepath.Join(t.TempDir(), "userd.db")}
	for _, addr := range []string{"0.0.0.0:6060", ":6060", "192.0.2.1:6060", "localhost"} {
		res := runBin(t, "", env, "", "serve", "--addr", freePort(t), "--pprof-addr", addr)
		if res.code != 2 || !strings.Contains(res.stderr, "must be a loopback HOST:PORT") {
			t.Errorf("--pprof-addr %s: got exit %d, stderr %q; want 2 and a loopback address asked for", addr, res.code, res.stderr)
		}
	}

	pprofAddr := freePort(t)
	s := startServer(t, "sqlite:"+filepath.Join(t.TempDir(), "userd.db"), "--pprof-addr", pprofAddr)
	for _, tc := range []struct {
		url  string
		want int
	}{
		{"http://" + pprofAddr + "/debug/pprof/", http.StatusOK},
		{"http://" + pprofAddr + "/debug/pprof/profile?seconds=1", http.StatusOK},
		{"http://" + pprofAddr + "/debug/pprof/heap", http.StatusOK},
		{s.base + "/debug/pprof/", http.StatusNotFound},
	} {
		resp, err := http.Get(tc.url)
		if err != nil {
			t.Fatalf("GET %s: %v", tc.url, err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("GET %s: got status %d, want %d", tc.url, resp.StatusCode, tc.want)
		}
	}
}
