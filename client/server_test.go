package client_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/sqlite"
)

// testServer is userd's admin API and token endpoint over a new SQLite
// database, serving in-process, with the credentials of the admin client
// made on its first start.
type testServer struct {
	URL                    string
	ClientID, ClientSecret string
	close                  func()
	// svc is the server's Service, for tests that act behind the API.
	svc *directory.Service
}

// Close stops the server and removes its database.
func (s *testServer) Close() { s.close() }

// startServer starts a testServer whose access tokens live tokenLifetime
// (0: the default 30 minutes). Examples call it too, so it panics rather
// than taking a *testing.T.
func startServer(tokenLifetime time.Duration) *testServer {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "userd-client-")
	must(err)
	st, err := sqlite.Open(ctx, filepath.Join(dir, "userd.db"), sqlite.Options{})
	must(err)
	must(st.Migrate(ctx))
	hasher, err := auth.NewHasher(auth.MinHashParams, 0)
	must(err)
	svc := directory.NewService(st, hasher)
	cl, secret, _, err := svc.Bootstrap(ctx)
	must(err)
	authn, err := auth.NewAuthenticator(ctx, st, auth.Options{TokenLifetime: tokenLifetime})
	must(err)
	h := server.New(server.Config{}, slog.New(slog.NewTextHandler(io.Discard, nil)), st,
		func(r server.Router) { auth.Routes(r, authn) },
		func(r server.Router) { admin.Routes(r, server.Deps{Service: svc, Authn: authn}) },
	)
	srv := httptest.NewServer(h)
	return &testServer{URL: srv.URL, ClientID: cl.ClientID, ClientSecret: secret.Reveal(), svc: svc, close: func() {
		srv.Close()
		st.Close()
		os.RemoveAll(dir)
	}}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}
