package postgres

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/directory/directorytest"
)

// rebuiltEmails is what user_emails holds when it is exact: the rows the
// migration makes from users.
const rebuiltEmails = `SELECT tenant_id, id, 0::smallint, email, lower(email), email_type, true FROM users WHERE email IS NOT NULL
	UNION ALL
	SELECT u.tenant_id, u.id, e.n::smallint, e.c ->> 'value', lower(e.c ->> 'value'), coalesce(e.c ->> 'type', ''), false
	FROM users u, jsonb_array_elements(u.other_emails) WITH ORDINALITY AS e (c, n)`

// TestUserEmailsTable checks that the triggers leave user_emails holding
// exactly the emails of the users after creates, imports, updates,
// deletes and concurrent writers: no row missing, none left over.
func TestUserEmailsTable(t *testing.T) {
	s := openFresh(t)
	directorytest.CheckEmailsTable(t, s, rebuiltEmails, func(query string) (extra, missing, rows int, err error) {
		err = s.pool.QueryRow(t.Context(), query).Scan(&extra, &missing, &rows)
		return extra, missing, rows, err
	})
}

// TestUserEmailsMigration fills user_emails with the emails of the users
// stored before it existed (migration 00009).
func TestUserEmailsMigration(t *testing.T) {
	old := openAtVersion(t, 8)
	directorytest.CheckEmailsMigrated(t, old, func() error { return old.Migrate(t.Context()) })
}

// TestEmailQueryPlan checks that an equality or prefix on any email reads
// user_emails_value_idx (the prefix as a byte-wise range) once, without
// planner statistics on user_emails, and reads the users by id: a filter
// on a secondary email costs its matches, not the tenant.
func TestEmailQueryPlan(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	for _, table := range []string{"users", "user_emails"} {
		if _, err := s.pool.Exec(ctx, `ALTER TABLE `+table+` SET (autovacuum_enabled = false)`); err != nil {
			t.Fatalf("keep autovacuum off %s: %v", table, err)
		}
	}
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "plan", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	users := make([]directory.User, 5000)
	for i := range users {
		n := strconv.Itoa(i)
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + n, Email: "user" + n + "@example.com", CreatedAt: now, UpdatedAt: now,
			Profile: directory.Profile{OtherEmails: []directory.Contact{{Value: "other" + strconv.Itoa(i/10) + "@home.example", Type: "home"}}}}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	// users has statistics in any database that has served a while; the
	// new table of emails has none until autovacuum gets to it.
	if _, err := s.pool.Exec(ctx, `ANALYZE users`); err != nil {
		t.Fatal(err)
	}
	value := func(op directory.QueryOp, v string) *directory.UserQuery {
		return &directory.UserQuery{Op: directory.QueryAnyEmail, Args: []directory.UserQuery{{Op: op, Field: directory.FieldEmailEntryValue, Value: v}}}
	}
	for _, tt := range []struct {
		q    *directory.UserQuery
		cond string
		want int
	}{
		{value(directory.QueryEq, "OTHER12@home.example"), "Index Cond: ((tenant_id = '1'::bigint) AND (value_lower = 'other12@home.example'::text))", 10},
		{value(directory.QueryStartsWith, "other12"), "Index Cond: ((tenant_id = '1'::bigint) AND (value_lower ~>=~ 'other12'::text) AND (value_lower ~<~ 'other13'::text))", 110},
	} {
		c := &userQueryCompiler{args: []any{tenant.ID, int64(0)}}
		where := c.where(tt.q)
		sql := `SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.id > $2 AND ` + where +
			` ORDER BY ` + pgUserQueryOrder(directory.UserSort{}, tt.q.Selective()) + ` LIMIT 101`
		text := explain(t, s, sql, c.mode()...)
		if !strings.Contains(text, "user_emails_value_idx on user_emails") || !strings.Contains(text, tt.cond) || strings.Contains(text, "Seq Scan") || !strings.Contains(text, "(id = ANY ($0)))") {
			t.Errorf("%v: plan:\n%s\nwant user_emails_value_idx with %s, the users read by id, and no Seq Scan", tt.q.Args[0], text, tt.cond)
		}
		got, err := s.QueryUsers(ctx, tenant.ID, tt.q, directory.UserSort{}, 0, 0, 200, directory.WholeUser)
		if err != nil || len(got) != tt.want {
			t.Errorf("%v: got %d users (%v), want %d", tt.q.Args[0], len(got), err, tt.want)
		}
	}
}

// explain returns the plan of sql, without costs, one line a step.
func explain(t *testing.T, s *Store, sql string, args ...any) string {
	t.Helper()
	rows, err := s.pool.Query(t.Context(), "EXPLAIN (COSTS OFF) "+sql, args...)
	if err != nil {
		t.Fatalf("EXPLAIN: %v", err)
	}
	plan, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatalf("read the plan: %v", err)
	}
	return strings.Join(plan, "\n")
}
