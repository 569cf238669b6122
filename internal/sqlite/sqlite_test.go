package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"maps"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/directory/directorytest"
)

// openTest opens and migrates a store in a fresh temporary directory.
func openTest(t testing.TB, opts Options) *Store {
	t.Helper()
	return openTestAt(t, filepath.Join(t.TempDir(), "userd.db"), opts)
}

// openTestAt opens and migrates a store at path.
func openTestAt(t testing.TB, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

func TestStore(t *testing.T) {
	directorytest.Run(t, func(t *testing.T) directory.Store { return openTest(t, Options{}) })
}

func TestPragmas(t *testing.T) {
	tests := []struct {
		name            string
		opts            Options
		wantSynchronous int
	}{
		{"default", Options{}, 2},
		{"full", Options{Synchronous: "full"}, 2},
		{"normal", Options{Synchronous: "NORMAL"}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "userd.db")
			s := openTestAt(t, path, tc.opts)
			want := map[string]string{
				"journal_mode": "wal",
				"synchronous":  strconv.Itoa(tc.wantSynchronous),
				"foreign_keys": "1",
				"temp_store":   "2",
				"busy_timeout": strconv.FormatInt(busyTimeout.Milliseconds(), 10),
				"mmap_size":    strconv.FormatInt(mmapSize, 10),
			}
			checkPragmas(t, "writer", s.w, 1, want, "0")
			checkPragmas(t, "reader", s.r, 4, want, "1")
			if tc.name == "default" {
				// The yardsticks' readers must read as the Store's do.
				r, err := OpenReaders(t.Context(), path)
				if err != nil {
					t.Fatal(err)
				}
				defer r.Close()
				checkPragmas(t, "OpenReaders", r, 4, want, "1")
			}
		})
	}
}

// checkPragmas holds n connections of db at once, so each is a distinct
// pooled connection, and checks the pragmas of every one.
func checkPragmas(t *testing.T, pool string, db *sql.DB, n int, want map[string]string, queryOnly string) {
	t.Helper()
	ctx := t.Context()
	for i := range n {
		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatalf("%s conn %d: %v", pool, i, err)
		}
		defer conn.Close()
		all := maps.Clone(want)
		all["query_only"] = queryOnly
		for name, w := range all {
			var got string
			if err := conn.QueryRowContext(ctx, "PRAGMA "+name).Scan(&got); err != nil {
				t.Fatalf("%s conn %d: PRAGMA %s: %v", pool, i, name, err)
			}
			if got != w {
				t.Errorf("%s conn %d: PRAGMA %s: got %q, want %q", pool, i, name, got, w)
			}
		}
	}
}

func TestOpenRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opts Options
	}{
		{"empty path", "", Options{}},
		{"in-memory database", ":memory:", Options{}},
		{"path with a query", filepath.Join(dir, "x.db") + "?_pragma=synchronous(OFF)", Options{}},
		{"unknown synchronous", filepath.Join(dir, "x.db"), Options{Synchronous: "OFF"}},
		{"missing directory", filepath.Join(dir, "no", "such", "dir", "x.db"), Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.path, tc.opts)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q, %+v): got no error, want one", tc.path, tc.opts)
			}
		})
	}
}

func TestMigrateIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "userd.db")
	s := openTestAt(t, path, Options{})
	for i := range 2 {
		if err := s.Migrate(t.Context()); err != nil {
			t.Fatalf("Migrate again (%d): %v", i, err)
		}
	}
	// A second store on the same file sees a migrated database.
	again, err := Open(t.Context(), path, Options{})
	if err != nil {
		t.Fatalf("Open again: %v", err)
	}
	defer again.Close()
	if err := again.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate of a migrated database: %v", err)
	}
	if _, err := again.CreateTenant(t.Context(), directory.Tenant{Name: "after-migrate", CreatedAt: time.Now().UTC()}); err != nil {
		t.Errorf("CreateTenant after migrating twice: %v", err)
	}
}

// TestConcurrentWriters checks that writers queue for the one writer
// connection instead of failing with SQLITE_BUSY, while readers keep going.
func TestConcurrentWriters(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "busy", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	const writers, updates = 32, 5
	errs := make(chan error, writers*(updates+2))
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			ev := directory.Event{TenantID: tenant.ID, Time: now, Actor: "test", Action: "user.update"}
			u, err := s.CreateUser(ctx, directory.User{TenantID: tenant.ID, Username: "w" + strconv.Itoa(i), CreatedAt: now, UpdatedAt: now}, ev)
			if err != nil {
				errs <- err
				return
			}
			for j := range updates {
				u.Name = "update " + strconv.Itoa(j)
				upd := ev
				upd.Fields = []string{"name"}
				if u, err = s.UpdateUser(ctx, u, upd); err != nil {
					errs <- err
					return
				}
				if _, err := s.ListUsers(ctx, tenant.ID, directory.UserFilter{Query: "w", Limit: 10}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent write: got %v (kind %s), want no error", err, directory.KindOf(err))
	}
	users, err := s.ListUsers(ctx, tenant.ID, directory.UserFilter{Limit: writers + 1})
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	if len(users) != writers {
		t.Fatalf("users: got %d, want %d", len(users), writers)
	}
	for _, u := range users {
		if u.Version != updates+1 {
			t.Errorf("user %s version: got %d, want %d", u.Username, u.Version, updates+1)
		}
	}
}

func TestCreateUsersBatchError(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "batch", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	users := make([]directory.User, 1000)
	for i := range users {
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + strconv.Itoa(i), CreatedAt: now, UpdatedAt: now}
	}
	users[999].Username = "USER17"
	_, err = s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"})
	var be *directory.BatchError
	if !errors.As(err, &be) || be.Index != 999 {
		t.Fatalf("CreateUsers: got %v, want a *directory.BatchError for index 999", err)
	}
	if e := directory.AsError(err); e.Kind != directory.Conflict || e.Field != "username" {
		t.Errorf("CreateUsers: got kind %s field %q, want conflict on username", e.Kind, e.Field)
	}
}

