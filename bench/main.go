// Command bench is userd's benchmark suite, run as `go run ./bench`. It
// builds userd and a bare net/http "ceiling" server, seeds a database with N
// users through the service's bulk import, starts `userd serve` as a
// separate process on loopback, drives every read and write path from this
// process with a Go load generator (keep-alive connections, random users, a
// warm-up then a measured run), measures the ceiling under the same load,
// and prints one table. docs/benchmarks.md explains the figures.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	_, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is every setting of one benchmark run.
type config struct {
	users    int
	db       string
	conns    int
	duration time.Duration
	warmup   time.Duration
	batch    int
	paths    string
	// pathConns is -path-conns: paths to run again at another number of
	// connections.
	pathConns string
	out       string
	userd     string
	logLevel  string
	reuse     bool
	delivery  int
	outage    time.Duration
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	f := flag.NewFlagSet("bench", flag.ContinueOnError)
	f.SetOutput(stderr)
	f.IntVar(&c.users, "users", 1_000_000, "number of users to seed")
	f.StringVar(&c.db, "db", "sqlite", `"sqlite" (a temporary file), "sqlite:PATH" (a file that is kept), or a postgres:// URL (a fresh database is created on that server and dropped afterwards; with -reuse, the URL's own database, kept)`)
	f.BoolVar(&c.reuse, "reuse", false, `run on the database -db names as it is, seeding only when it holds no tenant "bench" yet (needs -db sqlite:PATH or a postgres:// URL; the database is kept)`)
	f.IntVar(&c.conns, "conns", 64, "concurrent keep-alive connections")
	f.DurationVar(&c.duration, "duration", 10*time.Second, "measured run per path")
	f.DurationVar(&c.warmup, "warmup", 2*time.Second, "warm-up per path before measuring (when not set: 2s, or a fifth of -duration if that is shorter)")
	f.IntVar(&c.batch, "batch", 5000, "users per bulk-import transaction while seeding")
	f.StringVar(&c.paths, "paths", "", "comma-separated path names to run (default: all); see the table for names")
	f.StringVar(&c.pathConns, "path-conns", defaultPathConns, `comma-separated path=N: after its run at -conns, run path again at N connections, as a row named path@N ("" for none)`)
	f.StringVar(&c.out, "out", "bench/out", `directory for the JSON report ("" for none)`)
	f.StringVar(&c.userd, "userd", "", "a userd binary to run instead of building one from this tree")
	f.StringVar(&c.logLevel, "log-level", "info", "--log-level of userd serve (info logs one access line per request, as in production)")
	f.IntVar(&c.delivery, "delivery", 0, "after the paths, write this many changes/s for -duration with a webhook subscription to a receiver in the bench and a long-polling feed reader, and report their latencies (0: skip; -paths none runs only this)")
	f.DurationVar(&c.outage, "outage", 0, "with -delivery: the receiver answers 503 for this long in the middle of the writes; userd retries with --webhook-backoff-max of a twelfth of it, as 5 min is to an hour")
	f.Usage = func() {
		fmt.Fprintln(stderr, "Usage: go run ./bench [flags]\n\nSeeds userd, serves it, loads every API path and prints a table (docs/benchmarks.md).\n\nFlags:")
		f.PrintDefaults()
	}
	if err := f.Parse(args); err != nil {
		return c, err
	}
	warmupSet := false
	f.Visit(func(fl *flag.Flag) { warmupSet = warmupSet || fl.Name == "warmup" })
	if !warmupSet {
		c.warmup = min(c.warmup, c.duration/5)
	}
	switch {
	case f.NArg() > 0:
		return c, fmt.Errorf("unexpected argument %q; every setting is a flag (-h lists them)", f.Arg(0))
	case c.users < 1:
		return c, errors.New("-users must be at least 1")
	case c.conns < 1:
		return c, errors.New("-conns must be at least 1")
	case c.duration <= 0 || c.warmup < 0:
		return c, errors.New("-duration must be positive and -warmup not negative")
	case c.batch < 1:
		return c, errors.New("-batch must be at least 1")
	case c.db != "sqlite" && !strings.HasPrefix(c.db, "sqlite:") && !strings.HasPrefix(c.db, "postgres://") && !strings.HasPrefix(c.db, "postgresql://"):
		return c, fmt.Errorf(`-db must be "sqlite", "sqlite:PATH" or a postgres:// URL, not %q`, c.db)
	case c.delivery < 0 || c.outage < 0 || c.outage > 0 && (c.delivery == 0 || c.outage >= c.duration):
		return c, errors.New("-delivery must not be negative, and -outage needs -delivery and must be shorter than -duration")
	case c.reuse && c.db == "sqlite":
		return c, errors.New(`-reuse needs a database that outlives the run: -db sqlite:PATH or a postgres:// URL`)
	}
	return c, nil
}

