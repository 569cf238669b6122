package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// commandHelp is what userd COMMAND -h prints besides the flags, which come
// from the command's flag set, so help lists exactly the flags it takes.
type commandHelp struct {
	summary  string   // one line: what the command does
	args     string   // the positional arguments of the usage line, e.g. "CLIENT_ID"
	details  string   // formats and rules worth knowing; may be empty
	examples []string // one or two command lines
}

// group is a command with subcommands, such as userd tenant.
type group struct {
	summary     string
	subcommands []string
}

// commands lists the top-level commands in the order userd -h shows them.
var commands = []string{"serve", "migrate", "tenant", "client", "token", "user", "audit", "version"}

var groups = map[string]group{
	"tenant": {"create or list tenants", []string{"create", "list"}},
	"client": {"create, list, disable or enable API clients (the client-credentials grant)", []string{"create", "list", "disable", "enable"}},
	"token":  {"create, list or revoke API tokens", []string{"create", "list", "revoke"}},
	"user":   {"create, import or export users; set console roles; unlock accounts", []string{"create", "import", "export", "role", "unlock"}},
	"audit":  {"read a tenant's audit log", []string{"tail"}},
}

// tenantRule is the help text of every command that takes --tenant.
const tenantRule = `--tenant names the tenant by name or by id; it may be left out while the
database has exactly one tenant. Tenant names are never all digits, so digits
are always an id. The tenant used is printed on stderr.`

var helps = map[string]commandHelp{
	"serve": {
		summary: "run the HTTP server: the admin API, the token endpoint and the user-information APIs",
		details: `On a new database, serve applies the schema (unless --no-migrate) and creates
tenant "default" with an admin client, whose secret it prints once on stdout.
Every flag can also be set with the USERD_* variable named in its help; a flag
on the command line wins.`,
		examples: []string{
			"userd serve",
			"USERD_DB=postgres://userd@db.internal:5432/userd userd serve --addr 0.0.0.0:8080",
		},
	},
	"migrate": {
		summary: "create the database if needed, apply the schema migrations it lacks, and exit",
		details: `Prints the migrations it applied and the schema version the database now has
(-o json: the same facts as one object). serve migrates at start too, unless
--no-migrate. The other commands never create or change a schema: on a new
database they ask you to run this first.`,
		examples: []string{"userd migrate", "userd migrate --db sqlite:///var/lib/userd/userd.db -o json"},
	},
	"tenant create": {
		summary:  "create a tenant",
		details:  "A tenant name is 1 to 63 characters of a-z, 0-9 and '-', starts with a letter or digit, and is not all digits (digits in --tenant mean an id).",
		examples: []string{"userd tenant create --name acme"},
	},
	"tenant list": {
		summary:  "list every tenant: id, name and creation time",
		examples: []string{"userd tenant list", "userd tenant list -o json"},
	},
	"client create": {
		summary:  "create an API client for the token endpoint; its secret is printed only now",
		details:  "--scope is a space-separated list of users:read, users:write and admin.\n\n" + tenantRule,
		examples: []string{`userd client create --tenant acme --name crm --scope "users:read users:write"`},
	},
	"client list": {
		summary:  "list the API clients of a tenant (never a secret)",
		details:  tenantRule,
		examples: []string{"userd client list --tenant acme"},
	},
	"client disable": {
		summary:  "disable an API client: it can get no new access tokens",
		args:     "CLIENT_ID",
		details:  "CLIENT_ID is the client_id client create printed (udc_...). Client ids are unique across tenants, so --tenant may be left out; when given, the client must belong to it.",
		examples: []string{"userd client disable udc_0123456789abcdef"},
	},
	"client enable": {
		summary:  "enable a disabled API client again",
		args:     "CLIENT_ID",
		details:  "CLIENT_ID is the client_id client create printed (udc_...). Client ids are unique across tenants, so --tenant may be left out; when given, the client must belong to it.",
		examples: []string{"userd client enable udc_0123456789abcdef"},
	},
	"token create": {
		summary:  "create a long-lived API token; the token is printed only now",
		details:  "--scope is a space-separated list of users:read, users:write and admin. --expires is a Go duration such as 720h (30 days); 0 never expires.\n\n" + tenantRule,
		examples: []string{"userd token create --tenant acme --name etl --scope users:read --expires 720h"},
	},
	"token list": {
		summary:  "list the API tokens of a tenant (never a token itself)",
		details:  tenantRule,
		examples: []string{"userd token list --tenant acme"},
	},
	"token revoke": {
		summary:  "revoke an API token at once",
		args:     "TOKEN_ID",
		details:  "TOKEN_ID is the token's numeric id, as token create and token list print it. Token ids are unique across tenants, so --tenant may be left out; when given, the token must belong to it.",
		examples: []string{"userd token revoke 42"},
	},
	"user create": {
		summary: "create one user",
		details: "The username is 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '@' and '-'. With --password-stdin the first line of standard input is the password.\n\n" + tenantRule,
		examples: []string{
			"userd user create --tenant acme --username ada --email ada@example.com --name 'Ada Lovelace'",
			"printf '%s\\n' \"$PASSWORD\" | userd user create --tenant acme --username ada --password-stdin",
			"printf '%s\\n' \"$PASSWORD\" | userd user create --username admin --role admin --password-stdin",
		},
	},
	"user import": {
		summary: "create many users from a JSON Lines or CSV file",
		args:    "FILE",
		details: `FILE holds one user per line (JSON Lines: .jsonl or .ndjson) or per row (CSV:
.csv, with a header row naming the fields), in the native admin API's field
names, plus password_hash: an existing argon2id, bcrypt, scrypt, Django or
Werkzeug PBKDF2, phpass or md5-crypt hash, kept as it is until the user's first
sign-in replaces it with argon2id. A CSV cell of active, locked,
must_change_password, grade, manager_id, extension, orgs, other_emails or
other_phones holds a JSON value. A line or CSV record may be at most 1 MiB.
FILE - reads standard input; then --format says which format it is.
Good lines are imported and bad ones reported by line number, in order.

` + tenantRule,
		examples: []string{"userd user import --tenant acme users.jsonl", "gunzip -c users.csv.gz | userd user import --tenant acme --format csv -"},
	},
	"user export": {
		summary:  "print every user of a tenant as JSON Lines, in the native admin API's format (never a password or its hash)",
		details:  tenantRule,
		examples: []string{"userd user export --tenant acme > users.jsonl"},
	},
	"user role": {
		summary: "give a user a console role (admin or viewer) or take it away (none)",
		args:    "USER ROLE",
		details: "USER is a user's id or username. admin may do everything in the tenant, viewer read everything and change nothing; none takes console access away. The user's console sessions end at once.\n\n" + tenantRule,
		examples: []string{
			"userd user role --tenant acme ada admin",
			"userd user role --tenant acme 42 none",
		},
	},
	"user unlock": {
		summary:  "unlock an account locked after too many failed sign-ins, and forget those failures",
		args:     "USER",
		details:  "USER is a user's id or username. The admin API does the same: PATCH /admin/v1/users/{id} with {\"locked\": false}.\n\n" + tenantRule,
		examples: []string{"userd user unlock --tenant acme ada"},
	},
	"audit tail": {
		summary:  "print a tenant's latest audit events, oldest first, and with --follow every new one",
		details:  "Columns: time, action, actor, object, client address, changed fields. With -o json and --follow, one JSON object per line.\n\n" + tenantRule,
		examples: []string{"userd audit tail --tenant acme -n 20", "userd audit tail --tenant acme --follow -o json"},
	},
	"version": {
		summary:  "print the version and the commit userd was built from",
		examples: []string{"userd version"},
	},
}

