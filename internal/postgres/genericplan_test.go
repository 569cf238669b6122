package postgres

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// TestSearchReadsGenericPlan checks that a search's range reads run on
// their generic plan, planned once per connection (the plan itself is
// TestListUsersPlan's), that other reads keep PostgreSQL's own choice, and
// that the setting never outlives the batch it came in, even when the
// statement after it fails.
func TestSearchReadsGenericPlan(t *testing.T) {
	// One connection, so that pg_prepared_statements, which is per
	// connection, shows every read.
	s := openFreshWith(t, "pool_max_conns", "1")
	ctx := t.Context()
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "generic", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	users := make([]directory.User, 300)
	for i := range users {
		n := strings.Repeat("x", i%3) + string(rune('a'+i%26))
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + n + "-" + strings.Repeat("0", i%5) + string(rune('0'+i%10)) + "-" + string(rune('a'+i/26)),
			Name: "User " + n, Email: "u" + string(rune('a'+i/26)) + n + string(rune('0'+i%10)) + "@generic.example", CreatedAt: now, UpdatedAt: now}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}

	const runs = 8
	searches := []directory.UserFilter{{Username: "userx"}, {Email: "ub"}, {Name: "user xx"}}
	for i := range runs {
		for _, f := range searches {
			f.Limit = 11
			if i%2 == 1 {
				f.AfterKey, f.AfterID = "u", int64(i)
			}
			if _, err := s.ListUserSummaries(ctx, tenant.ID, f); err != nil {
				t.Fatalf("ListUserSummaries(%+v): %v", f, err)
			}
		}
	}
	// A list in id order keeps PostgreSQL's own choice: custom plans first.
	for range runs {
		if _, err := s.ListUserSummaries(ctx, tenant.ID, directory.UserFilter{Limit: 11}); err != nil {
			t.Fatalf("ListUserSummaries: %v", err)
		}
	}

	stmts := preparedPlans(t, s, `SELECT u.id, u.tenant_id, u.username%`)
	ranges, byID := 0, 0
	for _, c := range stmts {
		switch {
		case strings.Contains(c.statement, " ~<~ "):
			ranges++
			if c.custom != 0 || c.generic != runs {
				t.Errorf("a range read ran %d generic and %d custom plans, want %d generic and none custom:\n%s", c.generic, c.custom, runs, c.statement)
			}
		case strings.Contains(c.statement, "ORDER BY u.id "):
			byID++
			if c.custom == 0 {
				t.Errorf("the list in id order ran %d generic and %d custom plans, want PostgreSQL's choice, custom plans first:\n%s", c.generic, c.custom, c.statement)
			}
		}
	}
	if ranges != len(searches) || byID != 1 {
		t.Errorf("got %d range statements and %d in id order, want %d and 1: %+v", ranges, byID, len(searches), stmts)
	}

	// A failing statement after the setting: the batch's implicit
	// transaction is rolled back, and the setting with it.
	b := &pgx.Batch{}
	b.Queue(forceGenericPlan)
	b.Queue(`SELECT 1 / 0`)
	if err := s.pool.SendBatch(ctx, b).Close(); err == nil {
		t.Fatal("SELECT 1 / 0: no error")
	}
	var mode string
	if err := s.pool.QueryRow(ctx, `SELECT current_setting('plan_cache_mode')`).Scan(&mode); err != nil {
		t.Fatalf("read plan_cache_mode: %v", err)
	}
	if mode != "auto" {
		t.Errorf("plan_cache_mode after the batches: got %q, want auto", mode)
	}
}

// TestQueryReadsGenericPlan checks that a SCIM page filtered by one prefix
// (`userName sw "…"`), its count included, runs on its generic plan,
// planned once per connection, that the generic plans read the prefix's
// index with no scan of the tenant, and that a query of another shape
// keeps PostgreSQL's own choice.
func TestQueryReadsGenericPlan(t *testing.T) {
	// One connection, so that pg_prepared_statements, which is per
	// connection, shows every read.
	s := openFreshWith(t, "pool_max_conns", "1")
	ctx := t.Context()
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "generic query", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	// Enough users that reading the whole table costs more than a range
	// of its index, as it does at any size a plan matters for.
	users := make([]directory.User, 5000)
	for i := range users {
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + strconv.Itoa(i), Active: i%2 == 0, CreatedAt: now, UpdatedAt: now}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}

	const runs = 8
	active := &directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldActive, Value: true}
	for i := range runs {
		prefix := &directory.UserQuery{Op: directory.QueryStartsWith, Field: directory.FieldUsername, Value: "USER" + strconv.Itoa(i+1)}
		for _, q := range []*directory.UserQuery{prefix, active} {
			if _, err := s.QueryUsers(ctx, tenant.ID, q, directory.UserSort{}, 0, 0, 11, directory.ResourceView); err != nil {
				t.Fatalf("QueryUsers(%+v): %v", q, err)
			}
			if _, err := s.CountUserQuery(ctx, tenant.ID, q, 100); err != nil {
				t.Fatalf("CountUserQuery(%+v): %v", q, err)
			}
		}
	}

	stmts := preparedPlans(t, s, `%FROM users u WHERE u.tenant_id = $1 AND%`)
	ranges, others := 0, 0
	for _, c := range stmts {
		if !strings.Contains(c.statement, " ~<~ ") {
			others++
			if c.custom == 0 {
				t.Errorf("a query by active ran %d generic and %d custom plans, want PostgreSQL's choice, custom plans first:\n%s", c.generic, c.custom, c.statement)
			}
			continue
		}
		ranges++
		if c.custom != 0 || c.generic != runs {
			t.Errorf("a prefix read ran %d generic and %d custom plans, want %d generic and none custom:\n%s", c.generic, c.custom, runs, c.statement)
		}
		args := []any{tenant.ID, int64(0), "user1", "user2", 11, 0} // the page: tenant, after, range, limit, offset
		if strings.HasPrefix(c.statement, "SELECT count(*)") {
			args = []any{tenant.ID, "user1", "user2", 100}
		}
		if plan := explainGeneric(t, s, c.statement, args...); !strings.Contains(plan, "users_username_prefix_idx") || strings.Contains(plan, "Seq Scan") {
			t.Errorf("generic plan:\n%s\nwant the range read from users_username_prefix_idx, with no Seq Scan", plan)
		}
	}
	if ranges != 2 || others != 2 {
		t.Errorf("got %d prefix statements and %d others, want 2 and 2: %+v", ranges, others, stmts)
	}
}

// planCounts is a prepared statement of a connection and how many times
// it ran on its generic plan and on a custom one.
type planCounts struct {
	statement       string
	generic, custom int64
}

// preparedPlans returns the statements prepared on s's connection (a pool
// of one) whose text is LIKE pattern, this query of them left out.
func preparedPlans(t *testing.T, s *Store, pattern string) []planCounts {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), `SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements
		WHERE statement LIKE $1 AND statement NOT LIKE '%pg_prepared_statements%'`, pattern)
	if err != nil {
		t.Fatalf("read pg_prepared_statements: %v", err)
	}
	stmts, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (planCounts, error) {
		var c planCounts
		return c, r.Scan(&c.statement, &c.generic, &c.custom)
	})
	if err != nil {
		t.Fatalf("read pg_prepared_statements: %v", err)
	}
	return stmts
}
