package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres/pgtest"
	"github.com/userd/userd/internal/sqlite"
)

// TestHelp runs the built binary with -h, --help and userd help for every
// command and subcommand: each answers on stdout with exit 0, a one-line
// description, a usage line naming its arguments, the flags it uses (and
// none it doesn't) with their USERD_* variables, and examples.
func TestHelp(t *testing.T) {
	commonEnv := map[string]string{"db": "USERD_DB", "sqlite-synchronous": "USERD_SQLITE_SYNCHRONOUS", "argon2-memory": "USERD_ARGON2_MEMORY", "argon2-time": "USERD_ARGON2_TIME"}
	tests := []struct {
		cmd       string
		usage     string   // the usage line after "userd "
		has, not  []string // flags it must and must not list
		mentioned []string // formats the text must name
	}{
		{"serve", "serve [flags]", []string{"db", "addr", "metrics-addr", "argon2-memory", "sqlite-synchronous", "tls-cert"}, []string{"o", "tenant"}, []string{"sqlite:///ABSOLUTE/PATH", "USERD_ADDR"}},
		{"migrate", "migrate [flags]", []string{"db", "o", "sqlite-synchronous"}, []string{"argon2-memory", "tenant", "addr"}, []string{"sqlite:///ABSOLUTE/PATH", "postgres://"}},
		{"tenant create", "tenant create [flags]", []string{"db", "o", "name"}, []string{"argon2-memory", "tenant"}, []string{"not all digits"}},
		{"tenant list", "tenant list [flags]", []string{"db", "o"}, []string{"argon2-memory", "argon2-time", "sqlite-synchronous", "tenant", "name"}, []string{"sqlite:PATH"}},
		{"client create", "client create [flags]", []string{"db", "o", "tenant", "name", "scope"}, []string{"argon2-memory"}, []string{"users:read"}},
		{"client list", "client list [flags]", []string{"db", "o", "tenant"}, []string{"argon2-memory", "sqlite-synchronous", "name"}, nil},
		{"client disable", "client disable [flags] CLIENT_ID", []string{"db", "o", "tenant"}, []string{"argon2-memory", "name", "scope"}, []string{"udc_"}},
		{"client enable", "client enable [flags] CLIENT_ID", []string{"db", "o", "tenant"}, []string{"argon2-memory", "name", "scope"}, []string{"udc_"}},
		{"token create", "token create [flags]", []string{"db", "o", "tenant", "name", "scope", "expires"}, []string{"argon2-memory"}, []string{"720h"}},
		{"token list", "token list [flags]", []string{"db", "o", "tenant"}, []string{"argon2-memory", "sqlite-synchronous", "expires"}, nil},
		{"token revoke", "token revoke [flags] TOKEN_ID", []string{"db", "o", "tenant"}, []string{"argon2-memory", "expires"}, nil},
		{"user create", "user create [flags]", []string{"db", "o", "tenant", "username", "email", "name", "password-stdin", "argon2-memory", "argon2-time"}, []string{"format"}, nil},
		{"user import", "user import [flags] FILE", []string{"db", "o", "tenant", "format", "argon2-memory"}, []string{"username", "password-stdin"}, []string{".jsonl", ".csv", "password_hash", "1 MiB", "FILE -"}},
		{"user export", "user export [flags]", []string{"db", "tenant"}, []string{"o", "argon2-memory", "sqlite-synchronous", "format"}, []string{"JSON Lines"}},
		{"audit tail", "audit tail [flags]", []string{"db", "o", "tenant", "n", "follow", "poll"}, []string{"argon2-memory", "sqlite-synchronous"}, nil},
		{"webhook create", "webhook create [flags]", []string{"db", "o", "tenant", "url", "format", "events", "secret", "token", "encryption-key", "webhook-allow-private"}, []string{"argon2-memory"}, []string{"standard-webhooks", "oneaccess", "CHECK_URL"}},
		{"webhook list", "webhook list [flags]", []string{"db", "o", "tenant"}, []string{"argon2-memory", "url"}, nil},
		{"webhook enable", "webhook enable [flags] WEBHOOK_ID", []string{"db", "o", "tenant"}, []string{"argon2-memory", "url"}, []string{"failing"}},
		{"version", "version", nil, []string{"db", "o"}, nil},
	}
	flagLine := regexp.MustCompile(`(?m)^  --?([a-z0-9-]+)`)
	for _, tt := range tests {
		args := strings.Fields(tt.cmd)
		for _, form := range [][]string{append(slices.Clone(args), "-h"), append(slices.Clone(args), "--help"), append([]string{"help"}, args...)} {
			t.Run(strings.Join(form, " "), func(t *testing.T) {
				res := runBin(t, "", nil, "", form...)
				if res.code != 0 || res.stderr != "" {
					t.Fatalf("got exit %d and stderr %q, want exit 0 and help on stdout", res.code, res.stderr)
				}
				out := res.stdout
				summary := "userd " + tt.cmd + ": " + helps[tt.cmd].summary + "\n"
				if !strings.HasPrefix(out, summary) || helps[tt.cmd].summary == "" {
					t.Errorf("help does not start with the one-line description %q:\n%s", summary, out)
				}
				if !strings.Contains(out, "\nUsage:\n  userd "+tt.usage+"\n") {
					t.Errorf("help has no usage line %q:\n%s", "userd "+tt.usage, out)
				}
				if !strings.Contains(out, "\nExamples:\n  userd ") {
					t.Errorf("help has no examples:\n%s", out)
				}
				listed := map[string]string{} // flag -> its help line and description
				for _, m := range flagLine.FindAllStringSubmatchIndex(out, -1) {
					name := out[m[2]:m[3]]
					end := strings.Index(out[m[0]+1:], "\n  -")
					if end < 0 {
						end = len(out) - m[0] - 1
					}
					listed[name] = out[m[0] : m[0]+1+end]
				}
				for _, f := range tt.has {
					text, ok := listed[f]
					if !ok {
						t.Errorf("help does not list flag %s:\n%s", f, out)
						continue
					}
					if env := commonEnv[f]; env != "" && !strings.Contains(text, "env "+env+")") {
						t.Errorf("help of flag %s does not name its variable %s: %q", f, env, text)
					}
				}
				for _, f := range tt.not {
					if _, ok := listed[f]; ok {
						t.Errorf("help lists flag %s, which %s does not use", f, tt.cmd)
					}
				}
				for _, m := range tt.mentioned {
					if !strings.Contains(out, m) {
						t.Errorf("help does not mention %q:\n%s", m, out)
					}
				}
			})
		}
	}
	for group, g := range groups {
		for _, form := range [][]string{{group, "-h"}, {group, "--help"}, {"help", group}} {
			t.Run(strings.Join(form, " "), func(t *testing.T) {
				res := runBin(t, "", nil, "", form...)
				if res.code != 0 || !strings.HasPrefix(res.stdout, "userd "+group+": ") {
					t.Fatalf("got exit %d, stdout %q, stderr %q; want the group's help on stdout", res.code, res.stdout, res.stderr)
				}
				for _, sub := range g.subcommands {
					if !strings.Contains(res.stdout, "\n  "+sub) {
						t.Errorf("group help does not list %s %s:\n%s", group, sub, res.stdout)
					}
				}
			})
		}
	}
	for _, form := range [][]string{{"-h"}, {"--help"}, {"help"}} {
		res := runBin(t, "", nil, "", form...)
		if res.code != 0 || !strings.Contains(res.stdout, `Run "userd COMMAND -h"`) {
			t.Errorf("userd %s: got exit %d, stdout %q", form[0], res.code, res.stdout)
		}
	}
	// A mistake prints a short error on stderr pointing at -h, exit 2.
	res := runBin(t, "", nil, "", "tenant", "list", "--frobnicate")
	if res.code != 2 || res.stdout != "" || !strings.Contains(res.stderr, "userd tenant list -h") {
		t.Errorf("unknown flag: got exit %d, stdout %q, stderr %q; want exit 2 and a pointer at -h on stderr", res.code, res.stdout, res.stderr)
	}
}

