package sqlite

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/directory/directorytest"
)

// rebuiltEmails is what user_emails holds when it is exact: the rows the
// migration makes from users.
const rebuiltEmails = `SELECT tenant_id, id, 0, email, email_lower, email_type, 1 FROM users WHERE email IS NOT NULL
	UNION ALL
	SELECT u.tenant_id, u.id, e.key + 1, e.value ->> 'value', userd_lower(e.value ->> 'value'), coalesce(e.value ->> 'type', ''), 0
	FROM users u, json_each(u.other_emails) e`

// TestUserEmailsTable checks that the triggers leave user_emails holding
// exactly the emails of the users after creates, imports, updates,
// deletes and concurrent writers: no row missing, none left over.
func TestUserEmailsTable(t *testing.T) {
	s := openTest(t, Options{})
	directorytest.CheckEmailsTable(t, s, rebuiltEmails, func(query string) (extra, missing, rows int, err error) {
		err = s.r.QueryRowContext(t.Context(), query).Scan(&extra, &missing, &rows)
		return extra, missing, rows, err
	})
}

// TestUserEmailsMigration fills user_emails with the emails of the users
// stored before it existed (migration 00008).
func TestUserEmailsMigration(t *testing.T) {
	s := openAtVersion(t, 7)
	directorytest.CheckEmailsMigrated(t, s, func() error { return s.Migrate(t.Context()) })
}

// openAtVersion returns a Store over a new database migrated up to
// version only, for a test of the migrations after it.
func openAtVersion(t *testing.T, version int64) *Store {
	t.Helper()
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "userd.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	p, err := s.migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(t.Context(), version); err != nil {
		t.Fatalf("migrate to version %d: %v", version, err)
	}
	return s
}

// TestEmailQueryPlan checks that an equality or prefix on any email reads
// user_emails_value, on a store without planner statistics, and reads the
// users by id: a filter on a secondary email costs its matches, not the
// tenant.
func TestEmailQueryPlan(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "plan", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	users := make([]directory.User, 2000)
	for i := range users {
		n := strconv.Itoa(i)
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + n, Email: "user" + n + "@example.com", Extension: map[string]any{}, CreatedAt: now, UpdatedAt: now,
			Profile: directory.Profile{OtherEmails: []directory.Contact{{Value: "other" + strconv.Itoa(i/10) + "@home.example", Type: "home"}}}}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	value := func(op directory.QueryOp, v string) *directory.UserQuery {
		return &directory.UserQuery{Op: directory.QueryAnyEmail, Args: []directory.UserQuery{{Op: op, Field: directory.FieldEmailEntryValue, Value: v}}}
	}
	for _, tt := range []struct {
		q     *directory.UserQuery
		index string
		want  int
	}{
		{value(directory.QueryEq, "OTHER12@home.example"), "(tenant_id=? AND value_lower=?)", 10},
		{value(directory.QueryStartsWith, "other12"), "(tenant_id=? AND value_lower>? AND value_lower<?)", 110},
	} {
		where, args := userQueryWhere(tt.q, []any{tenant.ID, int64(0)})
		query := `SELECT id FROM users WHERE tenant_id = ? AND id > ? AND ` + where + ` ORDER BY ` + userQueryOrder(directory.UserSort{}, tt.q.Selective()) + ` LIMIT 101`
		text := strings.Join(queryPlan(t, s, query, args), "\n")
		if !strings.Contains(text, "USING COVERING INDEX user_emails_value "+tt.index) || strings.Contains(text, "SCAN users") {
			t.Errorf("%v: plan:\n%s\nwant user_emails_value %s and no scan of users", tt.q.Args[0], text, tt.index)
		}
		got, err := s.QueryUsers(ctx, tenant.ID, tt.q, directory.UserSort{}, 0, 0, 200, directory.WholeUser)
		if err != nil || len(got) != tt.want {
			t.Errorf("%v: got %d users (%v), want %d", tt.q.Args[0], len(got), err, tt.want)
		}
	}
}

// queryPlan returns the steps of EXPLAIN QUERY PLAN for query.
func queryPlan(t *testing.T, s *Store, query string, args []any) []string {
	t.Helper()
	rows, err := s.r.QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatalf("EXPLAIN QUERY PLAN: %v", err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatalf("scan the plan: %v", err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read the plan: %v", err)
	}
	return plan
}
