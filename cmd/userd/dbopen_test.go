package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// TestServeRefusesSecondServerOnSQLiteFile runs two userd serve on one
// SQLite file: the second stops at once and says why, while admin commands
// still work beside the first, and once the first stops a new one starts.
func TestServeRefusesSecondServerOnSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "userd.db")
	db := "sqlite:" + path
	first := startServer(t, db)

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var stderr syncBuffer
	err := run(ctx, []string{"serve", "--addr", freePort(t), "--db", db}, noEnv, strings.NewReader(""), &syncBuffer{}, &stderr)
	if err == nil {
		t.Fatal("second userd serve on the same file: got no error, want a refusal")
	}
	for _, want := range []string{path + ".lock", fmt.Sprintf("process %d", os.Getpid()), "one userd serve per SQLite file"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("got error %q, want it to contain %q", err, want)
		}
	}

	if _, err := cli(t, dbEnv(db), "", "tenant", "list"); err != nil {
		t.Errorf("tenant list beside the running server: %v", err)
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	startServer(t, db)
}

// postgresBase returns the test PostgreSQL server's URL, or skips t.
func postgresBase(t *testing.T) string {
	t.Helper()
	base := os.Getenv(pgtest.URLVar)
	if base == "" {
		t.Skipf("%s is not set", pgtest.URLVar)
	}
	return base
}

// withPassword returns the URL dbURL with password pw placed as form says:
// in the userinfo, as a ?password= parameter, or as a keyword/value DSN.
func withPassword(t *testing.T, dbURL, form, pw string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	switch form {
	case "userinfo":
		u.User = url.UserPassword(u.User.Username(), pw)
	case "query":
		q := u.Query()
		q.Set("password", pw)
		u.RawQuery = q.Encode()
	case "keyword/value":
		return fmt.Sprintf("host=%s port=%s user=%s password=%s dbname=%s sslmode=disable", u.Hostname(), u.Port(), u.User.Username(), pw, strings.TrimPrefix(u.Path, "/"))
	default:
		t.Fatalf("unknown form %q", form)
	}
	return u.String()
}

// TestDatabasePasswordNeverShown gives the database password in each form
// userd's URL may carry it (the local test server trusts every password)
// and checks it appears nowhere: not in serve's start-up and shutdown log
// nor its stdout, not in the errors of commands that cannot connect (a
// closed port, a database that does not exist) or that refuse the value.
// The log names the database by engine, host, port and name only.
func TestDatabasePasswordNeverShown(t *testing.T) {
	base := postgresBase(t)
	const pw = "Pw-d0-not-log-7Qx"
	db := pgtest.Fresh(t, base)
	u, _ := url.Parse(db)
	closed := *u
	closed.Host = freePort(t)
	missing := *u
	missing.Path = "/userd_no_such_database"
	shown := "postgres://" + u.Host + u.Path

	for _, form := range []string{"userinfo", "query", "keyword/value"} {
		t.Run(form, func(t *testing.T) {
			if form != "keyword/value" {
				s := startServer(t, withPassword(t, db, form, pw))
				if err := s.stop(); err != nil {
					t.Fatal(err)
				}
				logs := s.stderr.String() + s.stdout.String()
				if strings.Contains(logs, pw) {
					t.Errorf("serve's output holds the password:\n%s", logs)
				}
				if !strings.Contains(logs, `"db":"`+shown+`"`) {
					t.Errorf("serve's log does not name the database as %q:\n%s", shown, logs)
				}
			}
			for name, target := range map[string]string{"closed port": closed.String(), "missing database": missing.String(), "reachable": db} {
				dsn := withPassword(t, target, form, pw)
				for _, args := range [][]string{{"tenant", "list"}, {"migrate"}} {
					out, err := cli(t, dbEnv(dsn), "", args...)
					if err != nil && strings.Contains(err.Error(), pw) || strings.Contains(out, pw) {
						t.Errorf("%s, userd %s: the password is shown: %v\n%s", name, strings.Join(args, " "), err, out)
					}
				}
			}
		})
	}
}

