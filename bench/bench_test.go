package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

// TestBenchEndToEnd runs the whole suite small: build, seed, serve, load
// every path, print. Every path must answer, and answer without an error.
func TestBenchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds userd and loads it for a few seconds")
	}
	var out strings.Builder
	rep, err := run(context.Background(), []string{"-users", "2000", "-duration", "300ms", "-conns", "8", "-out", ""}, &out, io.Discard)
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := []string{"ceiling", "openapi-get", "tenantv2-get", "tenantv2-by-username", "admin-get", "userinfo-batch100", "admin-list", "tenantv2-list", "changes", "openapi-put", "admin-patch", "token"}
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
		if row.RSS <= 0 {
			t.Errorf("%s: got server RSS %d, want > 0", row.Path, row.RSS)
		}
		if !strings.Contains(out.String(), row.Path) {
			t.Errorf("table lacks row %s:\n%s", row.Path, out.String())
		}
	}
	if rep.Seeding <= 0 || rep.Startup <= 0 {
		t.Errorf("got seeding %s and start-up %s, want both measured", rep.Seeding, rep.Startup)
	}
	if rep.Rows[0].Ratio != 1 {
		t.Errorf("got the ceiling's ratio %v, want 1", rep.Rows[0].Ratio)
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
		{args: []string{"extra"}, wantErr: "unexpected argument"},
		{args: []string{"-db", "postgres://postgres@127.0.0.1/x"}},
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
