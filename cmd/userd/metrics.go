package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"
)

// dialects names the API each route path prefix belongs to, for the
// dialect label of the request metrics. The first match wins, so the token
// endpoint's OneAccess path comes before the tenant v2 API it shares a
// prefix with.
var dialects = []struct{ prefix, name string }{
	{"/oauth/token", "token"},
	{"/api/v2/tenant/token", "token"},
	{"/admin/", "admin"},
	{"/openapi/v1/", "openapiv1"},
	{"/api/v2/tenant/", "tenantv2"},
	{"/v1/api/user/", "userinfov1"},
	{"/scim/", "scim"},
}

// metricsOnAPI is the --metrics-addr that serves GET /metrics on --addr,
// next to the APIs. It must be asked for: metrics name every route and
// count every failure, which is no business of an API's callers.
const metricsOnAPI = "api"

// dialectOf returns the API a route path belongs to, or "userd" for the
// server's own endpoints (/healthz, /readyz, /metrics, ...).
func dialectOf(route string) string {
	for _, d := range dialects {
		if strings.HasPrefix(route, d.prefix) {
			return d.name
		}
	}
	return "userd"
}

// serveMetrics serves h at GET /metrics on its own listener at addr, for
// deployments that keep metrics off the public address. The returned stop
// shuts it down.
func serveMetrics(addr string, h http.Handler, logger *slog.Logger) (stop func(context.Context) error, err error) {
	ln, err := listenTCP(addr, "--metrics-addr", "USERD_METRICS_ADDR")
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", h)
	return serveSide(ln, mux, logger, "metrics", "/metrics"), nil
}

// serveSide serves mux on ln, a listener of its own beside the API's, and
// logs where, under what (e.g. "metrics") at path; an error that stops it
// is logged too. The returned stop shuts it down.
func serveSide(ln net.Listener, mux *http.ServeMux, logger *slog.Logger, what, path string) (stop func(context.Context) error) {
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error(what+" listener stopped", "err", err)
		}
	}()
	logger.Info(what+" are served", "url", "http://"+ln.Addr().String()+path)
	return srv.Shutdown
}
