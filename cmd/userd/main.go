// Command userd is a self-hosted, multi-tenant user directory: one binary
// that serves the native admin API, the token endpoint and three existing
// user-information API dialects over one store (SQLite or PostgreSQL), and
// administers that store from the command line.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
	"github.com/userd/userd/internal/sqlite"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return // the help the user asked for is printed
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "userd:", err)
		os.Exit(exitCode(err))
	}
}

// exitCode is 2 for usage errors and 1 for everything else.
func exitCode(err error) int {
	var u usageError
	if errors.As(err, &u) {
		return 2
	}
	return 1
}

// usageError is a mistake in the command line.
type usageError string

func (e usageError) Error() string { return string(e) }

// env is how commands read USERD_* variables (os.Getenv in main, a map in tests).
type env func(string) string

// streams are the standard streams a command talks to.
type streams struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

const usage = `userd is a self-hosted, multi-tenant user directory.

Usage: userd <command> [flags]

Commands:
  serve      run the HTTP server (applies migrations first unless --no-migrate)
  migrate    apply the database migrations and exit
  tenant     create or list tenants
  client     create, list, disable or enable API clients (client-credentials grant)
  token      create, list or revoke API tokens
  user       create, import or export users
  audit      print a tenant's latest audit events (audit tail), or follow them
  version    print the version

Every command takes --db URL (env USERD_DB, default sqlite:userd.db), where URL
is sqlite:PATH or postgres://... Admin commands take -o json to print exactly
one JSON object on stdout. Run "userd <command> -h" for a command's flags.
`

// run is the whole program: main only supplies the process's arguments,
// environment and streams, so tests can run userd in-process.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	std := streams{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError("no command given")
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, getenv, std)
	case "migrate":
		return runMigrate(ctx, rest, getenv, std)
	case "tenant":
		return runTenant(ctx, rest, getenv, std)
	case "client":
		return runClient(ctx, rest, getenv, std)
	case "token":
		return runToken(ctx, rest, getenv, std)
	case "user":
		return runUser(ctx, rest, getenv, std)
	case "audit":
		return runAudit(ctx, rest, getenv, std)
	case "version":
		return runVersion(std)
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

// subcommand splits "tenant create ..." into "create" and its arguments.
func subcommand(name string, args []string, known ...string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, usageError(fmt.Sprintf("%s needs a subcommand: %s", name, strings.Join(known, ", ")))
	}
	for _, k := range known {
		if args[0] == k {
			return k, args[1:], nil
		}
	}
	return "", nil, usageError(fmt.Sprintf("unknown %s subcommand %q; known: %s", name, args[0], strings.Join(known, ", ")))
}

// commonFlags are the flags every command that opens the store takes, and
// the flag set the command adds its own to.
type commonFlags struct {
	db         string
	output     string
	syncMode   string
	argon2     auth.HashParams
	flags      *flag.FlagSet
	getenv     env
	envs       map[string]string // flag name -> USERD_* variable
	positional []string
}

// newFlags returns a flag set for command name with --db and -o defined.
func newFlags(name string, getenv env, std streams) *commonFlags {
	c := &commonFlags{flags: flag.NewFlagSet(name, flag.ContinueOnError), getenv: getenv, envs: map[string]string{}}
	c.flags.SetOutput(std.stderr)
	c.flags.StringVar(&c.db, "db", "sqlite:userd.db", "database URL: sqlite:PATH or postgres://...")
	c.fromEnv("db", "USERD_DB")
	c.flags.StringVar(&c.syncMode, "sqlite-synchronous", "FULL", "SQLite synchronous mode: FULL (an acknowledged write survives power loss) or NORMAL (faster; a power loss may lose the last acknowledged writes)")
	c.fromEnv("sqlite-synchronous", "USERD_SQLITE_SYNCHRONOUS")
	c.flags.StringVar(&c.output, "o", "", `output format: "" for people, "json" for exactly one JSON object`)
	floor := auth.MinHashParams
	c.flags.Func("argon2-memory", fmt.Sprintf("argon2id memory cost of new password hashes, in KiB (at least %d)", floor.Memory), uintFlag(&c.argon2.Memory, floor.Memory))
	c.flags.Func("argon2-time", fmt.Sprintf("argon2id passes of new password hashes (at least %d)", floor.Time), uintFlag(&c.argon2.Time, floor.Time))
	c.fromEnv("argon2-memory", "USERD_ARGON2_MEMORY")
	c.fromEnv("argon2-time", "USERD_ARGON2_TIME")
	c.argon2 = floor
	return c
}

// uintFlag parses a flag value into *dst, refusing values below floor.
func uintFlag(dst *uint32, floor uint32) func(string) error {
	return func(v string) error {
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil || uint32(n) < floor {
			return fmt.Errorf("must be a whole number of at least %d", floor)
		}
		*dst = uint32(n)
		return nil
	}
}

