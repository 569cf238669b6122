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
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
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
		fmt.Fprintln(os.Stderr, "userd:", errorText(err, os.Getenv("USERD_DEBUG") != ""))
		os.Exit(exitCode(err))
	}
}

// errorText is what userd prints for err: where a domain error is in its
// chain, the domain's field and message, as the APIs show them, in place of
// the cause it wraps (a driver's words: "UNIQUE constraint failed ...
// (2067)"). With debug the cause is kept.
func errorText(err error, debug bool) string {
	msg := err.Error()
	var de *directory.Error
	if debug || !errors.As(err, &de) || de.Err == nil {
		return msg
	}
	shown := de.Message
	if de.Field != "" {
		shown = de.Field + ": " + shown
	}
	if de.Kind == directory.Internal || de.Kind == directory.Unavailable {
		shown += " (set USERD_DEBUG=1 to see the cause)"
	}
	return strings.Replace(msg, de.Error(), shown, 1)
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

// run is the whole program: main only supplies the process's arguments,
// environment and streams, so tests can run userd in-process.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	std := streams{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printUsage(stderr)
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
		return runVersion(rest, getenv, std)
	case "help":
		if len(rest) > 0 && !isHelpArg(rest[0]) {
			// userd help tenant create is userd tenant create -h.
			return run(ctx, append(rest, "-h"), getenv, stdin, stdout, stderr)
		}
		printUsage(stdout)
		return flag.ErrHelp
	case "-h", "-help", "--help":
		printUsage(stdout)
		return flag.ErrHelp
	}
	printUsage(stderr)
	return usageError(fmt.Sprintf("unknown command %q", cmd))
}

// isHelpArg reports whether arg asks for help.
func isHelpArg(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// subcommand splits "tenant create ..." into "create" and its arguments. A
// request for help ("userd tenant -h") prints the group's help to stdout and
// returns flag.ErrHelp.
func subcommand(group string, args []string, std streams) (string, []string, error) {
	known := groups[group].subcommands
	if len(args) == 0 {
		printGroupHelp(std.stderr, group)
		return "", nil, usageError(fmt.Sprintf("%s needs a subcommand: %s", group, strings.Join(known, ", ")))
	}
	if isHelpArg(args[0]) {
		printGroupHelp(std.stdout, group)
		return "", nil, flag.ErrHelp
	}
	for _, k := range known {
		if args[0] == k {
			return k, args[1:], nil
		}
	}
	return "", nil, usageError(fmt.Sprintf("unknown %s subcommand %q; known: %s (userd %s -h says more)", group, args[0], strings.Join(known, ", "), group))
}

// commonFlags is a command's flag set and the settings most commands share;
// each command defines only the flags it uses (dbFlag, outputFlag, ...).
type commonFlags struct {
	name       string // "client disable"
	db         string
	replicas   []string // --db-replica (serve only)
	output     string
	syncMode   string
	tenant     string
	argon2     auth.HashParams
	flags      *flag.FlagSet
	getenv     env
	std        streams
	envs       map[string]string // flag name -> USERD_* variable
	positional []string
	// serverLock makes openStore take SQLite's one-server-per-file lock;
	// only serve sets it, so admin commands run beside the server.
	serverLock bool
}

// newFlags returns an empty flag set for command name ("client disable").
func newFlags(name string, getenv env, std streams) *commonFlags {
	c := &commonFlags{name: name, flags: flag.NewFlagSet(name, flag.ContinueOnError), getenv: getenv, std: std,
		envs: map[string]string{}, syncMode: "FULL", argon2: auth.MinHashParams}
	// parse reports errors and prints help itself.
	c.flags.SetOutput(io.Discard)
	c.flags.Usage = func() {}
	return c
}

// dbFlag defines --db.
func (c *commonFlags) dbFlag() {
	c.flags.StringVar(&c.db, "db", "sqlite:userd.db", "the database `URL`: sqlite:PATH or postgres://USER@HOST:5432/DATABASE (all forms below)")
	c.fromEnv("db", "USERD_DB")
}

// syncFlag defines --sqlite-synchronous, for commands that write.
func (c *commonFlags) syncFlag() {
	c.flags.StringVar(&c.syncMode, "sqlite-synchronous", "FULL", "SQLite synchronous `MODE`: FULL (an acknowledged write survives power loss) or NORMAL (faster; a power loss may lose the last acknowledged writes)")
	c.fromEnv("sqlite-synchronous", "USERD_SQLITE_SYNCHRONOUS")
}

// outputFlag defines -o, for commands whose output a script may read.
func (c *commonFlags) outputFlag() {
	c.flags.StringVar(&c.output, "o", "", "output `FORMAT`: left out for people, json for exactly one JSON object on stdout")
}

// argon2Flags defines the argon2id cost flags, for commands that hash passwords.
func (c *commonFlags) argon2Flags() {
	floor := auth.MinHashParams
	c.flags.Func("argon2-memory", fmt.Sprintf("argon2id memory cost of new password hashes, in `KiB` (default and least %d)", floor.Memory), uintFlag(&c.argon2.Memory, floor.Memory))
	c.flags.Func("argon2-time", fmt.Sprintf("argon2id `passes` of new password hashes (default and least %d)", floor.Time), uintFlag(&c.argon2.Time, floor.Time))
	c.fromEnv("argon2-memory", "USERD_ARGON2_MEMORY")
	c.fromEnv("argon2-time", "USERD_ARGON2_TIME")
}

// tenantFlag defines --tenant, for commands that act in one tenant.
func (c *commonFlags) tenantFlag() {
	c.flags.StringVar(&c.tenant, "tenant", "", "the `TENANT`, by name or id (userd tenant list shows both); may be left out while the database has only one tenant")
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

// open opens an existing store, checks its schema is current, and builds
// the service over it; the caller closes the store. Only serve and migrate
// create a database or its schema: on a new or mistyped --db, open changes
// nothing and names the command to run.
func (c *commonFlags) open(ctx context.Context) (store, *directory.Service, error) {
	target, err := parseDB(c.db)
	if err != nil {
		return nil, nil, err
	}
	if target.sqlitePath != "" {
		fi, err := os.Stat(target.sqlitePath)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return nil, nil, fmt.Errorf("no database at %s: %s", target.sqlitePath, c.createHint())
		case err != nil:
			return nil, nil, err
		case fi.IsDir():
			return nil, nil, fmt.Errorf("--db %s is a directory: name the database file in it, e.g. sqlite:%s", c.db, filepath.Join(target.sqlitePath, "userd.db"))
		case fi.Size() == 0:
			return nil, nil, fmt.Errorf("%s is an empty file, not a userd database yet: %s", target.sqlitePath, c.createHint())
		}
	}
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

// openTenant is open for a command acting in one tenant, the one --tenant
// names (or the only one): it returns an all-scopes principal in that tenant.
func (c *commonFlags) openTenant(ctx context.Context) (store, *directory.Service, directory.Principal, error) {
	st, svc, err := c.open(ctx)
	if err != nil {
		return nil, nil, directory.Principal{}, err
	}
	t, err := resolveTenant(ctx, st, c.tenant)
	if err != nil {
		st.Close()
		return nil, nil, directory.Principal{}, err
	}
	fmt.Fprintf(c.std.stderr, "tenant %q (id %d)\n", t.Name, t.ID)
	return st, svc, directory.System(t.ID), nil
}

// fromEnv lets environment variable name set flag, unless the command line
// sets it too; help names the variable.
func (c *commonFlags) fromEnv(flag, name string) {
	c.envs[flag] = name
}

// parse applies the environment, then args, allowing flags after
// positional arguments. A malformed variable is an error, like a malformed
// flag, unless the command line sets that flag too. -h or --help prints
// the command's help to stdout and returns flag.ErrHelp.
func (c *commonFlags) parse(args []string) error {
	envErrs := map[string]error{}
	for flag, name := range c.envs {
		if v := c.getenv(name); v != "" {
			if err := c.flags.Set(flag, v); err != nil {
				envErrs[flag] = usageError(fmt.Sprintf("%s=%q: %v", name, v, err))
			}
		}
	}
	for {
		if err := c.flags.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				printHelp(c.std.stdout, c)
				return err
			}
			return usageError(fmt.Sprintf("userd %s: %v (userd %s -h lists its flags)", c.name, err, c.name))
		}
		args = c.flags.Args()
		if len(args) == 0 {
			break
		}
		c.positional = append(c.positional, args[0])
		args = args[1:]
	}
	c.flags.Visit(func(f *flag.Flag) { delete(envErrs, f.Name) })
	for _, err := range envErrs {
		return err
	}
	if c.output != "" && c.output != "json" {
		return usageError(fmt.Sprintf(`-o must be "json" or left out, not %q`, c.output))
	}
	return nil
}