// printUsage writes userd's own help: the commands and where to read more.
func printUsage(w io.Writer) {
	fmt.Fprint(w, "userd is a self-hosted, multi-tenant user directory.\n\nUsage:\n  userd COMMAND [SUBCOMMAND] [flags]\n\nCommands:\n")
	for _, name := range commands {
		summary := helps[name].summary
		if g, ok := groups[name]; ok {
			summary = g.summary
		}
		fmt.Fprintf(w, "  %-9s %s\n", name, summary)
	}
	fmt.Fprintf(w, `
Run "userd COMMAND -h" (or "userd help COMMAND") for a command's usage, flags and examples.

Every command that opens the database takes --db URL (env USERD_DB, default
sqlite:userd.db). URL is one of:
  %s

Errors show what went wrong; set USERD_DEBUG=1 to see the underlying cause too.

Examples:
  userd serve
  userd tenant create --name acme
`, strings.ReplaceAll(dbFormsHelp, "\n", "\n  "))
}

// printGroupHelp writes the help of a command with subcommands.
func printGroupHelp(w io.Writer, name string) {
	g := groups[name]
	fmt.Fprintf(w, "userd %s: %s\n\nUsage:\n  userd %s SUBCOMMAND [flags]\n\nSubcommands:\n", name, g.summary, name)
	for _, sub := range g.subcommands {
		h := helps[name+" "+sub]
		fmt.Fprintf(w, "  %-8s %s\n", strings.TrimSpace(sub+" "+h.args), h.summary)
	}
	fmt.Fprintf(w, "\nRun \"userd %s SUBCOMMAND -h\" for its flags and examples.\n\nExamples:\n", name)
	for _, sub := range g.subcommands {
		fmt.Fprintf(w, "  %s\n", helps[name+" "+sub].examples[0])
	}
}

// printHelp writes the help of the command c parses: its summary, usage
// line, details, every flag it defines with the USERD_* variable that sets
// it, and examples.
func printHelp(w io.Writer, c *commonFlags) {
	h := helps[c.name]
	usage := "userd " + c.name
	hasFlags := false
	c.flags.VisitAll(func(*flag.Flag) { hasFlags = true })
	if hasFlags {
		usage += " [flags]"
	}
	if h.args != "" {
		usage += " " + h.args
	}
	fmt.Fprintf(w, "userd %s: %s\n\nUsage:\n  %s\n", c.name, h.summary, usage)
	if h.details != "" {
		fmt.Fprintf(w, "\n%s\n", h.details)
	}
	if hasFlags {
		fmt.Fprint(w, "\nFlags:\n")
		c.flags.VisitAll(func(f *flag.Flag) {
			value, usage := flag.UnquoteUsage(f)
			dash := "--"
			if len(f.Name) == 1 {
				dash = "-"
			}
			var notes []string
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				notes = append(notes, "default "+f.DefValue)
			}
			if env := c.envs[f.Name]; env != "" {
				notes = append(notes, "env "+env)
			}
			if len(notes) > 0 {
				usage += " (" + strings.Join(notes, "; ") + ")"
			}
			fmt.Fprintf(w, "  %s\n      %s\n", strings.TrimSpace(dash+f.Name+" "+strings.ToUpper(value)), usage)
		})
	}
	if _, ok := c.envs["db"]; ok {
		fmt.Fprintf(w, "\nDatabase URLs:\n  %s\n", strings.ReplaceAll(dbFormsHelp, "\n", "\n  "))
	}
	fmt.Fprint(w, "\nExamples:\n")
	for _, e := range h.examples {
		fmt.Fprintf(w, "  %s\n", e)
	}
}
