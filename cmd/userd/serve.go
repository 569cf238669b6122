package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/metrics"
	"github.com/userd/userd/internal/server"
	"github.com/userd/userd/internal/tracing"
)

// serveConfig is every setting of userd serve, filled from flags and
// USERD_* environment variables.
type serveConfig struct {
	addr              string
	noMigrate         bool
	timezone          string
	tokenTTL          time.Duration
	readHeaderTimeout time.Duration
	readTimeout       time.Duration
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	requestTimeout    time.Duration
	maxBodyBytes      int64
	metricsAddr       string
	tls               tlsConfig
	authFailures      authFailureConfig
	logFormat         string
	logLevel          string
}

func (s *serveConfig) define(c *commonFlags) {
	c.dbFlag()
	c.syncFlag()
	c.argon2Flags()
	f := c.flags
	f.StringVar(&s.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; 0.0.0.0:PORT for every interface")
	f.BoolVar(&s.noMigrate, "no-migrate", false, "do not apply migrations at start")
	f.StringVar(&s.timezone, "timezone", "UTC", "IANA time zone of the tenant v2 API's times")
	f.DurationVar(&s.tokenTTL, "token-ttl", 30*time.Minute, "lifetime of access tokens")
	f.DurationVar(&s.readHeaderTimeout, "read-header-timeout", 5*time.Second, "time allowed to read request headers")
	f.DurationVar(&s.readTimeout, "read-timeout", 30*time.Second, "time allowed to read a whole request")
	f.DurationVar(&s.writeTimeout, "write-timeout", 30*time.Second, "time allowed to write a response")
	f.DurationVar(&s.idleTimeout, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	f.DurationVar(&s.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long SIGTERM waits for requests in flight")
	f.DurationVar(&s.requestTimeout, "request-timeout", server.DefaultRequestTimeout, "longest time a request may take; past it the database work stops and the API answers 503")
	f.Int64Var(&s.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest request body accepted, in bytes")
	f.StringVar(&s.metricsAddr, "metrics-addr", "", "where GET /metrics is served: left empty on --addr, a `HOST:PORT` of its own (not --addr's), or off")
	s.tls.define(f)
	s.authFailures.define(f)
	f.StringVar(&s.logFormat, "log-format", "auto", "log format: auto (text on a terminal, else JSON), json or text")
	f.StringVar(&s.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	f.VisitAll(func(fl *flag.Flag) {
		if _, ok := c.envs[fl.Name]; !ok {
			c.fromEnv(fl.Name, "USERD_"+strings.ToUpper(strings.ReplaceAll(fl.Name, "-", "_")))
		}
	})
}

func runServe(ctx context.Context, args []string, getenv env, std streams) error {
	c := newFlags("serve", getenv, std)
	var cfg serveConfig
	cfg.define(c)
	if err := c.parse(args); err != nil {
		return err
	}
	if err := c.args(0); err != nil {
		return err
	}
	if cfg.metricsAddr != "" && cfg.metricsAddr == cfg.addr {
		return usageError(fmt.Sprintf("--metrics-addr %s is --addr too: leave --metrics-addr (USERD_METRICS_ADDR) empty to serve /metrics on --addr, or give it an address of its own", cfg.metricsAddr))
	}
	loc, err := time.LoadLocation(cfg.timezone)
	if err != nil {
		return usageError(fmt.Sprintf("--timezone %q is not an IANA time zone such as UTC or Asia/Shanghai", cfg.timezone))
	}
	logOut := newLogWriter(std.stderr)
	defer logOut.Close()
	logger, err := newLogger(logOut, isTerminal(std.stderr), cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}

	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if !cfg.noMigrate {
		if err := st.Migrate(ctx); err != nil {
			return fmt.Errorf("migrate %s: %w (fix the database, or start with --no-migrate if it is migrated separately)", redactURL(c.db), err)
		}
	}
	if err := c.checkSchema(ctx, st); err != nil {
		return err
	}
	version, _, _ := buildInfo()
	tr, err := tracing.New(ctx, getenv, version)
	if err != nil {
		return err
	}
	// Deferred before the server starts, so it runs after it has stopped:
	// the spans of the last requests are sent.
	defer func() {
		fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := tr.Shutdown(fctx); err != nil {
			logger.Warn("could not send the last traces", "err", err)
		}
	}()
	m := metrics.New(dialectOf)
	watched := tr.WatchStore(m.WatchStore(st))
	hasher, err := auth.NewHasher(c.argon2, 0)
	if err != nil {
		return err
	}
	m.WatchHasher(hasher)
	svc := directory.NewService(watched, hasher)
	slog.SetDefault(logger)

	ln, base, err := cfg.tls.listen(ctx, cfg.addr, logger)
	if err != nil {
		return err
	}
	cl, secret, created, err := svc.Bootstrap(ctx)
	if err != nil {
		ln.Close()
		return fmt.Errorf("bootstrap the empty database: %w", err)
	}
	if created {
		printBootstrap(std.stdout, base, cl, secret)
	}

	handler, authn, err := newHandler(ctx, cfg, loc, logger, watched, svc, m, tr)
	if err != nil {
		ln.Close()
		return err
	}
	// Deferred after the store's Close, so it runs before it: the failed
	// authentications still being recorded reach the audit log.
	defer authn.Close()
	if cfg.metricsAddr != "" && cfg.metricsAddr != "off" {
		stopMetrics, err := serveMetrics(cfg.metricsAddr, m.Handler(), logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics(context.Background())
	}
	srv := &http.Server{
		Handler:           tr.Handler(server.WithDeadline(cfg.requestTimeout, handler)),
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("userd is listening", "url", base, "db", redactURL(c.db))

	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down; waiting for requests in flight", "timeout", cfg.shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), cfg.shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("stopped")
	return nil
}

// printBootstrap shows the credentials of the admin client made for a new
// installation. They go to stdout, never to the log.
func printBootstrap(w io.Writer, base string, cl directory.Client, secret directory.Secret) {
	fmt.Fprintf(w, `
userd created tenant %q and an admin client. The secret is shown only now:

  client_id:     %s
  client_secret: %s

Get an access token:

  curl -s %s/oauth/token -d grant_type=client_credentials -d client_id=%s -d client_secret=%s

`, directory.DefaultTenant, cl.ClientID, secret.Reveal(), base, cl.ClientID, secret.Reveal())
}

// newLogger returns the process logger writing to w: JSON unless format is
// text or (auto) terminal is true, every line carrying the request id.
func newLogger(w io.Writer, terminal bool, format, level string) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, usageError(fmt.Sprintf("--log-level must be debug, info, warn or error, not %q", level))
	}
	opts := &slog.HandlerOptions{Level: lvl}
	switch strings.ToLower(format) {
	case "json":
	case "text":
		return slog.New(server.LogHandler(slog.NewTextHandler(w, opts))), nil
	case "auto":
		if terminal {
			return slog.New(server.LogHandler(slog.NewTextHandler(w, opts))), nil
		}
	default:
		return nil, usageError(fmt.Sprintf("--log-format must be auto, json or text, not %q", format))
	}
	return slog.New(server.LogHandler(slog.NewJSONHandler(w, opts))), nil
}

// isTerminal reports whether w is a character device such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// authFailureConfig is the token endpoint's limits on failed client
// authentications (docs/api/token.md, "Failure limits").
type authFailureConfig struct {
	perClient      int
	perAddress     int
	window         time.Duration
	auditPerMinute int
}

func (a *authFailureConfig) define(f *flag.FlagSet) {
	f.IntVar(&a.perClient, "max-client-failures", auth.DefaultMaxClientFailures, "failed token requests allowed per client_id per --failure-window before 429 (negative: no limit)")
	f.IntVar(&a.perAddress, "max-address-failures", auth.DefaultMaxAddressFailures, "failed token requests allowed per source address per --failure-window before 429 (negative: no limit)")
	f.DurationVar(&a.window, "failure-window", auth.DefaultFailureWindow, "sliding window in which failed token requests are counted, per node")
	f.IntVar(&a.auditPerMinute, "audit-failures-per-minute", auth.DefaultAuditFailuresPerMinute, "most failed authentications written to the audit log per minute per node (negative: none)")
}