// adminCommands are the commands besides serve and migrate, with the
// arguments each needs; they must never create a database or a table.
var adminCommands = [][]string{
	{"tenant", "list"}, {"client", "list"}, {"token", "list"}, {"user", "export"}, {"audit", "tail"},
	{"tenant", "create", "--name", "acme"}, {"client", "create", "--name", "crm"}, {"client", "disable", "udc_x"},
	{"token", "create", "--name", "etl"}, {"token", "revoke", "1"}, {"user", "create", "--username", "ada"},
}

// TestNewDatabaseUntouched runs every admin command on a missing SQLite
// file, on an empty one, and on a database without userd's schema (SQLite
// and PostgreSQL): each names the command to run and creates nothing.
func TestNewDatabaseUntouched(t *testing.T) {
	for _, args := range adminCommands {
		t.Run("missing file "+strings.Join(args, " "), func(t *testing.T) {
			dir := t.TempDir()
			db := "sqlite:" + filepath.Join(dir, "typo.db")
			res := runBin(t, dir, map[string]string{"USERD_DB": db}, "", args...)
			if res.code == 0 || !strings.Contains(res.stderr, "no database at "+filepath.Join(dir, "typo.db")+": run userd migrate --db "+db) {
				t.Errorf("got exit %d, stderr %q; want an error naming userd migrate", res.code, res.stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("the command left %d files behind", len(entries))
			}
		})
	}
	t.Run("empty file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "empty.db")
		if err := os.WriteFile(path, nil, 0o600); err != nil {
			t.Fatal(err)
		}
		res := runBin(t, "", nil, "", "tenant", "list", "--db", "sqlite:"+path)
		if res.code == 0 || !strings.Contains(res.stderr, "run userd migrate") {
			t.Errorf("got exit %d, stderr %q; want an error naming userd migrate", res.code, res.stderr)
		}
		if fi, err := os.Stat(path); err != nil || fi.Size() != 0 {
			t.Errorf("the empty file changed: %v, %v", fi, err)
		}
	})
	for name, newDB := range pgtest.Engines() {
		t.Run("no schema on "+name, func(t *testing.T) {
			db := newDB(t)
			if name == "sqlite" {
				// A database file that is not userd's: SQLite creates it.
				path := strings.TrimPrefix(db, "sqlite:")
				raw, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := raw.Exec(`CREATE TABLE other (x)`); err != nil {
					t.Fatal(err)
				}
				raw.Close()
				// Private, as userd keeps its own files (a readable one is
				// refused before the schema is looked at).
				if err := os.Chmod(path, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			for _, args := range adminCommands {
				res := runBin(t, "", map[string]string{"USERD_DB": db}, "", args...)
				if res.code == 0 || !strings.Contains(res.stderr, "has no userd schema yet: run userd migrate --db") {
					t.Errorf("%s: got exit %d, stderr %q; want an error naming userd migrate", strings.Join(args, " "), res.code, res.stderr)
				}
			}
			if tables := tableNames(t, db); len(tables) > 1 || (len(tables) == 1 && tables[0] != "other") {
				t.Errorf("admin commands on a database without userd's schema created tables %v", tables)
			}
		})
	}
}

// tableNames lists the tables of the database db names.
func tableNames(t *testing.T, db string) []string {
	t.Helper()
	var driver, dsn, query string
	if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
		driver, dsn, query = "sqlite", path, `SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`
	} else {
		driver, dsn, query = "pgx", db, `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1`
	}
	raw, err := sql.Open(driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

// TestMigrateReport checks userd migrate says which migrations it applied
// and where the schema stands, on a new database and again on a current one.
func TestMigrateReport(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"USERD_DB": newDB(t)}
			first := mustRunBin(t, "", env, "", "migrate")
			if !regexp.MustCompile(`: applied migrations? 1(, \d+)*; the schema is now at version \d+\n$`).MatchString(first.stdout) {
				t.Errorf("first migrate: got %q, want it to name the migrations applied and the version", first.stdout)
			}
			var got migrateResult
			if err := json.Unmarshal([]byte(mustRunBin(t, "", env, "", "migrate", "-o", "json").stdout), &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Applied) != 0 || got.Version == 0 || got.Version != got.Latest {
				t.Errorf("second migrate -o json: got %+v, want nothing applied and the latest version", got)
			}
			again := mustRunBin(t, "", env, "", "migrate")
			if !strings.Contains(again.stdout, "no migration to apply; the schema is at version") {
				t.Errorf("second migrate: got %q", again.stdout)
			}
		})
	}
}

