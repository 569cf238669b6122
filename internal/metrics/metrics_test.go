package metrics

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/sqlite"
)

// value returns the value of the series name with exactly labels, or -1.
func value(t *testing.T, m *Metrics, name string, labels map[string]string) float64 {
	t.Helper()
	families, err := m.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
	series:
		for _, s := range f.GetMetric() {
			if len(s.GetLabel()) != len(labels) {
				continue
			}
			for _, l := range s.GetLabel() {
				if labels[l.GetName()] != l.GetValue() {
					continue series
				}
			}
			switch {
			case s.Counter != nil:
				return s.GetCounter().GetValue()
			case s.Gauge != nil:
				return s.GetGauge().GetValue()
			case s.Histogram != nil:
				return float64(s.GetHistogram().GetSampleCount())
			}
		}
	}
	return -1
}

// TestObserveRequestLabels checks the labels come from the matched pattern
// and a fixed set of methods, never from what the caller sent.
func TestObserveRequestLabels(t *testing.T) {
	m := New(func(route string) string { return "api:" + route })
	tests := []struct {
		name            string
		method, pattern string
		want            map[string]string
	}{
		{"matched", "GET", "GET /users/{id}", map[string]string{"route": "/users/{id}", "method": "GET", "status": "200", "dialect": "api:/users/{id}"}},
		{"pattern without method", "PUT", "/things", map[string]string{"route": "/things", "method": "PUT", "status": "200", "dialect": "api:/things"}},
		{"unmatched", "GET", "", map[string]string{"route": "unmatched", "method": "GET", "status": "200", "dialect": "none"}},
		{"invented method", "BREW", "", map[string]string{"route": "unmatched", "method": "OTHER", "status": "200", "dialect": "none"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, "/users/12345", nil)
			r.Pattern = tt.pattern
			m.ObserveRequest(r, http.StatusOK, time.Millisecond)
			if got := value(t, m, "userd_http_requests_total", tt.want); got != 1 {
				t.Errorf("got %v requests labelled %v, want 1", got, tt.want)
			}
		})
	}
}

// TestWatchStore times calls on a real SQLite store, counts a failure by
// kind, and exports both of its pools.
// openStore opens a migrated SQLite store in t's temporary directory.
func openStore(t *testing.T) directory.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

func TestWatchStore(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	m := New(func(string) string { return "" })
	watched := m.WatchStore(st)
	if _, err := watched.Tenants(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := watched.Tenant(ctx, 42); directory.KindOf(err) != directory.NotFound {
		t.Fatalf("Tenant(42): got %v, want not found", err)
	}
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"userd_store_operation_duration_seconds", map[string]string{"operation": "Tenants"}, 1},
		{"userd_store_operation_duration_seconds", map[string]string{"operation": "Tenant"}, 1},
		{"userd_store_errors_total", map[string]string{"operation": "Tenant", "kind": "not_found"}, 1},
		{"userd_db_connections_max", map[string]string{"pool": "writer"}, 1},
	} {
		if got := value(t, m, c.name, c.labels); got != c.want {
			t.Errorf("%s%v: got %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if got := value(t, m, "userd_db_connections_max", map[string]string{"pool": "reader"}); got < 1 {
		t.Errorf("reader pool max: got %v, want at least 1", got)
	}
}

// TestStoreErrorsCountWhatCallersSaw updates one user from many goroutines
// at once, each without If-Match, so the Service re-reads and retries
// whenever another update came first. Every caller succeeds, so no
// precondition_failed may be counted, however many retries there were (a
// caller whose update lost every retry sees a conflict, which the Service
// makes; the store's mismatches were never shown to anyone).
func TestStoreErrorsCountWhatCallersSaw(t *testing.T) {
	ctx := context.Background()
	m := New(func(string) string { return "" })
	svc := directory.NewService(m.WatchStore(openStore(t)), nil)
	tenant, err := svc.CreateTenant(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	p := directory.System(tenant.ID)
	name := "ada"
	u, err := svc.CreateUser(ctx, p, directory.OriginAdmin, directory.UserPatch{Username: &name})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 4, 10
	calls := 0
	// Until some update had to be retried: more store updates than calls.
	for round := 0; round < 20 && value(t, m, "userd_store_operation_duration_seconds", map[string]string{"operation": "UpdateUser"}) <= float64(calls); round++ {
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					comment := fmt.Sprintf("writer %d update %d of round %d", w, i, round)
					if _, err := svc.UpdateUser(ctx, p, u.ID, 0, directory.UserPatch{Comment: &comment}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if directory.KindOf(err) != directory.Conflict {
				t.Fatalf("update without If-Match: %v", err)
			}
		}
		calls += writers * each
	}
	if ops := value(t, m, "userd_store_operation_duration_seconds", map[string]string{"operation": "UpdateUser"}); ops <= float64(calls) {
		t.Skipf("no update was retried in %d calls; nothing to check", calls)
	}
	if got := value(t, m, "userd_store_errors_total", map[string]string{"operation": "UpdateUser", "kind": "precondition_failed"}); got > 0 {
		t.Errorf("precondition_failed store errors: got %v, want none: no caller was shown one", got)
	}
}

// BenchmarkObserveRequest counts a finished GET of one route, as every
// request does.
func BenchmarkObserveRequest(b *testing.B) {
	m := New(func(route string) string { return "api" })
	r := httptest.NewRequest("GET", "/users/1", nil)
	r.Pattern = "GET /users/{id}"
	b.ReportAllocs()
	for b.Loop() {
		m.ObserveRequest(r, http.StatusOK, time.Millisecond)
	}
}