// service returns the domain service over st, hashing new passwords with
// the configured argon2id parameters.
func (c *commonFlags) service(st directory.Store) (*directory.Service, error) {
	h, err := auth.NewHasher(c.argon2, 0)
	if err != nil {
		return nil, err
	}
	return directory.NewService(st, h), nil
}

// open opens the store, checks its schema is current, and builds the
// service over it; the caller closes the store.
func (c *commonFlags) open(ctx context.Context) (store, *directory.Service, error) {
	st, err := c.openStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := c.checkSchema(ctx, st); err != nil {
		st.Close()
		return nil, nil, err
	}
	svc, err := c.service(st)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, svc, nil
}

// openTenant is open for a command acting in one tenant, given by id or
// name: it returns an all-scopes principal in that tenant.
func (c *commonFlags) openTenant(ctx context.Context, tenant string) (store, *directory.Service, directory.Principal, error) {
	if tenant == "" {
		return nil, nil, directory.Principal{}, usageError("--tenant is required (a tenant id or name; see userd tenant list)")
	}
	st, svc, err := c.open(ctx)
	if err != nil {
		return nil, nil, directory.Principal{}, err
	}
	tid, err := tenantID(ctx, st, tenant)
	if err != nil {
		st.Close()
		return nil, nil, directory.Principal{}, err
	}
	return st, svc, directory.System(tid), nil
}

// fromEnv lets environment variable name set flag, unless the command line
// sets it too, and says so in the flag's help.
func (c *commonFlags) fromEnv(flag, name string) {
	c.envs[flag] = name
	f := c.flags.Lookup(flag)
	f.Usage += " (env " + name + ")"
}

// parse applies the environment, then args, allowing flags after
// positional arguments. A malformed variable is an error, like a malformed flag.
func (c *commonFlags) parse(args []string) error {
	for flag, name := range c.envs {
		if v := c.getenv(name); v != "" {
			if err := c.flags.Set(flag, v); err != nil {
				return usageError(fmt.Sprintf("%s=%q: %v", name, v, err))
			}
		}
	}
	for {
		if err := c.flags.Parse(args); err != nil {
			return err
		}
		args = c.flags.Args()
		if len(args) == 0 {
			break
		}
		c.positional = append(c.positional, args[0])
		args = args[1:]
	}
	if c.output != "" && c.output != "json" {
		return usageError(fmt.Sprintf(`-o must be "json" or left out, not %q`, c.output))
	}
	return nil
}

// store is what the commands need of an engine: the Store contract and migrations.
type store interface {
	directory.Store
	Migrate(ctx context.Context) error
	SchemaVersion(ctx context.Context) (current, latest int64, err error)
}

// checkSchema returns an error saying what to do unless the database's
// schema is exactly the one this build knows.
func (c *commonFlags) checkSchema(ctx context.Context, st store) error {
	current, latest, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	switch {
	case current < latest:
		return fmt.Errorf("the database %s has schema version %d and this userd needs %d: run userd migrate --db %s first", redactURL(c.db), current, latest, redactURL(c.db))
	case current > latest:
		return fmt.Errorf("the database %s has schema version %d, newer than the %d this userd knows: upgrade userd", redactURL(c.db), current, latest)
	}
	return nil
}

// openStore opens the store named by the --db URL.
func (c *commonFlags) openStore(ctx context.Context) (store, error) {
	target, err := parseDB(c.db)
	if err != nil {
		return nil, err
	}
	if target.postgresURL != "" {
		return postgres.Open(ctx, target.postgresURL)
	}
	mode := strings.ToUpper(c.syncMode)
	if mode != "FULL" && mode != "NORMAL" {
		return nil, usageError(fmt.Sprintf("--sqlite-synchronous must be FULL or NORMAL, not %q", c.syncMode))
	}
	return sqlite.Open(ctx, target.sqlitePath, sqlite.Options{Synchronous: mode})
}

// redactURL hides a password in a database URL before it is printed.
func redactURL(s string) string {
	if i := strings.Index(s, "://"); i >= 0 {
		if at := strings.LastIndex(s, "@"); at > i {
			if colon := strings.Index(s[i+3:at], ":"); colon >= 0 {
				return s[:i+3+colon] + ":xxxxx" + s[at:]
			}
		}
	}
	return s
}

// tenantID resolves a --tenant value, an id or a tenant name, to an id.
func tenantID(ctx context.Context, st directory.Store, v string) (int64, error) {
	if id, err := strconv.ParseInt(v, 10, 64); err == nil {
		t, err := st.Tenant(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("tenant %d: %w", id, err)
		}
		return t.ID, nil
	}
	t, err := st.TenantByName(ctx, v)
	if err != nil {
		return 0, fmt.Errorf("tenant %q: %w", v, err)
	}
	return t.ID, nil
}

// print writes v as one JSON object when -o json was given, else calls human.
func (c *commonFlags) print(std streams, v any, human func(w io.Writer)) error {
	if c.output == "json" {
		return json.NewEncoder(std.stdout).Encode(v)
	}
	human(std.stdout)
	return nil
}
