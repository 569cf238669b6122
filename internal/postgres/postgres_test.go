package postgres

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/postgres/pgtest"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/directory/directorytest"
)

// testDB is the database this test run creates on the server named by
// pgtest.URLVar and drops when it ends. Each test store gets a schema of its own
// in it (search_path), which is much cheaper than a database per store.
var testDB struct {
	once    sync.Once
	url     string // the run's database; "" until created
	err     error
	schemas atomic.Int64
	drop    func() error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if testDB.drop != nil {
		if err := testDB.drop(); err != nil {
			fmt.Fprintf(os.Stderr, "postgres tests: %v\n", err)
			code = 1
		}
	}
	os.Exit(code)
}

// serverURL returns the URL in pgtest.URLVar, skipping the test when it is unset.
func serverURL(t testing.TB) string {
	t.Helper()
	raw := os.Getenv(pgtest.URLVar)
	if raw == "" {
		t.Skipf("%s is not set; set it to a postgres:// URL such as postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable to run the PostgreSQL tests", pgtest.URLVar)
	}
	return raw
}

// testDatabase returns the URL of the run's database, creating it on first
// use. It fails the test when pgtest.URLVar is set but PostgreSQL cannot be
// reached, and skips it when pgtest.URLVar is unset.
func testDatabase(t testing.TB) string {
	t.Helper()
	raw := serverURL(t)
	testDB.once.Do(func() {
		testDB.url, testDB.drop, testDB.err = pgtest.CreateDatabase(context.Background(), raw)
	})
	if testDB.err != nil {
		t.Fatal(testDB.err)
	}
	return testDB.url
}

// openFresh returns a migrated Store over an empty schema of its own in the
// run's database, closed when the test ends.
func openFresh(t testing.TB) *Store {
	t.Helper()
	return openFreshWith(t, "", "")
}

