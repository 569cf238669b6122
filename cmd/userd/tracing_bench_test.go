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
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/sqlite"
)

// BenchmarkRequest measures the request path as serve wires it, with no
// OTEL_* variables set: the middleware alone (healthz) and a read that
// authenticates an API token and reads one user through the store.
func BenchmarkRequest(b *testing.B) {
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
	watched := m.WatchStore(st)
	hasher, err := auth.NewHasher(auth.HashParams{}, 0)
	if err != nil {
		b.Fatal(err)
	}
	svc := directory.NewService(watched, hasher)
	logger := slog.New(slog.NewJSONHandler(io.Discard, nil))
	handler, authn, err := newHandler(ctx, cfg, time.UTC, logger, watched, svc, m, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer authn.Close()
	h := server.WithDeadline(cfg.requestTimeout, handler)

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
