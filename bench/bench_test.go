package main

import (
	"context"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestBenchEndToEnd runs the whole suite small: build, seed, serve, load
// every path, print. Every path must answer, and answer without an error.
// The two argon2id paths get a run of their own, long enough for a loaded
// machine to finish some hashes (one takes tens of milliseconds when quiet),
// after a warm-up long enough for each hash's 64 MiB to be faulted in: on a
// virtual machine that hands freed memory back to its host, the first
// hashes after the other runs took seconds. Each window is at least a
// second, so a path whose requests take hundreds of milliseconds on a
// loaded machine still finishes some, and its CPU is counted in whole
// clock ticks.
// The database yardsticks run on SQLite with the rest, and on PostgreSQL,
// the write ones included, when USERD_TEST_POSTGRES_URL names a server.
func TestBenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds userd and loads it for a few seconds")
	}
	fast := []string{"ceiling", "db-get-ceiling", "openapi-get", "tenantv2-get", "tenantv2-by-username", "admin-get", "db-batch100-ceiling", "userinfo-batch100", "db-list-ceiling", "admin-list", "tenantv2-list", "scim-filter-username", "scim-filter-externalid", "scim-filter-page100", "console-users", "console-search", "changes", "openapi-put", "admin-patch", "scim-patch", "token"}
	hashing := []string{"argon2id-ceiling", "password-check"}
	t.Run("fast", func(t *testing.T) {
		rep := runSmall(t, fast, "-duration", "1s", "-conns", "16")
		if rep.Rows[0].Ratio != 1 {
			t.Errorf("got the ceiling's ratio %v, want 1", rep.Rows[0].Ratio)
		}
	})
	t.Run("hashing", func(t *testing.T) {
		runSmall(t, hashing, "-duration", "4s", "-warmup", "3s", "-conns", "4")
	})
	// The database yardsticks on PostgreSQL, where the write ones run too.
	t.Run("postgres-yardsticks", func(t *testing.T) {
		server := os.Getenv("USERD_TEST_POSTGRES_URL")
		if server == "" {
			t.Skip("USERD_TEST_POSTGRES_URL names no PostgreSQL server")
		}
		yardsticks := []string{"ceiling", "db-get-ceiling", "db-batch100-ceiling", "db-list-ceiling", "db-put-ceiling", "db-put-async-ceiling", "db-patch-ceiling", "db-patch-async-ceiling"}
		runSmall(t, yardsticks, "-db", server, "-duration", "1s", "-conns", "16")
	})
}

// runSmall runs the suite on 2000 users for the paths named, in that order,
// and checks each row answered without an error. A path of
// defaultPathConns has a second row, path@N, run at N connections.
func runSmall(t *testing.T, paths []string, args ...string) *report {
	t.Helper()
	var out strings.Builder
	args = append([]string{"-users", "2000", "-out", "", "-paths", strings.Join(paths, ",")}, args...)
	rep, err := run(context.Background(), args, &out, io.Discard)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	again := map[string]string{}
	for _, pair := range strings.Split(defaultPathConns, ",") {
		name, n, _ := strings.Cut(pair, "=")
		again[name] = name + "@" + n
	}
	var want []string
	for _, p := range paths {
		want = append(want, p)
		if row, ok := again[p]; ok {
			want = append(want, row)
		}
	}
	if len(rep.Rows) != len(want) {
		t.Fatalf("got %d rows, want %d:\n%s", len(rep.Rows), len(want), out.String())
	}
	for i, row := range rep.Rows {
		if row.Path != want[i] {
			t.Errorf("row %d is %q, want %q", i, row.Path, want[i])
		}
		if row.Errors != 0 || row.Requests == 0 {
			t.Errorf("%s: got %d errors (first: %s) and %d successful requests, want 0 errors and some requests", row.Path, row.Errors, row.FirstError, row.Requests)
		}
		if again := strings.Contains(row.Path, "@"); again != (row.Conns != rep.Conns) || again && row.Ratio != 0 {
			t.Errorf("%s: got %d connections (the run's: %d) and ratio %v; want -conns, or another count and no ratio for a path@N row", row.Path, row.Conns, rep.Conns, row.Ratio)
		}
		if row.AnonRSS <= 0 {
			t.Errorf("%s: got server anon RSS %d, want > 0", row.Path, row.AnonRSS)
		}
		// SQLite runs inside userd, with no database process to count;
		// PostgreSQL's processes work for every path but the bare ceiling
		// (in whose run only its background work may show).
		c := row.CPU
		if c.Server <= 0 || c.Bench <= 0 || c.CPUs < 1 {
			t.Errorf("%s: got CPU per request %+v; want server and bench above 0 and the CPUs counted", row.Path, c)
		}
		switch {
		case rep.Engine == "sqlite" && c.Database != 0:
			t.Errorf("%s on SQLite: got database CPU %.0f µs per request, want 0", row.Path, c.Database)
		case rep.Engine == "postgres" && row.Path != "ceiling" && c.Database <= 0:
			t.Errorf("%s on PostgreSQL: got database CPU %.0f µs per request, want it above 0", row.Path, c.Database)
		}
		if console := strings.HasPrefix(row.Path, "console-"); console != (row.ServerP99 > 0) {
			t.Errorf("%s: got server p99 %s; want one exactly for the console's paths, which send Server-Timing", row.Path, row.ServerP99)
		}
		if !strings.Contains(out.String(), row.Path) {
			t.Errorf("table lacks row %s:\n%s", row.Path, out.String())
		}
	}
	if !strings.Contains(out.String(), "CPU per request during each measured run") {
		t.Errorf("the report lacks the CPU table:\n%s", out.String())
	}
	if rep.Seeding <= 0 || rep.Startup <= 0 {
		t.Errorf("got seeding %s and start-up %s, want both measured", rep.Seeding, rep.Startup)
	}
	return rep
}

