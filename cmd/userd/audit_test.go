package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres/pgtest"
	"github.com/userd/userd/internal/sqlite"
)

type auditEvent struct {
	ID       int64    `json:"id"`
	Action   string   `json:"action"`
	Actor    string   `json:"actor"`
	ObjectID string   `json:"object_id"`
	Fields   []string `json:"fields"`
}

// dbEnv is an environment holding only USERD_DB=db.
func dbEnv(db string) env {
	return func(k string) string {
		if k == "USERD_DB" {
			return db
		}
		return ""
	}
}

func TestAuditTail(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			getenv := dbEnv(newDB(t))
			if _, err := cli(t, getenv, "", "migrate"); err != nil {
				t.Fatal(err)
			}
			for _, tenant := range []string{"acme", "other"} {
				if _, err := cli(t, getenv, "", "tenant", "create", "--name", tenant); err != nil {
					t.Fatal(err)
				}
			}
			var ids []string
			for i := range 5 {
				var u struct{ ID int64 }
				cliJSON(t, getenv, "", &u, "user", "create", "--tenant", "acme", "--username", fmt.Sprintf("u%d", i))
				ids = append(ids, fmt.Sprint(u.ID))
				// Interleave another tenant's events, which must not show.
				if _, err := cli(t, getenv, "", "user", "create", "--tenant", "other", "--username", fmt.Sprintf("o%d", i)); err != nil {
					t.Fatal(err)
				}
			}

			for _, tt := range []struct {
				n    string
				want []string
			}{{"1", ids[4:]}, {"3", ids[2:]}, {"5", ids}, {"6", ids}, {"50", ids}} {
				var got struct{ Events []auditEvent }
				cliJSON(t, getenv, "", &got, "audit", "tail", "--tenant", "acme", "-n", tt.n)
				var objects []string
				for _, ev := range got.Events {
					if ev.Action != "user.create" || ev.Actor != "cli" {
						t.Errorf("-n %s: got event %+v, want a user.create by cli", tt.n, ev)
					}
					objects = append(objects, ev.ObjectID)
				}
				if strings.Join(objects, ",") != strings.Join(tt.want, ",") {
					t.Errorf("-n %s: got users %v, want %v", tt.n, objects, tt.want)
				}
			}

			out, err := cli(t, getenv, "", "audit", "tail", "--tenant", "acme", "-n", "2")
			if err != nil || strings.Count(out, "\n") != 3 || !strings.HasPrefix(out, "TIME ") || strings.Count(out, "user.create") != 2 {
				t.Errorf("human output: got %q, %v; want a header and two user.create lines", out, err)
			}
			for _, n := range []string{"0", "1001"} {
				if _, err := cli(t, getenv, "", "audit", "tail", "--tenant", "acme", "-n", n); exitCode(err) != 2 {
					t.Errorf("-n %s: got %v, want a usage error", n, err)
				}
			}

			ctx, cancel := context.WithCancel(context.Background())
			stdout := &syncBuffer{}
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"audit", "tail", "--tenant", "acme", "-n", "1", "--follow", "--poll", "10ms", "-o", "json"}, getenv, strings.NewReader(""), stdout, &syncBuffer{})
			}()
			waitFor := func(s string) {
				t.Helper()
				deadline := time.Now().Add(10 * time.Second)
				for !strings.Contains(stdout.String(), s) && time.Now().Before(deadline) {
					time.Sleep(10 * time.Millisecond)
				}
			}
			waitFor(fmt.Sprintf(`"object_id":"%s"`, ids[4]))
			var u struct{ ID int64 }
			cliJSON(t, getenv, "", &u, "user", "create", "--tenant", "acme", "--username", "late")
			want := fmt.Sprintf(`"object_id":"%d"`, u.ID)
			waitFor(want)
			cancel()
			if err := <-done; err != nil {
				t.Errorf("--follow ended with %v, want nil on interrupt", err)
			}
			if got := stdout.String(); !strings.Contains(got, want) || strings.Count(got, "\n") != 2 {
				t.Errorf("--follow: got %q, want the latest event then the new one, one JSON object per line", got)
			}
		})
	}
}

// TestAuditTailSystem checks that an operator can read the events of no
// tenant, the failed token requests with made-up client_ids, and only
// those, with audit tail --system.
func TestAuditTailSystem(t *testing.T) {
	ctx := context.Background()
	path, getenv := sqliteWithTenant(t, "acme")
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	authn, err := auth.NewAuthenticator(ctx, st, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	unknown := directory.NewClientID()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {unknown}, "client_secret": {"uds_wrong"}}
	req := httptest.NewRequest("POST", "/oauth/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	auth.TokenHandler(authn).ServeHTTP(httptest.NewRecorder(), req)
	authn.Close()
	st.Close()

	var got struct{ Events []auditEvent }
	cliJSON(t, getenv, "", &got, "audit", "tail", "--system", "-o", "json")
	if len(got.Events) != 1 || got.Events[0].Action != "auth.failed" || got.Events[0].Actor != "client:"+unknown {
		t.Errorf("--system: got %+v, want the one auth.failed by client:%s", got.Events, unknown)
	}
	if _, err := cli(t, getenv, "", "audit", "tail", "--system", "--tenant", "acme"); exitCode(err) != 2 {
		t.Errorf("--system with --tenant: got %v, want a usage error", err)
	}
}

// sqliteWithTenant migrates a new SQLite database in t's temporary
// directory through the CLI and creates tenant name in it; it returns the
// file's path and an environment naming it.
func sqliteWithTenant(t *testing.T, name string) (string, env) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "userd.db")
	getenv := dbEnv("sqlite:" + path)
	if _, err := cli(t, getenv, "", "migrate"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, getenv, "", "tenant", "create", "--name", name); err != nil {
		t.Fatal(err)
	}
	return path, getenv
}

// TestEventTable checks audit tail's columns: a header row, and every
// column starting at the same place on every line, however long the ids,
// also for the events --follow prints later.
func TestEventTable(t *testing.T) {
	at := time.Date(2026, 12, 5, 23, 0, 0, 0, time.UTC)
	first := []directory.Event{
		{Time: at, Action: "user.create", Actor: "cli", ObjectID: "1", Fields: []string{"username"}},
		{Time: at, Action: "client.disable", Actor: "client:udc_0123456789abcdef0123456789abcdef", ObjectID: "udc_fedcba9876543210fedcba9876543210", ClientIP: "2001:db8::1"},
	}
	later := []directory.Event{{Time: at, Action: "user.update", Actor: "token:9007199254740991", ObjectID: "9007199254740991", Fields: []string{"email", "name", "phone", "extension"}, ClientIP: "192.0.2.1"}}
	var b strings.Builder
	table := eventTable{w: &b}
	if err := table.print(first); err != nil {
		t.Fatal(err)
	}
	if err := table.print(later); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "TIME") {
		t.Fatalf("got %d lines, want a header and 3 events:\n%s", len(lines), b.String())
	}
	// Each column starts where the header's word does, after a blank.
	for _, col := range []string{"ACTION", "ACTOR", "OBJECT", "ADDRESS", "FIELDS"} {
		at := strings.Index(lines[0], col)
		for i, line := range lines[1:] {
			if len(line) <= at || line[at-1] != ' ' || line[at] == ' ' {
				t.Errorf("event %d: column %s does not start at %d:\n%s", i+1, col, at, b.String())
			}
		}
	}
}