// run performs one benchmark run and returns its report, which it has
// also printed to stdout.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) (*report, error) {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "bench: "+format+"\n", args...) }
	tmp, err := os.MkdirTemp("", "userd-bench-")
	if err != nil {
		return nil, fmt.Errorf("make a temporary directory: %w", err)
	}
	defer os.RemoveAll(tmp)

	bins, err := build(ctx, tmp, cfg.userd)
	if err != nil {
		return nil, err
	}
	dbURL, dropDB, err := prepareDB(ctx, cfg.db, tmp, cfg.reuse)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err := dropDB(); err != nil {
			logf("%v", err)
		}
	}()

	logf("seeding %d users into %s", cfg.users, engineName(dbURL))
	sd, err := seed(ctx, dbURL, cfg.users, cfg.batch, cfg.reuse)
	if err != nil {
		return nil, err
	}
	if sd.reused {
		logf("reused the %d users already seeded", cfg.users)
	} else {
		logf("seeded in %s (%.0f users/s)", sd.elapsed.Round(time.Millisecond), float64(cfg.users)/sd.elapsed.Seconds())
	}
	if err := analyze(ctx, dbURL); err != nil {
		return nil, err
	}

	rep := &report{
		Engine: engineName(dbURL), Users: cfg.users, Conns: cfg.conns,
		Duration: cfg.duration.String(), Warmup: cfg.warmup.String(),
		Seeding: sd.elapsed, Started: time.Now().UTC(),
	}
	ceiling, err := startCeiling(ctx, bins.ceiling, tmp, dbURL, sd.tenantID)
	if err != nil {
		return nil, err
	}
	defer ceiling.stop()
	srv, err := startUserd(ctx, bins.userd, dbURL, tmp, cfg.logLevel, cfg.serveFlags()...)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	rep.Startup = srv.startup
	logf("userd ready in %s", srv.startup.Round(time.Millisecond))

	creds, err := grantToken(ctx, srv.addr, sd)
	if err != nil {
		return nil, err
	}
	cookie, err := consoleSession(ctx, srv.addr)
	if err != nil {
		return nil, err
	}
	targets := paths(ceiling.addr, srv.addr, engineName(dbURL), sd, creds, cookie)
	wanted, err := selectPaths(targets, cfg.paths)
	if err != nil {
		return nil, err
	}
	pathConns, err := parsePathConns(cfg.pathConns, targets)
	if err != nil {
		return nil, err
	}
	for _, t := range targets {
		if !wanted[t.name] {
			continue
		}
		if t.unavailable != "" {
			logf("%s: skipped: %s", t.name, t.unavailable)
			continue
		}
		p := srv
		if t.ceiling {
			p = ceiling
		}
		runs := []int{cfg.conns}
		if n, ok := pathConns[t.name]; ok && n != cfg.conns {
			runs = append(runs, n)
		}
		for _, conns := range runs {
			logf("%s: %s warm-up, %s measured, %d connections", t.name, cfg.warmup, cfg.duration, conns)
			res, err := drive(ctx, p.addr, t, conns, cfg.warmup, cfg.duration, watched{server: p.cmd.Process.Pid, postgres: rep.Engine == "postgres"})
			if err != nil {
				return nil, err
			}
			res.Path, res.Conns = rowName(t.name, conns, cfg.conns), conns
			if res.FirstError != "" {
				logf("%s: %d errors; first: %s", res.Path, res.Errors, res.FirstError)
			}
			rep.Rows = append(rep.Rows, res)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
	}
	if cfg.delivery > 0 {
		logf("delivery: %d changes/s for %s, %d connections", cfg.delivery, cfg.duration, cfg.conns)
		if rep.Delivery, err = runDelivery(ctx, srv.addr, dbURL, creds, sd.tenantID, sd.ids, cfg.delivery, cfg.conns, cfg.duration, cfg.outage, logf); err != nil {
			return nil, err
		}
	}
	rep.Load = loadAverage()
	rep.compare()
	rep.print(stdout)
	if cfg.out != "" {
		path, err := rep.save(cfg.out)
		if err != nil {
			return nil, err
		}
		logf("wrote %s", path)
	}
	return rep, nil
}

// serveFlags are the flags userd serve needs for this run beyond the
// database and address.
func (c config) serveFlags() []string {
	if c.delivery == 0 {
		return nil
	}
	flags := []string{"--webhook-allow-private"}
	if c.outage > 0 {
		flags = append(flags, "--webhook-backoff-max", max(c.outage/12, time.Second).String())
	}
	return flags
}

// selectPaths returns the names chosen by -paths, all when it is empty,
// none for "none".
func selectPaths(targets []target, list string) (map[string]bool, error) {
	wanted := map[string]bool{}
	known := map[string]bool{}
	for _, t := range targets {
		known[t.name] = true
		wanted[t.name] = list == ""
	}
	if list == "" || list == "none" {
		return wanted, nil
	}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		if !known[name] {
			names := make([]string, len(targets))
			for i, t := range targets {
				names[i] = t.name
			}
			return nil, fmt.Errorf("-paths: unknown path %q; known: %s", name, strings.Join(names, ", "))
		}
		wanted[name] = true
	}
	return wanted, nil
}