// args checks the command got exactly the positional arguments its usage
// line names.
func (c *commonFlags) args(n int) error {
	if len(c.positional) == n {
		return nil
	}
	if n == 0 {
		return usageError(fmt.Sprintf("userd %s takes no argument, not %q (userd %s -h says more)", c.name, c.positional[0], c.name))
	}
	return usageError(fmt.Sprintf("usage: userd %s [flags] %s (userd %s -h says more)", c.name, helps[c.name].args, c.name))
}

// createHint says how to create the database --db names.
func (c *commonFlags) createHint() string {
	return fmt.Sprintf("run userd migrate --db %s to create it (or userd serve, which also creates tenant %q and an admin client)", redactURL(c.db), directory.DefaultTenant)
}

// store is what the commands need of an engine: the Store contract and migrations.
type store interface {
	directory.Store
	Migrate(ctx context.Context) error
	ApplyMigrations(ctx context.Context) ([]int64, error)
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
	case current == 0:
		return fmt.Errorf("the database %s has no userd schema yet: %s", redactURL(c.db), c.createHint())
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
		return postgres.Open(ctx, target.postgresURL, c.replicas...)
	}
	if len(c.replicas) > 0 {
		return nil, usageError("--db-replica needs a postgres:// --db: SQLite has no replicas")
	}
	mode := strings.ToUpper(c.syncMode)
	if mode != "FULL" && mode != "NORMAL" {
		return nil, usageError(fmt.Sprintf("--sqlite-synchronous must be FULL or NORMAL, not %q", c.syncMode))
	}
	return sqlite.Open(ctx, target.sqlitePath, sqlite.Options{Synchronous: mode, ServerLock: c.serverLock})
}

// print writes v as one JSON object when -o json was given, else calls human.
func (c *commonFlags) print(std streams, v any, human func(w io.Writer)) error {
	if c.output == "json" {
		return json.NewEncoder(std.stdout).Encode(v)
	}
	human(std.stdout)
	return nil
}
