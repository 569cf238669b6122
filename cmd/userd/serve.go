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

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/metrics"
	"github.com/userd/userd/internal/readafter"
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
	readBodyTimeout   time.Duration
	maxConnections    int
	writeTimeout      time.Duration
	idleTimeout       time.Duration
	shutdownTimeout   time.Duration
	requestTimeout    time.Duration
	maxBodyBytes      int64
	metricsAddr       string
	pprofAddr         string
	tls               tlsConfig
	authFailures      authFailureConfig
	oneAccess         oneAccessConfig
	credentials       directory.CredentialLimits
	heavyReads        admission.Limits
	signIn            directory.SignInLimits
	logFormat         string
	logLevel          string
	changeLog         changeLogConfig
	delivery          deliveryConfig
}

func (s *serveConfig) define(c *commonFlags) {
	c.dbFlag()
	c.replicaFlag()
	c.syncFlag()
	c.argon2Flags()
	f := c.flags
	f.StringVar(&s.addr, "addr", "127.0.0.1:8080", "`HOST:PORT` to listen on; 0.0.0.0:PORT for every interface")
	f.BoolVar(&s.noMigrate, "no-migrate", false, "do not apply migrations at start")
	f.StringVar(&s.timezone, "timezone", "UTC", "IANA time zone of the tenant v2 API's times")
	f.DurationVar(&s.tokenTTL, "token-ttl", 30*time.Minute, "lifetime of access tokens")
	f.DurationVar(&s.readHeaderTimeout, "read-header-timeout", 5*time.Second, "time allowed to read request headers")
	f.DurationVar(&s.readTimeout, "read-timeout", 30*time.Second, "time allowed to read a whole request")
	f.DurationVar(&s.readBodyTimeout, "read-body-timeout", server.DefaultBodyReadTimeout, "time allowed to read a request body once its header is read")
	f.IntVar(&s.maxConnections, "max-connections", server.DefaultMaxConnections, "most client connections open at once; more wait until one closes (put a proxy in front for the internet)")
	f.DurationVar(&s.writeTimeout, "write-timeout", 30*time.Second, "time allowed to write a response")
	f.DurationVar(&s.idleTimeout, "idle-timeout", 120*time.Second, "how long an idle keep-alive connection stays open")
	f.DurationVar(&s.shutdownTimeout, "shutdown-timeout", 15*time.Second, "how long SIGTERM waits for requests in flight")
	f.DurationVar(&s.requestTimeout, "request-timeout", server.DefaultRequestTimeout, "longest time a request may take; past it the database work stops and the API answers 503")
	f.Int64Var(&s.maxBodyBytes, "max-body-bytes", server.DefaultMaxBodyBytes, "largest request body accepted, in bytes")
	f.StringVar(&s.metricsAddr, "metrics-addr", "off", "where GET /metrics is served: off, a `HOST:PORT` for a listener of its own (keep it loopback or private; not --addr's), or api for --addr too")
	s.tls.define(f)
	s.authFailures.define(f)
	defineSignIn(f, &s.signIn)
	s.oneAccess.define(f)
	f.IntVar(&s.credentials.MaxClients, "max-clients", directory.DefaultMaxClients, "most API clients a tenant may have, disabled ones included (0: no limit)")
	f.IntVar(&s.credentials.MaxTokens, "max-tokens", directory.DefaultMaxTokens, "most usable API tokens a tenant may have (0: no limit)")
	f.IntVar(&s.heavyReads.Total, "max-heavy-read-items", admission.DefaultTotal, "most items (users, orgs, ...) the list and batch answers in flight on this node may hold, counting each at its page size or number of ids; past it they answer 503 (0: no limit)")
	f.IntVar(&s.heavyReads.PerPrincipal, "max-heavy-read-items-per-credential", admission.DefaultPerPrincipal, "most items the list and batch answers in flight to one credential of one tenant may hold; past it they answer 429 (0: no limit)")
	f.StringVar(&s.pprofAddr, "pprof-addr", "", "a loopback `HOST:PORT` serving Go's runtime profiles at /debug/pprof/ (CPU, heap, goroutines), for diagnosing this node's performance; empty: off")
	f.StringVar(&s.logFormat, "log-format", "auto", "log format: auto (text on a terminal, else JSON), json or text")
	f.StringVar(&s.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	s.changeLog.define(f)
	s.delivery.define(f)
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
	if err := cfg.changeLog.check(); err != nil {
		return err
	}
	if cfg.metricsAddr != "" && cfg.metricsAddr == cfg.addr {
		return usageError(fmt.Sprintf("--metrics-addr %s is --addr too: set --metrics-addr (USERD_METRICS_ADDR) to api to serve /metrics on --addr, or give it an address of its own", cfg.metricsAddr))
	}
	if err := checkPprofAddr(cfg.pprofAddr); err != nil {
		return err
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
	gogc, memLimit := setGCDefaults(getenv)

	c.serverLock = true
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
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
	svc.SetCredentialLimits(cfg.credentials)
	svc.SetChangePoll(cfg.changeLog.poll)
	svc.SetSignInLimits(cfg.signIn)

	ln, base, err := cfg.tls.listen(ctx, cfg.addr, cfg.maxConnections, logger)
	if err != nil {
		return err
	}
	if cfg.metricsAddr != "" && cfg.metricsAddr != "off" && cfg.metricsAddr != metricsOnAPI {
		stopMetrics, err := serveMetrics(cfg.metricsAddr, m.Handler(), logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopMetrics(context.Background())
	}
	if cfg.pprofAddr != "" {
		stopPprof, err := servePprof(cfg.pprofAddr, logger)
		if err != nil {
			ln.Close()
			return err
		}
		defer stopPprof(context.Background())
	}
	var authn *auth.Authenticator
	var boot *bootstrapped
	var waitDelivery func()
	defer func() {
		if waitDelivery != nil {
			waitDelivery() // delivery stops before the store closes
		}
	}()
	starting := &server.Starting{}
	prepare := func(ctx context.Context) error {
		if !cfg.noMigrate {
			if err := st.Migrate(ctx); err != nil {
				return fmt.Errorf("migrate %s: %w (fix the database, or start with --no-migrate if it is migrated separately)", redactURL(c.db), err)
			}
		}
		if err := c.checkSchema(ctx, st); err != nil {
			return err
		}
		if err := warnAutovacuumOff(ctx, logger, st, redactURL(c.db)); err != nil {
			return err
		}
		cl, secret, created, err := svc.Bootstrap(ctx)
		if err != nil {
			return fmt.Errorf("bootstrap the empty database: %w", err)
		}
		if created { // kept until printed, should a later step need a retry
			boot = &bootstrapped{cl, secret}
		}
		var handler http.Handler
		handler, authn, err = newHandler(ctx, cfg, loc, logger, watched, svc, m, tr)
		if err != nil {
			return err
		}
		if waitDelivery == nil {
			if waitDelivery, err = cfg.delivery.start(ctx, logger, svc); err != nil {
				return err
			}
		}
		starting.Ready(handler)
		if boot != nil {
			printBootstrap(std.stdout, base, boot.client, boot.secret)
		}
		if err := printSetupLink(ctx, std.stdout, base, svc); err != nil {
			logger.Warn("could not make the first-administrator link; create one with userd user create --role admin", "err", err)
		}
		return nil
	}
	defer func() {
		if authn != nil {
			// Runs before the store's Close, deferred earlier: the failed
			// authentications still being recorded reach the audit log.
			authn.Close()
		}
	}()
	// A node whose database cannot be reached yet (PostgreSQL down) still
	// starts: it serves /healthz, answers 503 elsewhere, and keeps trying.
	// Anything a retry cannot fix stops it at once.
	notReady := prepare(ctx)
	if notReady != nil && directory.KindOf(notReady) != directory.Unavailable {
		ln.Close()
		return notReady
	}
	srv := &http.Server{
		Handler:           tr.Handler(readafter.Middleware(starting)),
		ConnContext:       server.ConnContext,
		ReadHeaderTimeout: cfg.readHeaderTimeout,
		ReadTimeout:       cfg.readTimeout,
		WriteTimeout:      cfg.writeTimeout,
		IdleTimeout:       cfg.idleTimeout,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          serverErrorLog(logger, m.TLSHandshakeFailed),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	logger.Info("userd is listening", "url", base, "db", redactURL(c.db), "gogc", gogc, "gomemlimit", memLimit)

	ready := notReady == nil
	if !ready {
		var err error
		if ready, err = untilStoreReady(ctx, logger, redactURL(c.db), errc, notReady, prepare); err != nil {
			_ = srv.Close()
			return err
		}
		if ready {
			logger.Info("userd is ready", "db", redactURL(c.db))
		}
	}
	if ready {
		defer cfg.changeLog.startPruning(ctx, svc, logger)()
		select {
		case err := <-errc:
			return fmt.Errorf("serve: %w", err)
		case <-ctx.Done():
		}
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

// warnAutovacuumOff logs a warning when st is a database whose server runs
// without autovacuum (PostgreSQL's), which the change log needs.
func warnAutovacuumOff(ctx context.Context, logger *slog.Logger, st store, db string) error {
	pg, ok := st.(interface {
		Autovacuum(context.Context) (bool, error)
	})
	if !ok {
		return nil
	}
	on, err := pg.Autovacuum(ctx)
	if err != nil || on {
		return err
	}
	logger.Warn("the database runs with autovacuum off, so the rows the change log numbers are never reclaimed and reads at its end slow down as they pile up; turn autovacuum on (PostgreSQL's default) or VACUUM change_queue every few minutes (docs/operations.md)", "db", db)
	return nil
}

// untilStoreReady runs prepare, which failed with failure, again until it
// succeeds (true), ctx ends (false), or it fails in a way a retry cannot fix
// (that error). While the database is unavailable, as when PostgreSQL is
// down, it logs why and waits: half a second at first, doubling up to 5 s.
// It also returns the error of the server, errc, if that stops meanwhile.
func untilStoreReady(ctx context.Context, logger *slog.Logger, db string, errc <-chan error, failure error, prepare func(context.Context) error) (bool, error) {
	for wait := 500 * time.Millisecond; ; wait = min(2*wait, 5*time.Second) {
		logger.Warn("the database is not ready; /readyz answers 503 and userd keeps trying", "db", db, "retry_in", wait, "err", failure)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return false, nil
		case err := <-errc:
			return false, fmt.Errorf("serve: %w", err)
		}
		failure = prepare(ctx)
		switch {
		case failure == nil:
			return true, nil
		case ctx.Err() != nil:
			return false, nil
		case directory.KindOf(failure) != directory.Unavailable:
			return false, failure
		}
	}
}

// bootstrapped is the admin client made for a new installation, with its
// secret.
type bootstrapped struct {
	client directory.Client
	secret directory.Secret
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
	return slog.New(server.JSONLogHandler(w, opts)), nil
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
	f.IntVar(&a.auditPerMinute, "audit-failures-per-minute", auth.DefaultAuditFailuresPerMinute, "most failed authentications written to one tenant's audit log per minute per node; the rest are counted (negative: none)")
}