// BenchmarkCreateUsers measures a bulk import batch of 1000 users.
func BenchmarkCreateUsers(b *testing.B) {
	s := openTest(b, Options{})
	now := time.Now().UTC().Truncate(time.Microsecond)
	tenant, err := s.CreateTenant(b.Context(), directory.Tenant{Name: "bench", CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	n := 0
	for b.Loop() {
		users := make([]directory.User, 1000)
		for i := range users {
			n++
			users[i] = directory.User{TenantID: tenant.ID, Username: "user" + strconv.Itoa(n), Email: "user" + strconv.Itoa(n) + "@example.com",
				Extension: map[string]any{"team": "bench"}, CreatedAt: now, UpdatedAt: now}
		}
		if _, err := s.CreateUsers(b.Context(), users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDeadlineUnavailable: a request whose deadline passes while it waits
// for the writer is Unavailable (503), not an internal error.
func TestDeadlineUnavailable(t *testing.T) {
	s := openTest(t, Options{})
	conn, err := s.w.Conn(t.Context()) // hold the only writer connection
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	_, err = s.CreateTenant(ctx, directory.Tenant{Name: "late", CreatedAt: time.Now()})
	if got := directory.KindOf(err); got != directory.Unavailable {
		t.Errorf("write past its deadline: got %v (kind %s), want kind unavailable", err, got)
	}
}

// TestListUsersPlan checks that a prefix-filtered list reads its page from
// the prefix's index range, in the index's order (no sort of every match),
// on a store that has no planner statistics: fresh, migrated, populated and
// never closed, like a server whose users arrived through its API. Without
// them SQLite once walked every user in id order.
func TestListUsersPlan(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "plan", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	users := make([]directory.User, 5000)
	for i := range users {
		n := strconv.Itoa(i)
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + n, Name: "User " + n, Email: "user" + n + "@plan.example", CreatedAt: now, UpdatedAt: now}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	var analyzed bool
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) > 0 FROM sqlite_master WHERE name = 'sqlite_stat1'`).Scan(&analyzed); err != nil {
		t.Fatalf("look for statistics: %v", err)
	}
	if analyzed {
		t.Fatal("the store has planner statistics; the test needs a store without them")
	}

	tests := []struct {
		name   string
		filter directory.UserFilter
		want   string
	}{
		{"email", directory.UserFilter{Email: "user12", Limit: 101}, "INDEX users_email (tenant_id=? AND email_lower>? AND email_lower<?)"},
		{"username", directory.UserFilter{Username: "User12", Limit: 101}, "INDEX users_username (tenant_id=? AND username_lower>? AND username_lower<?)"},
		{"email after a cursor", directory.UserFilter{Email: "user12", AfterKey: "user1234@plan.example", AfterID: 1235, Limit: 101}, "INDEX users_email (tenant_id=? AND email_lower>? AND email_lower<?)"},
		{"username after a cursor", directory.UserFilter{Username: "user12", AfterKey: "user1234", AfterID: 1235, Limit: 101}, "INDEX users_username (tenant_id=? AND username_lower>? AND username_lower<?)"},
		{"email and username", directory.UserFilter{Email: "user12", Username: "user1", Limit: 101}, "INDEX users_email (tenant_id=? AND email_lower>? AND email_lower<?)"},
		{"email and query", directory.UserFilter{Email: "user12", Query: "user1", Limit: 101}, "INDEX users_email (tenant_id=? AND email_lower>? AND email_lower<?)"},
		// users_name's entries end with the rowid (the id): users of one
		// name come in id order without a sort.
		{"name", directory.UserFilter{Name: "User 12", Limit: 101}, "INDEX users_name (tenant_id=? AND name_lower>? AND name_lower<?)"},
		{"name after a cursor", directory.UserFilter{Name: "User 12", AfterKey: "User 1234", AfterID: 1235, Limit: 101}, "INDEX users_name (tenant_id=? AND name_lower>? AND name_lower<?)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			query, args := listUsersQuery(userColumns, tenant.ID, tc.filter)
			plan := queryPlan(t, s, query, args)
			if len(plan) == 0 || !strings.HasSuffix(plan[0], tc.want) || !strings.HasPrefix(plan[0], "SEARCH users USING ") {
				t.Errorf("plan: got %q, want SEARCH users USING ... %s first", plan, tc.want)
			}
			for _, step := range plan {
				if strings.Contains(step, "TEMP B-TREE") {
					t.Errorf("plan: got %q, want no sort (%s)", plan, step)
				}
			}
			got, err := s.ListUsers(ctx, tenant.ID, tc.filter)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			order := tc.filter.Order()
			if len(got) == 0 || order.Key(got[0]) <= tc.filter.AfterKey {
				t.Fatalf("ListUsers: got %d users, want some after %q", len(got), tc.filter.AfterKey)
			}
			for i := 1; i < len(got); i++ {
				if order.Key(got[i]) <= order.Key(got[i-1]) {
					t.Fatalf("ListUsers: got %q then %q, want ascending keys", order.Key(got[i-1]), order.Key(got[i]))
				}
			}
		})
	}
}
