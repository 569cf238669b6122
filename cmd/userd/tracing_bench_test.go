package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/metrics"
	"github.com/userd/userd/internal/sqlite"
	"github.com/userd/userd/internal/tracing"
)

// BenchmarkRequest measures the request path as serve wires it, with no
// OTEL_* variables set and with spans sent to an OTLP receiver that drops
// them: the middleware alone (healthz) and a read that authenticates an API
// token and reads one user through the store.
func BenchmarkRequest(b *testing.B) {
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
	}))
	defer rcv.Close()
	for _, tc := range []struct {
		name    string
		environ map[string]string
	}{
		{"tracing-off", nil},
		{"tracing-on", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": rcv.URL}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			tr, err := tracing.New(context.Background(), func(k string) string { return tc.environ[k] }, "bench")
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Shutdown(context.Background())
			benchmarkRequest(b, tr)
		})
	}
}

// benchmarkRequest runs BenchmarkRequest's requests traced by tr.
func benchmarkRequest(b *testing.B, tr *tracing.Tracing) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "userd.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	c := newFlags("serve", noEnv, streams{stdout: io.Discard, stderr: io.Discard})
	var cfg serveConfig
	cfg.define(c)
	if err := c.parse(nil); err != nil {
		b.Fatal(err)
	}
	m := metrics.New(dialectOf)
	watched := tr.WatchStore(m.WatchStore(st))
	hasher, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		b.Fatal(err)
	}
	svc := directory.NewService(watched, hasher)
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	handler, authn, err := newHandler(ctx, cfg, time.UTC, logger, watched, svc, m, tr)
	if err != nil {
		b.Fatal(err)
	}
	defer authn.Close()
	h := tr.Handler(handler)

	tn, err := svc.CreateTenant(ctx, "acme")
	if err != nil {
		b.Fatal(err)
	}
	sys := directory.System(tn.ID)
	name, email := "ada", "ada@example.com"
	u, err := svc.CreateUser(ctx, sys, directory.OriginAdmin, directory.UserPatch{Username: &name, Name: &name, Email: &email})
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := svc.CreateAPIToken(ctx, sys, "bench", directory.AllScopes, 0)
	if err != nil {
		b.Fatal(err)
	}
	token := secret.Reveal()

	for _, bc := range []struct {
		name, path string
		header     string
	}{
		{"healthz", "/healthz", ""},
		{"get-user", "/admin/v1/users/" + strconv.FormatInt(u.ID, 10), "Bearer " + token},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r := httptest.NewRequest(http.MethodGet, bc.path, nil)
				if bc.header != "" {
					r.Header.Set("Authorization", bc.header)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, r)
				if w.Code != http.StatusOK {
					b.Fatalf("GET %s: got status %d, want 200: %s", bc.path, w.Code, w.Body)
				}
			}
		})
	}
}
