package main

import (
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestDriveCountsErrorsOfTheMeasuredRun: answers refused while a path
// warms up (the previous path's abandoned requests still holding the
// server's bounds) are not the measured path's errors; refusals during
// the measured run are.
func TestDriveCountsErrorsOfTheMeasuredRun(t *testing.T) {
	for _, tc := range []struct {
		name      string
		refuseFor time.Duration
		wantErrs  bool
	}{
		{"refused during the warm-up only", 300 * time.Millisecond, false},
		{"refused into the measured run", 1200 * time.Millisecond, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if time.Since(start) < tc.refuseFor {
					http.Error(w, "busy", http.StatusTooManyRequests)
					return
				}
				w.Write([]byte("ok"))
			}))
			defer srv.Close()
			addr := strings.TrimPrefix(srv.URL, "http://")
			tg := target{
				name:    "probe",
				request: func(_ *rand.Rand, b []byte) []byte { return appendRequest(b, "GET", addr, "/", "", "", "") },
				check:   status200,
			}
			res, err := drive(t.Context(), addr, tg, 2, 600*time.Millisecond, 800*time.Millisecond, watched{server: os.Getpid()})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Errors > 0; got != tc.wantErrs {
				t.Errorf("%d errors (first: %s), want errors: %v", res.Errors, res.FirstError, tc.wantErrs)
			}
			if res.Requests == 0 {
				t.Errorf("no successful request measured")
			}
		})
	}
}
