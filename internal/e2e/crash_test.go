package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"
	_ "modernc.org/sqlite" // to check the SQLite file after a crash
)

// stream is one client writing increasing values to one user, one request
// at a time, through one of two APIs.
type stream struct {
	user  user
	admin bool  // PATCH extension.n through the admin API, else PUT phone through openapi v1
	acked int64 // the last value a 2xx confirmed
	sent  int64 // the last value sent; at most one more than acked
}

func (s *stream) request(n int64) (method, path, body string) {
	if s.admin {
		return "PATCH", fmt.Sprintf("/admin/v1/users/%d", s.user.ID), fmt.Sprintf(`{"extension":{"n":%d}}`, n)
	}
	return "PUT", fmt.Sprintf("/openapi/v1/users/%d", s.user.ID), fmt.Sprintf(`{"phone":"%d"}`, n)
}

// stored reads the value of the stream's user as the database holds it.
func (s *stream) stored(t *testing.T, c *client) int64 {
	t.Helper()
	u := c.getUser(t, s.user.ID)
	if s.admin {
		n, _ := u.Extension["n"].(float64)
		return int64(n)
	}
	n, _ := strconv.ParseInt(u.Phone, 10, 64)
	return n
}

// run writes acked+1, acked+2, ... until a request fails, which happens
// when the server is killed.
func (s *stream) run(c *client) {
	for n := s.acked + 1; ; n++ {
		s.sent = n
		r, err := c.do(s.request(n))
		if err != nil {
			return
		}
		if r.status/100 != 2 {
			return
		}
		s.acked = n
	}
}

// TestCrash: clients stream updates of several users; the server is
// SIGKILLed mid-stream and started again on the same database, twice. Every
// update a client saw acknowledged must be there, each user must be at the
// last acknowledged value or the one in flight when the server died, every
// change must have its audit record, and (SQLite) the file must pass
// integrity_check and foreign_key_check.
func TestCrash(t *testing.T) {
	const users, cycles = 8, 2
	type variant struct {
		newDB func(t testing.TB) string
		flags []string
	}
	variants := map[string]variant{
		// NORMAL skips the fsync at commit; that risks the last writes on
		// power loss only, so a killed process must lose nothing either.
		"sqlite-synchronous-normal": {pgtest.Engines()["sqlite"], []string{"--sqlite-synchronous", "NORMAL"}},
	}
	for name, newDB := range pgtest.Engines() {
		variants[name] = variant{newDB: newDB}
	}
	for name, v := range variants {
		t.Run(name, func(t *testing.T) {
			db := v.newDB(t)
			p := start(t, db, v.flags...)
			token := p.token(t)
			c := newClient(p.base, token)
			streams := make([]*stream, users)
			for i, u := range c.createUsers(t, "crash", users) {
				streams[i] = &stream{user: u, admin: i%2 == 0}
			}
			for cycle := range cycles {
				var wg sync.WaitGroup
				for _, s := range streams {
					wg.Go(func() { s.run(c) })
				}
				time.Sleep(time.Second)
				p.kill()
				wg.Wait()
				if path, ok := strings.CutPrefix(db, "sqlite:"); ok {
					checkSQLite(t, path)
				}

				p = start(t, db, v.flags...)
				c = newClient(p.base, token)
				var acked int64
				for _, s := range streams {
					acked += s.acked
				}
				t.Logf("cycle %d: killed with %d updates acknowledged in all", cycle, acked)
				for _, s := range streams {
					got := s.stored(t, c)
					if got < s.acked || got > s.sent {
						t.Errorf("cycle %d, user %d: stored %d, want the last acknowledged value %d (or %d, in flight at the kill)", cycle, s.user.ID, got, s.acked, s.sent)
					}
					if s.acked == 0 {
						t.Errorf("cycle %d, user %d: no update acknowledged in a second; the test proves nothing", cycle, s.user.ID)
					}
					s.acked = got
				}
			}
			all := make([]user, len(streams))
			for i, s := range streams {
				all[i] = s.user
			}
			c.checkAudit(t, all)
			// The restarted server still takes writes.
			c.must(t, http.StatusOK, nil, "PATCH", fmt.Sprintf("/admin/v1/users/%d", all[0].ID), `{"name":"after the crash"}`)
		})
	}
}

// checkSQLite runs SQLite's own consistency checks on the file at path.
func checkSQLite(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	var result string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&result); err != nil || result != "ok" {
		t.Errorf("PRAGMA integrity_check: got %q (%v), want ok", result, err)
	}
	rows, err := db.QueryContext(ctx, "PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("PRAGMA foreign_key_check: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var table, parent string
		var rowid, fk sql.NullInt64
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			t.Fatal(err)
		}
		t.Errorf("PRAGMA foreign_key_check: row %v of %s names a missing %s", rowid.Int64, table, parent)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}