// TestErrorWording checks the CLI shows the domain's message, as the APIs
// do, and the driver's words only with USERD_DEBUG.
func TestErrorWording(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			env := map[string]string{"USERD_DB": newDB(t)}
			mustRunBin(t, "", env, "", "migrate")
			mustRunBin(t, "", env, "", "tenant", "create", "--name", "acme")
			res := runBin(t, "", env, "", "tenant", "create", "--name", "acme")
			const clean = "userd: create tenant: name: \"acme\" is taken by another tenant\n"
			if res.code != 1 || res.stderr != clean {
				t.Errorf("duplicate tenant: got exit %d, stderr %q; want exit 1 and the domain's message alone", res.code, res.stderr)
			}
			env["USERD_DEBUG"] = "1"
			debug := runBin(t, "", env, "", "tenant", "create", "--name", "acme")
			if !strings.HasPrefix(debug.stderr, strings.TrimSuffix(res.stderr, "\n")+": ") {
				t.Errorf("duplicate tenant with USERD_DEBUG: got %q, want the message and its cause", debug.stderr)
			}
		})
	}
}

// TestTenantRule checks one rule for --tenant in every command: accepted
// everywhere, needed only when the database has more than one tenant.
func TestTenantRule(t *testing.T) {
	env := map[string]string{"USERD_DB": "sqlite:" + filepath.Join(t.TempDir(), "userd.db")}
	mustRunBin(t, "", env, "", "migrate")
	mustRunBin(t, "", env, "", "tenant", "create", "--name", "acme")
	var cl clientJSON
	if err := json.Unmarshal([]byte(mustRunBin(t, "", env, "", "client", "create", "--name", "crm", "-o", "json").stdout), &cl); err != nil {
		t.Fatal(err)
	}
	var tok tokenJSON
	if err := json.Unmarshal([]byte(mustRunBin(t, "", env, "", "token", "create", "--name", "etl", "-o", "json").stdout), &tok); err != nil {
		t.Fatal(err)
	}
	// One tenant: every command works with and without --tenant, and says
	// which tenant it used.
	for _, args := range [][]string{{"client", "list"}, {"token", "list"}, {"user", "export"}, {"audit", "tail"},
		{"client", "disable", cl.ClientID}, {"client", "enable", cl.ClientID}, {"token", "revoke", "999999"}} {
		for _, extra := range [][]string{nil, {"--tenant", "acme"}, {"--tenant", "1"}} {
			all := append(slices.Clone(args), extra...)
			res := runBin(t, "", env, "", all...)
			if args[1] == "revoke" {
				if res.code != 1 || !strings.Contains(res.stderr, "no such token") {
					t.Errorf("userd %s: got exit %d, stderr %q; want no such token", strings.Join(all, " "), res.code, res.stderr)
				}
				continue
			}
			if res.code != 0 {
				t.Errorf("userd %s: got exit %d, stderr %q", strings.Join(all, " "), res.code, res.stderr)
			}
			if args[1] != "disable" && args[1] != "enable" && !strings.Contains(res.stderr, `tenant "acme" (id 1)`) {
				t.Errorf("userd %s: stderr %q does not say which tenant it used", strings.Join(all, " "), res.stderr)
			}
		}
	}
	// Two tenants: the commands that act in one tenant need --tenant; those
	// naming a credential by its id find its tenant, and a wrong one is refused.
	mustRunBin(t, "", env, "", "tenant", "create", "--name", "globex")
	for _, args := range [][]string{{"client", "list"}, {"client", "create", "--name", "x"}, {"token", "list"}, {"user", "export"}, {"audit", "tail"}, {"user", "create", "--username", "ada"}} {
		res := runBin(t, "", env, "", args...)
		if res.code != 2 || !strings.Contains(res.stderr, "the database has 2 tenants (acme, globex): say which with --tenant NAME") {
			t.Errorf("userd %s with two tenants: got exit %d, stderr %q", strings.Join(args, " "), res.code, res.stderr)
		}
	}
	if res := runBin(t, "", env, "", "client", "disable", cl.ClientID, "--tenant", "globex"); res.code != 1 || !strings.Contains(res.stderr, "no such client") {
		t.Errorf("client disable in the wrong tenant: got exit %d, stderr %q", res.code, res.stderr)
	}
	if res := runBin(t, "", env, "", "token", "revoke", "--tenant", "globex", fmt.Sprint(tok.ID)); res.code != 1 || !strings.Contains(res.stderr, "no such token") {
		t.Errorf("token revoke in the wrong tenant: got exit %d, stderr %q", res.code, res.stderr)
	}
	mustRunBin(t, "", env, "", "client", "disable", cl.ClientID)
	mustRunBin(t, "", env, "", "token", "revoke", fmt.Sprint(tok.ID))
}