// TestBenchDelivery runs -delivery with the receiver down for a second in
// the middle: every change written reaches the receiver once it is back,
// in order, and the feed reader sees every one.
func TestBenchDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds userd and loads it for a few seconds")
	}
	var out strings.Builder
	rep, err := run(t.Context(), []string{"-users", "500", "-duration", "4s", "-conns", "4", "-out", "", "-paths", "none", "-delivery", "100", "-outage", "1s"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	d := rep.Delivery
	if len(rep.Rows) != 0 || d == nil {
		t.Fatalf("got %d path rows and delivery %+v, want only the delivery run:\n%s", len(rep.Rows), d, out.String())
	}
	if d.Changes < 300 || d.Errors != 0 || d.Missing != 0 || d.OutOfOrder != 0 {
		t.Errorf("got %d changes, %d write errors (%s), %d missing, %d out of order; want about 400, and no errors, none missing or out of order", d.Changes, d.Errors, d.FirstError, d.Missing, d.OutOfOrder)
	}
	if d.Backlog == 0 || d.CatchUp <= 0 || d.WebhookP50 <= 0 || d.FeedP50 <= 0 {
		t.Errorf("got backlog %d, catch-up %s, webhook p50 %s, feed p50 %s; want each measured", d.Backlog, d.CatchUp, d.WebhookP50, d.FeedP50)
	}
	if !strings.Contains(out.String(), "change to webhook:") || !strings.Contains(out.String(), "receiver down 1s") {
		t.Errorf("the report lacks the delivery lines:\n%s", out.String())
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		args    []string
		wantErr string
	}{
		{args: []string{"-users", "0"}, wantErr: "-users"},
		{args: []string{"-conns", "0"}, wantErr: "-conns"},
		{args: []string{"-duration", "0s"}, wantErr: "-duration"},
		{args: []string{"-db", "mysql://x"}, wantErr: "-db"},
		{args: []string{"-reuse"}, wantErr: "-reuse"},
		{args: []string{"-reuse", "-db", "sqlite:/tmp/x.db"}},
		{args: []string{"extra"}, wantErr: "unexpected argument"},
		{args: []string{"-db", "postgres://postgres@127.0.0.1/x"}},
		{args: []string{"-outage", "1s"}, wantErr: "-outage needs -delivery"},
		{args: []string{"-delivery", "10", "-duration", "2s", "-outage", "2s"}, wantErr: "shorter than -duration"},
		{args: []string{"-delivery", "-1"}, wantErr: "-delivery"},
		{args: []string{"-delivery", "1000", "-outage", "1m", "-duration", "3m", "-paths", "none"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, err := parseFlags(tt.args, io.Discard)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("got error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
	c, err := parseFlags([]string{"-duration", "3s"}, io.Discard)
	if err != nil || c.warmup.String() != "600ms" {
		t.Errorf("got warm-up %s (error %v) for -duration 3s, want 600ms", c.warmup, err)
	}
}

// TestBenchReuse runs twice with -reuse on one kept database: the first run
// seeds it, the second seeds nothing and loads the same users with new
// credentials. It runs on SQLite, and on PostgreSQL when
// USERD_TEST_POSTGRES_URL names a server, where seeding goes through COPY
// and the URL carries a parameter of userd's store the server does not
// know, which the benchmark's own connections must leave out.
func TestBenchReuse(t *testing.T) {
	if testing.Short() {
		t.Skip("builds userd and loads it")
	}
	dbs := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "kept.db")}
	if server := os.Getenv("USERD_TEST_POSTGRES_URL"); server != "" {
		u, err := url.Parse(server)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("pool_max_heavy_reads", "2")
		u.RawQuery = q.Encode()
		dbs["postgres"] = keptPostgres(t, u.String())
	}
	for engine, db := range dbs {
		t.Run(engine, func(t *testing.T) {
			args := []string{"-db", db, "-users", "700", "-batch", "300", "-duration", "200ms", "-conns", "4", "-out", "", "-paths", "admin-get,admin-list", "-reuse"}
			first, err := run(t.Context(), args, io.Discard, io.Discard)
			if err != nil {
				t.Fatalf("first run: %v", err)
			}
			if first.Seeding <= 0 {
				t.Errorf("first run: got seeding %s, want it measured", first.Seeding)
			}
			if engine == "sqlite" {
				if _, err := run(t.Context(), args[:len(args)-1], io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "-reuse") {
					t.Errorf("second run without -reuse: got error %v, want one naming -reuse", err)
				}
			}
			var out strings.Builder
			second, err := run(t.Context(), args, &out, io.Discard)
			if err != nil {
				t.Fatalf("run with -reuse: %v", err)
			}
			if second.Seeding != 0 || !strings.Contains(out.String(), "seeding: none (-reuse)") {
				t.Errorf("run with -reuse: got seeding %s, want none:\n%s", second.Seeding, out.String())
			}
			// The database's CPU is read from /proc in clock ticks (10 ms),
			// so on PostgreSQL it is checked over both paths together: a
			// path's 200 ms window on a machine loaded by other tests may
			// serve too few requests to span a tick.
			var dbTime float64
			for _, row := range second.Rows {
				if row.Errors != 0 || row.Requests == 0 {
					t.Errorf("%s: got %d errors (first: %s) and %d requests, want 0 errors and some requests", row.Path, row.Errors, row.FirstError, row.Requests)
				}
				if db := row.CPU.Database; engine == "sqlite" && db != 0 {
					t.Errorf("%s: got database CPU %v µs per request on SQLite, want 0: the database runs inside userd", row.Path, db)
				}
				dbTime += row.CPU.Database * float64(row.Requests)
			}
			if engine == "postgres" && dbTime <= 0 {
				t.Errorf("got no database CPU over %d paths on PostgreSQL, want some", len(second.Rows))
			}
			if _, err := run(t.Context(), append(args[:len(args):len(args)], "-users", "701"), io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "holds 700 users") {
				t.Errorf("-reuse with more users than seeded: got error %v, want one saying it holds 700", err)
			}
		})
	}
}

// keptPostgres creates a database on server for a test, dropped after it.
func keptPostgres(t *testing.T, server string) string {
	t.Helper()
	db, drop, err := prepareDB(t.Context(), server, t.TempDir(), false)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(); err != nil {
			t.Error(err)
		}
	})
	return db
}

// TestParsePathConns checks -path-conns: path=N pairs of known paths only.
func TestParsePathConns(t *testing.T) {
	targets := []target{{name: "console-users"}, {name: "console-search"}, {name: "scim-filter-page100"}, {name: "tenantv2-list"}}
	for _, tc := range []struct {
		list string
		want map[string]int
	}{
		{"", map[string]int{}},
		{defaultPathConns, map[string]int{"console-users": 4, "console-search": 4, "scim-filter-page100": 8, "tenantv2-list": 8}},
		{" console-users=1", map[string]int{"console-users": 1}},
		{"console-users", nil},
		{"console-users=0", nil},
		{"console-users=x", nil},
		{"admin-get=4", nil},
		{"console-users=4,", nil},
	} {
		got, err := parsePathConns(tc.list, targets)
		if tc.want == nil {
			if err == nil {
				t.Errorf("parsePathConns(%q): got %v, want an error", tc.list, got)
			}
			continue
		}
		if err != nil || !maps.Equal(got, tc.want) {
			t.Errorf("parsePathConns(%q): got %v, %v; want %v", tc.list, got, err, tc.want)
		}
	}
}