// openFreshWith is openFresh with the store's URL parameter key set to
// value (none when key is ""), such as a pool setting.
func openFreshWith(t testing.TB, key, value string) *Store {
	t.Helper()
	dbURL := testDatabase(t)
	schema := "s" + strconv.FormatInt(testDB.schemas.Add(1), 10)
	ctx := t.Context()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		t.Fatalf("connect to test database: %v", err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	storeURL := withParam(dbURL, "search_path", schema)
	if key != "" {
		storeURL = withParam(storeURL, key, value)
	}
	s := openURL(t, storeURL)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// suiteSchema is the schema the contract suite runs in: migrated once, then
// emptied for each subtest, which is several times faster than migrating a
// schema per subtest. The suite runs its subtests one at a time.
var suiteSchema struct {
	once sync.Once
	url  string
}

// schemaTables lists the schema's tables, each after the tables that
// reference it, so deleting in this order breaks no foreign key. DELETE of a
// few rows is much faster than TRUNCATE, which replaces every table and
// index file.
var schemaTables = []string{"change_queue", "changes", "change_heads", "change_pruned", "audit_events", "api_tokens", "clients", "user_orgs", "sessions", "console_roles", "signin_failures", "signin_links", "users", "user_emails", "user_counts", "orgs", "org_tree", "org_counts", "secrets", "webhook_remote_ids", "webhook_deliveries", "webhook_subscriptions", "leases", "tenants"}

// openEmptied returns a Store over the suite schema with every table
// emptied, closed when the test ends.
func openEmptied(t *testing.T) *Store {
	t.Helper()
	suiteSchema.once.Do(func() {
		s := openFresh(t)
		rows, err := s.pool.Query(t.Context(), `SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version' ORDER BY 1`)
		if err != nil {
			t.Fatalf("list tables: %v", err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if want := slices.Sorted(slices.Values(schemaTables)); err != nil || !slices.Equal(got, want) {
			t.Fatalf("schema tables: got %v (%v), want %v: update schemaTables", got, err, want)
		}
		suiteSchema.url = s.pool.Config().ConnString()
	})
	if suiteSchema.url == "" {
		t.Fatal("the suite schema could not be prepared; see the first failure")
	}
	s := openURL(t, suiteSchema.url)
	var b strings.Builder
	b.WriteString("BEGIN;")
	for _, table := range schemaTables {
		b.WriteString("DELETE FROM " + table + ";")
	}
	b.WriteString("COMMIT")
	if _, err := s.pool.Exec(t.Context(), b.String()); err != nil {
		t.Fatalf("empty the suite schema: %v", err)
	}
	return s
}

// openURL opens a Store closed when the test ends.
func openURL(t testing.TB, raw string) *Store {
	t.Helper()
	s, err := Open(t.Context(), raw)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func withParam(raw, key, value string) string {
	u, err := url.Parse(raw)
	if err != nil {
		panic(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

func TestStore(t *testing.T) {
	testDatabase(t) // fail or skip once, not in every subtest
	directorytest.Run(t, func(t *testing.T) directory.Store { return openEmptied(t) })
}

func TestMigrate(t *testing.T) {
	s := openFresh(t) // migrated once already
	schemaURL := s.pool.Config().ConnString()
	ctx := t.Context()

	// Two nodes starting at once on a new schema.
	schema := "s" + strconv.FormatInt(testDB.schemas.Add(1), 10)
	if _, err := s.pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	nodeURL := withParam(schemaURL, "search_path", schema)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		node := openURL(t, nodeURL)
		wg.Go(func() { errs[i] = node.Migrate(ctx) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("concurrent Migrate on node %d: %v", i, err)
		}
	}

	node := openURL(t, nodeURL)
	if err := node.Migrate(ctx); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	files, err := migrationFiles.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var applied, distinct int
	if err := node.pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&applied, &distinct); err != nil {
		t.Fatalf("read goose_db_version: %v", err)
	}
	if applied != len(files) || distinct != len(files) {
		t.Errorf("goose_db_version holds %d rows (%d versions), want %d: each migration applied exactly once", applied, distinct, len(files))
	}
}

// closedPort returns the address of a local TCP port nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestUnavailable(t *testing.T) {
	s := openURL(t, "postgres://postgres@"+closedPort(t)+"/userd?sslmode=disable")
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	calls := []struct {
		name string
		call func() error
	}{
		{"Ping", func() error { return s.Ping(ctx) }},
		{"User", func() error { _, err := s.User(ctx, 1, 1, directory.WholeUser); return err }},
		{"CreateTenant", func() error { _, err := s.CreateTenant(ctx, directory.Tenant{Name: "x"}); return err }},
		{"Migrate", func() error { return s.Migrate(ctx) }},
	}
	for _, c := range calls {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			err := c.call()
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v, want an answer within 2s", took)
			}
			if got := directory.KindOf(err); got != directory.Unavailable {
				t.Errorf("got kind %v (%v), want %v", got, err, directory.Unavailable)
			}
		})
	}
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name       string
		url        string
		maxConns   int32
		heavyReads int
		wantKind   directory.Kind
		wantMsg    string // in the error's message
	}{
		{"pool params", "postgres://u@127.0.0.1:5432/db?pool_max_conns=3&sslmode=disable", 3, 3, -1, ""},
		{"pool size as pgx's default", "postgres://u@127.0.0.1:5432/db?pool_max_conns=4", 4, 4, -1, ""},
		{"no pool size", "postgres://u@127.0.0.1:5432/db?sslmode=disable", defaultMaxConns, defaultMaxConns, -1, ""},
		{"keyword/value", "host=127.0.0.1 user=u dbname=db pool_max_conns=5 pool_max_heavy_reads=2", 5, 2, -1, ""},
		{"heavy reads set", "postgres://u@db.internal:5432/db?pool_max_heavy_reads=6", defaultMaxConns, 6, -1, ""},
		{"heavy reads above the pool", "postgres://u@127.0.0.1:5432/db?pool_max_conns=8&pool_max_heavy_reads=32", 8, 8, -1, ""},
		{"bad url", "postgres://u:sekrit@127.0.0.1:notaport/db?pool_max_conns=x", 0, 0, directory.Invalid, "not a valid postgres:// URL"},
		{"no heavy reads", "postgres://u:sekrit@127.0.0.1:5432/db?pool_max_heavy_reads=0", 0, 0, directory.Invalid, "pool_max_heavy_reads"},
		{"heavy reads not a number", "postgres://u:sekrit@127.0.0.1:5432/db?pool_max_heavy_reads=many", 0, 0, directory.Invalid, "1 or more"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(t.Context(), tc.url)
			if tc.wantKind >= 0 {
				if got := directory.KindOf(err); got != tc.wantKind {
					t.Fatalf("got kind %v (%v), want %v", got, err, tc.wantKind)
				}
				if strings.Contains(err.Error(), "sekrit") {
					t.Errorf("error %q shows the password", err)
				}
				if msg := directory.AsError(err).Message; !strings.Contains(msg, tc.wantMsg) {
					t.Errorf("got message %q, want it to contain %q", msg, tc.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer s.Close()
			if got := s.pool.Config().MaxConns; got != tc.maxConns {
				t.Errorf("got MaxConns %d, want %d", got, tc.maxConns)
			}
			if got := s.heavy.Size(); got != tc.heavyReads {
				t.Errorf("got %d heavy reads at once, want %d", got, tc.heavyReads)
			}
			if _, sent := s.pool.Config().ConnConfig.RuntimeParams[heavyReadsParam]; sent {
				t.Errorf("%s would be sent to the server, which does not know it", heavyReadsParam)
			}
		})
	}
}

// BenchmarkCreateUsers imports batches of 1000 users, each in two orgs, as
// `userd user import` does.
func BenchmarkCreateUsers(b *testing.B) {
	s := openFresh(b)
	ctx := b.Context()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "bench", CreatedAt: time.Now().UTC()})
	if err != nil {
		b.Fatal(err)
	}
	var orgs []directory.Membership
	for i := range 2 {
		o, err := s.CreateOrg(ctx, directory.Org{TenantID: tn.ID, Name: "org" + strconv.Itoa(i)}, directory.Event{TenantID: tn.ID})
		if err != nil {
			b.Fatal(err)
		}
		orgs = append(orgs, directory.Membership{OrgID: o.ID, Primary: i == 0})
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	n := 0
	for b.Loop() {
		users := make([]directory.User, 1000)
		for i := range users {
			n++
			users[i] = directory.User{TenantID: tn.ID, Username: "user" + strconv.Itoa(n), Email: "user" + strconv.Itoa(n) + "@example.com",
				Active: true, Origin: directory.OriginImport, Extension: map[string]any{"k": "v"}, Orgs: orgs, CreatedAt: now, UpdatedAt: now}
		}
		if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tn.ID, Time: now, Action: "user.import"}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestEmailPrefixEstimate checks that the planner knows how many users an
// email prefix matches. Without statistics on lower(email) it guesses 0.5%
// of the table, 50,000 users of 10M: it then walked the tenant's users in id
// order until a page of them matched, seconds per list page, instead of
// reading the thousand matches through the email index.
func TestEmailPrefixEstimate(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	now := time.Now().UTC()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "plan", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	const n, batch = 20_000, 5_000
	for lo := 0; lo < n; lo += batch {
		users := make([]directory.User, batch)
		for i := range users {
			name := fmt.Sprintf("user%05d", lo+i)
			users[i] = directory.User{TenantID: tn.ID, Username: name, Email: name + "@example.com",
				Active: true, Origin: directory.OriginImport, CreatedAt: now, UpdatedAt: now}
		}
		if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tn.ID, Time: now, Action: "user.import"}); err != nil {
			t.Fatalf("CreateUsers: %v", err)
		}
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE users"); err != nil {
		t.Fatalf("ANALYZE: %v", err)
	}
	// The filter ListUsers sends for Email "user1999", which matches 10 users.
	var plan string
	err = s.pool.QueryRow(ctx, fmt.Sprintf(`EXPLAIN SELECT id FROM users u WHERE u.tenant_id = %d AND lower(u.email) LIKE 'user1999%%'`, tn.ID)).Scan(&plan)
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	m := regexp.MustCompile(` rows=(\d+) `).FindStringSubmatch(plan)
	if m == nil {
		t.Fatalf("no row estimate in the plan %q", plan)
	}
	if rows, _ := strconv.Atoi(m[1]); rows > 30 {
		t.Errorf("the planner expects %d users to match, want about 10: %s", rows, plan)
	}
}

// TestListUsersPlan checks that a prefix-filtered list reads its page from
// the prefix's index in the index's order, with no sort of every match, on
// a store without planner statistics (a fresh one, before autovacuum has
// analyzed it), where the planner expects a handful of matches and would
// happily sort them; in the plan made with the arguments in hand and in
// the generic plan a cached statement runs, the prefix a range bounded
// both ways on the index, with no LIKE.
func TestListUsersPlan(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	if _, err := s.pool.Exec(ctx, `ALTER TABLE users SET (autovacuum_enabled = false)`); err != nil {
		t.Fatalf("keep autovacuum off the table: %v", err)
	}
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

	tests := []struct {
		name   string
		filter directory.UserFilter
		index  string
	}{
		{"email", directory.UserFilter{Email: "user1", Limit: 101}, "users_email_prefix_idx"},
		{"username", directory.UserFilter{Username: "User1", Limit: 101}, "users_username_prefix_idx"},
		{"email after a cursor", directory.UserFilter{Email: "user1", AfterKey: "user1234@plan.example", AfterID: 1235, Limit: 101}, "users_email_prefix_idx"},
		{"username after a cursor", directory.UserFilter{Username: "user1", AfterKey: "user1234", AfterID: 1235, Limit: 101}, "users_username_prefix_idx"},
		{"email and username", directory.UserFilter{Email: "user1", Username: "user1", Limit: 101}, "users_email_prefix_idx"},
		// Names repeat: the index holds the id after the name, so users
		// of one name come in id order without a sort of their group.
		{"name", directory.UserFilter{Name: "User 1", Limit: 101}, "users_name_prefix_idx"},
		{"name after a cursor", directory.UserFilter{Name: "user 1", AfterKey: "user 1234", AfterID: 1235, Limit: 101}, "users_name_prefix_idx"},
		{"name past ASCII", directory.UserFilter{Name: "Usé", Limit: 101}, "users_name_prefix_idx"},
		{"name ending in DEL", directory.UserFilter{Name: "user 1\x7f", Limit: 101}, "users_name_prefix_idx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			query, args, like := listUsersQuery(userSelect, tenant.ID, tc.filter)
			if like {
				t.Errorf("query %s: a LIKE, where a prefix range would do", query)
			}
			// The plan made with the arguments in hand, and the generic
			// plan a cached statement runs.
			for _, text := range []string{explain(t, s, query, args...), explainGeneric(t, s, query, args...)} {
				if !strings.Contains(text, "Index Scan using "+tc.index+" on users") || strings.Contains(text, "Sort") ||
					!strings.Contains(text, " ~<~ ") || strings.Contains(text, " ~~ ") {
					t.Errorf("plan:\n%s\nwant an Index Scan using %s bounded by ~<~, with no LIKE (~~) and no Sort", text, tc.index)
				}
			}
		})
	}
}
