package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/postgres"
)

// binaries are the programs a run starts.
type binaries struct {
	userd, ceiling string
}

// build compiles userd (unless prebuilt names a binary to use instead) and
// the ceiling server into dir, from the module this package belongs to.
func build(ctx context.Context, dir, prebuilt string) (binaries, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return binaries{}, fmt.Errorf("find the module root with go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return binaries{}, errors.New("run the benchmark inside the userd module (go run ./bench from the repository root)")
	}
	pkgs := []string{"./bench/ceiling"}
	bins := binaries{userd: prebuilt, ceiling: filepath.Join(dir, "ceiling")}
	if prebuilt == "" {
		pkgs = append(pkgs, "./cmd/userd")
		bins.userd = filepath.Join(dir, "userd")
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"build", "-o", dir + string(filepath.Separator)}, pkgs...)...)
	cmd.Dir = filepath.Dir(gomod)
	if out, err := cmd.CombinedOutput(); err != nil {
		return binaries{}, fmt.Errorf("go build %s: %w\n%s", strings.Join(pkgs, " "), err, out)
	}
	return bins, nil
}

// prepareDB returns the --db URL userd will use: a new SQLite file in dir,
// or a new database on the PostgreSQL server of db, which drop removes; a
// "sqlite:PATH" db, or any db with reuse, is used as it is and kept.
func prepareDB(ctx context.Context, db, dir string, reuse bool) (dbURL string, drop func() error, err error) {
	keep := func() error { return nil }
	switch {
	case db == "sqlite":
		return "sqlite:" + filepath.Join(dir, "bench.db"), keep, nil
	case strings.HasPrefix(db, "sqlite:"), reuse:
		return db, keep, nil
	}
	u, err := url.Parse(db)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	// Read as userd's store reads it, which takes out the parameters
	// that are userd's (pool_max_conns, pool_max_heavy_reads, ...).
	cfg, err := postgres.PoolConfig(db)
	if err != nil {
		return "", nil, fmt.Errorf("-db: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return "", nil, fmt.Errorf("connect to the -db PostgreSQL server: %w", err)
	}
	defer conn.Close(ctx)
	name := fmt.Sprintf("userd_bench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w", name, err)
	}
	drop = func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
		if err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			return fmt.Errorf("drop database %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// analyze has PostgreSQL gather the statistics of the seeded tables, as
// autovacuum does within a minute or so of a bulk import: without them the
// planner guesses, and the first minute after seeding is not what a
// running installation sees. SQLite needs nothing.
func analyze(ctx context.Context, dbURL string) error {
	if engineName(dbURL) != "postgres" {
		return nil
	}
	cfg, err := postgres.PoolConfig(dbURL)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg.ConnConfig)
	if err != nil {
		return fmt.Errorf("connect to analyze the seeded database: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("analyze the seeded database: %w", err)
	}
	return nil
}

// engineName is "sqlite" or "postgres" for a --db URL.
func engineName(dbURL string) string {
	if strings.HasPrefix(dbURL, "sqlite:") {
		return "sqlite"
	}
	return "postgres"
}

// proc is a server process the benchmark started.
type proc struct {
	cmd     *exec.Cmd
	addr    string
	log     string
	startup time.Duration // from exec to the first successful readiness probe
	done    chan error
}

// startUserd runs `userd serve` on a free loopback port and waits for /readyz.
func startUserd(ctx context.Context, bin, dbURL, dir, logLevel string, flags ...string) (*proc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	return start(ctx, filepath.Join(dir, "userd.log"), "/readyz", addr, bin,
		append([]string{"serve", "--addr", addr, "--db", dbURL, "--log-format", "json", "--log-level", logLevel}, flags...)...)
}

// startCeiling runs the ceiling server on a free loopback port, with its
// database yardsticks on dbURL, the seeded tenant's.
func startCeiling(ctx context.Context, bin, dir, dbURL string, tenantID int64) (*proc, error) {
	addr, err := freePort()
	if err != nil {
		return nil, err
	}
	return start(ctx, filepath.Join(dir, "ceiling.log"), "/users/1", addr, bin,
		"-addr", addr, "-db", dbURL, "-tenant", strconv.FormatInt(tenantID, 10))
}

// start runs bin with args, its output in logPath, and polls probe until it
// answers 200. The process sees no USERD_* variables, so only its flags
// configure it.
func start(ctx context.Context, logPath, probe, addr, bin string, args ...string) (*proc, error) {
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", logPath, err)
	}
	defer logFile.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "USERD_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	p := &proc{cmd: cmd, addr: addr, log: logPath, done: make(chan error, 1)}
	began := time.Now()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { p.done <- cmd.Wait() }()

	client := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := began.Add(60 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + probe)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.startup = time.Since(began)
				return p, nil
			}
		}
		select {
		case err := <-p.done:
			return nil, fmt.Errorf("%s exited before it was ready (%v); its log:\n%s", filepath.Base(bin), err, tail(logPath))
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after 60 s; its log:\n%s", filepath.Base(bin), tail(logPath))
		}
	}
}

// stop sends SIGTERM and waits for the process, killing it after 15 s.
func (p *proc) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tail returns the last lines of a log file, for error messages.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > 20 {
		lines = lines[len(lines)-20:]
	}
	return strings.Join(lines, "\n")
}

// freePort returns a loopback address nobody listens on right now.
func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// anonRSS returns the anonymous resident memory of process pid (RssAnon:
// its heap, stacks and other private pages), in bytes. It leaves out the
// pages of files the process maps, its binary and SQLite's database file,
// which are the kernel's page cache: VmRSS counts a mapped page once per
// mapping that touched it, so a server whose five SQLite connections map
// an 811 MB file shows 1.7 GB of VmRSS it could give back at any time.
func anonRSS(pid int) (int64, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, fmt.Errorf("read the server's memory use: %w (the benchmark needs Linux /proc)", err)
	}
	n, err := statusKB(b, "RssAnon")
	if err != nil {
		return 0, fmt.Errorf("/proc/%d/status: %w", pid, err)
	}
	return n, nil
}

// statusKB returns, in bytes, the field of a /proc/PID/status file given in
// kB.
func statusKB(status []byte, field string) (int64, error) {
	for line := range bytes.SplitSeq(status, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte(field+":")); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(string(v)), " kB"), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("parse %s %q: %w", field, v, err)
			}
			return kb << 10, nil
		}
	}
	return 0, fmt.Errorf("no %s", field)
}

// loadAverage returns the 1, 5 and 15 minute load averages, as /proc/loadavg
// writes them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