// TestRedactURLMasksRefusedValues checks that a --db value userd refuses,
// which its error echoes so a typo shows, has its password masked.
func TestRedactURLMasksRefusedValues(t *testing.T) {
	const pw = "Pw-s3cret-9"
	for _, in := range []string{
		"postgress://userd:" + pw + "@db.internal/userd",
		"mysql://db.internal/userd?user=userd&password=" + pw,
		"pg:host=db PASSWORD = '" + pw + " x'",
	} {
		got := redactURL(in)
		if strings.Contains(got, pw) || strings.Contains(got, " x'") {
			t.Errorf("redactURL(%q) = %q: holds the password", in, got)
		}
		if got == "" || !strings.Contains(got, "db") {
			t.Errorf("redactURL(%q) = %q: want the rest of the value kept", in, got)
		}
	}
	if _, err := cli(t, noEnv, "", "migrate", "--db", "postgress://u:"+pw+"@h/d"); err == nil || strings.Contains(err.Error(), pw) || !strings.Contains(err.Error(), "postgress://u:xxxxx@h/d") {
		t.Errorf("migrate --db with a mistyped scheme: got %v, want the value with its password masked", err)
	}
}

// TestServeDatabaseMistakes starts userd serve on database URLs that fail:
// a missing database or role stops it at once with a message naming what to
// change in --db (a retry cannot fix them), while a closed port (PostgreSQL
// not up yet) leaves it running, live but not ready, until it is stopped.
func TestServeDatabaseMistakes(t *testing.T) {
	base, err := url.Parse(postgresBase(t))
	if err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		edit func(u *url.URL)
		want string
	}{
		"missing database": {func(u *url.URL) { u.Path = "/userd_no_such_database" }, `the database "userd_no_such_database" does not exist on the server (SQLSTATE 3D000): create it, or fix the database name in --db (USERD_DB)`},
		"missing role":     {func(u *url.URL) { u.User = url.User("userd_no_such_role") }, "check the user and password in --db (USERD_DB)"},
	} {
		t.Run(name, func(t *testing.T) {
			u := *base
			tc.edit(&u)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			err := run(ctx, []string{"serve", "--addr", freePort(t), "--db", u.String()}, noEnv, strings.NewReader(""), &syncBuffer{}, &syncBuffer{})
			if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "retry later") {
				t.Errorf("got %v, want an error saying %q and not to retry", err, tc.want)
			}
			if ctx.Err() != nil {
				t.Errorf("serve waited %v for a mistake a retry cannot fix", 10*time.Second)
			}
		})
	}
	t.Run("closed port", func(t *testing.T) {
		u := *base
		u.Host = freePort(t)
		s := startServer(t, u.String())
		for path, want := range map[string]int{"/healthz": 200, "/readyz": 503} {
			resp, err := http.Get(s.base + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Errorf("GET %s while PostgreSQL is down: got %d, want %d", path, resp.StatusCode, want)
			}
		}
		if err := s.stop(); err != nil {
			t.Errorf("stop while waiting for the database: %v", err)
		}
		if !strings.Contains(s.stderr.String(), "the database is not ready") {
			t.Errorf("no warning that the database is not ready:\n%s", s.stderr)
		}
	})
}

// TestAutovacuumOffWarned starts serve on PostgreSQL and on SQLite and
// checks that the log warns exactly when the database is a PostgreSQL
// server running without autovacuum, which leaves the rows the change log
// numbers unreclaimed (docs/operations.md, "The change log").
func TestAutovacuumOffWarned(t *testing.T) {
	base := postgresBase(t)
	db := pgtest.Fresh(t, base)
	conn, err := pgx.Connect(t.Context(), db)
	if err != nil {
		t.Fatal(err)
	}
	var on bool
	err = conn.QueryRow(t.Context(), `SELECT current_setting('autovacuum')::boolean`).Scan(&on)
	conn.Close(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const warning = "the database runs with autovacuum off"
	for name, target := range map[string]string{"postgres": db, "sqlite": "sqlite:" + filepath.Join(t.TempDir(), "userd.db")} {
		s := startServer(t, target)
		if err := s.stop(); err != nil {
			t.Fatal(err)
		}
		logs := s.stderr.String() + s.stdout.String()
		if want := name == "postgres" && !on; strings.Contains(logs, warning) != want {
			t.Errorf("%s (autovacuum on: %v): the log warns of autovacuum off: %v, want %v:\n%s", name, on, !want, want, logs)
		}
	}
}