// TestTenantDigits checks credentials meant for a tenant named "2" cannot
// land in tenant id 2: such a name is refused now, and where an older
// database has one, --tenant 2 is refused as ambiguous rather than guessed.
func TestTenantDigits(t *testing.T) {
	path := filepath.Join(t.TempDir(), "userd.db")
	env := map[string]string{"USERD_DB": "sqlite:" + path}
	mustRunBin(t, "", env, "", "migrate")
	if res := runBin(t, "", env, "", "tenant", "create", "--name", "2"); res.code != 1 || !strings.Contains(res.stderr, "must not be all digits") {
		t.Errorf("tenant create --name 2: got exit %d, stderr %q; want it refused", res.code, res.stderr)
	}
	// A database from before the rule: tenant 1 "acme", 2 "globex", 3 named "2".
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"acme", "globex", "2"} {
		if _, err := st.CreateTenant(ctx, directory.Tenant{Name: name, CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	st.Close()
	res := runBin(t, "", env, "", "client", "create", "--tenant", "2", "--name", "meant-for-2")
	if res.code != 2 || !strings.Contains(res.stderr, `--tenant 2 is ambiguous: it is the id of tenant "globex" and the name of tenant 3`) {
		t.Errorf("--tenant 2: got exit %d, stderr %q; want it refused as ambiguous", res.code, res.stderr)
	}
	for _, tn := range []string{"globex", "3"} {
		if out := mustRunBin(t, "", env, "", "client", "list", "--tenant", tn).stdout; strings.Contains(out, "meant-for-2") {
			t.Errorf("a client meant for tenant \"2\" landed in tenant %s", tn)
		}
	}
	res = mustRunBin(t, "", env, "", "client", "list", "--tenant", "3")
	if !strings.Contains(res.stderr, `tenant "2" (id 3)`) {
		t.Errorf("--tenant 3: stderr %q does not say it resolved to the tenant named \"2\"", res.stderr)
	}
}

// TestServeAddressErrors checks a port in use names the flag and variable
// that set the address, and --metrics-addr equal to --addr says to leave it
// empty.
func TestServeAddressErrors(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	addr := busy.Addr().String()
	env := map[string]string{"USERD_DB": "sqlite:" + filepath.Join(t.TempDir(), "userd.db")}
	res := runBin(t, "", env, "", "serve", "--addr", addr)
	if res.code != 1 || !strings.Contains(res.stderr, "--addr "+addr+": the address is in use") || !strings.Contains(res.stderr, "USERD_ADDR") {
		t.Errorf("serve on a busy port: got exit %d, stderr %q; want it to name --addr and USERD_ADDR", res.code, res.stderr)
	}
	res = runBin(t, "", env, "", "serve", "--addr", freePort(t), "--metrics-addr", addr)
	if res.code != 1 || !strings.Contains(res.stderr, "--metrics-addr "+addr+": the address is in use") || !strings.Contains(res.stderr, "USERD_METRICS_ADDR") {
		t.Errorf("metrics on a busy port: got exit %d, stderr %q; want it to name --metrics-addr and USERD_METRICS_ADDR", res.code, res.stderr)
	}
	free := freePort(t)
	res = runBin(t, "", env, "", "serve", "--addr", free, "--metrics-addr", free)
	if res.code != 2 || !strings.Contains(res.stderr, "set --metrics-addr (USERD_METRICS_ADDR) to api") {
		t.Errorf("--metrics-addr equal to --addr: got exit %d, stderr %q; want it to say to use api", res.code, res.stderr)
	}
}

// TestImportReport runs user import on a file and on standard input: failed
// lines come in line order with the domain's words (no HTTP body prefix),
// counts are in correct English, and a pipe gets no progress bar.
func TestImportReport(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"USERD_DB": "sqlite:" + filepath.Join(dir, "userd.db")}
	mustRunBin(t, "", env, "", "migrate")
	mustRunBin(t, "", env, "", "tenant", "create", "--name", "acme")
	// Line 5 fails only in the store (a duplicate), after lines 2 and 3
	// failed in decoding: the report still lists them in line order.
	lines := `{"username":"u1"}
{"username":"u2","emial":"x"}
[]

{"username":"u1"}
{"username":"u3","email":"nope"}
`
	file := filepath.Join(dir, "users.jsonl")
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	res := runBin(t, "", env, "", "user", "import", file)
	wantErrs := file + `:2: emial: is not a known field; check its spelling or remove it
` + file + `:3: the line must be a JSON object
` + file + `:5: username: "u1" is taken by another user
` + file + `:6: email: must be a valid address such as ada@example.com
userd: 4 lines of ` + file + ` were not imported (listed above); 1 user was imported
`
	if res.code != 1 || res.stdout != "imported 1 user; 4 lines failed\n" || !strings.HasSuffix(res.stderr, wantErrs) {
		t.Errorf("import: got exit %d\nstdout %q\nstderr:\n%s\nwant exit 1, \"imported 1 user; 4 lines failed\" and errors ending:\n%s", res.code, res.stdout, res.stderr, wantErrs)
	}
	if strings.Contains(res.stderr, "\r") || strings.Contains(res.stderr, "json body") {
		t.Errorf("import to a pipe: stderr holds a progress bar or an HTTP prefix:\n%q", res.stderr)
	}

	res = mustRunBin(t, "", env, "username,email\nc1,c1@example.com\nc2,\n", "user", "import", "--format", "csv", "-")
	if res.stdout != "imported 2 users; 0 lines failed\n" {
		t.Errorf("import - --format csv: got %q", res.stdout)
	}
	res = runBin(t, "", env, "{}", "user", "import", "-")
	if res.code != 2 || !strings.Contains(res.stderr, "--format jsonl or --format csv") {
		t.Errorf("import - without --format: got exit %d, stderr %q", res.code, res.stderr)
	}
}

// TestProgressLine checks the import's progress line on a terminal: counts,
// bar, share, rate and time left.
func TestProgressLine(t *testing.T) {
	tests := []struct {
		p    progress
		want string
	}{
		{progress{imported: 1, read: 100, total: 1000, elapsed: time.Second},
			"imported 1 user, 0 failed  [##..................]  10%  1 lines/s  ETA 9s"},
		{progress{imported: 4000, failed: 1000, read: 500, total: 1000, elapsed: 2 * time.Second},
			"imported 4000 users, 1000 failed  [##########..........]  50%  2500 lines/s  ETA 2s"},
		{progress{imported: 10, read: 1000, total: 1000, elapsed: time.Second},
			"imported 10 users, 0 failed  [####################] 100%  10 lines/s"},
		{progress{imported: 500, read: 1 << 20, elapsed: 250 * time.Millisecond},
			"imported 500 users, 0 failed  2000 lines/s"},
		{progress{}, "imported 0 users, 0 failed"},
	}
	for _, tt := range tests {
		if got := progressLine(tt.p); got != tt.want {
			t.Errorf("progressLine(%+v):\ngot  %q\nwant %q", tt.p, got, tt.want)
		}
	}
}
