package postgres

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/directory/directorytest"
)

// TestExternalIDPlan checks that a lookup by external id reads the users
// with that id from users_external_id_idx, in id order without a sort, on
// a store without planner statistics: SCIM asks externalId eq on every
// provisioning pass, so a scan of the tenant would cost every pass the
// whole tenant.
func TestExternalIDPlan(t *testing.T) {
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
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + n, CreatedAt: now, UpdatedAt: now}
		if i%2 == 0 {
			users[i].ExternalID = "ext-" + strconv.Itoa(i/10)
		}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	for _, f := range []directory.UserFilter{
		{ExternalID: "ext-12", Limit: 101},
		{ExternalID: "ext-12", AfterID: 100, Limit: 101},
	} {
		query, args, _ := listUsersQuery(userSelect, tenant.ID, f)
		text := explain(t, s, query, args...)
		if !strings.Contains(text, "Index Scan using users_external_id_idx on users") || strings.Contains(text, "Sort") {
			t.Errorf("%+v: plan:\n%s\nwant an Index Scan using users_external_id_idx and no Sort", f, text)
		}
		got, err := s.ListUsers(ctx, tenant.ID, f)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		if len(got) != 5 {
			t.Errorf("%+v: got %d users, want the 5 with ext-12", f, len(got))
		}
	}
}

// TestProfileMigration stores a user before the profile columns existed,
// migrates, and checks it as directorytest.CheckMigratedUser says.
func TestProfileMigration(t *testing.T) {
	ctx := t.Context()
	old := openAtVersion(t, 2)
	var tenant int64
	if err := old.pool.QueryRow(ctx, `INSERT INTO tenants (name, created_at) VALUES ('old', now()) RETURNING id`).Scan(&tenant); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := old.pool.QueryRow(ctx, `INSERT INTO users (tenant_id, username, name, nick_name, email, phone, phone_country_code,
		active, locked, must_change_password, origin, client_ip, enterprise_id, grade, employee_number, address, city,
		province, country, comment, extension, created_at, updated_at, version, password_hash)
		VALUES ($1, 'Ada', 'Ada', '', 'ada@example.com', '5550100', '', true, false, false, 'api', '', '', 0, '', '', '',
		'', '', '', '{}', now(), now(), 1, '') RETURNING id`, tenant).Scan(&id); err != nil {
		t.Fatalf("insert a user of version 2: %v", err)
	}
	if err := old.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	directorytest.CheckMigratedUser(t, old, tenant, id)
}

// TestUserCountsMigration counts the users stored before the user counts
// existed (migration 00008).
func TestUserCountsMigration(t *testing.T) {
	old := openAtVersion(t, 7)
	directorytest.CheckCountsMigrated(t, old, func() error { return old.Migrate(t.Context()) })
}

// openAtVersion returns a Store over a new schema migrated up to version
// only, for a test of the migrations after it.
func openAtVersion(t *testing.T, version int64) *Store {
	t.Helper()
	ctx := t.Context()
	dbURL := testDatabase(t)
	schema := "s" + strconv.FormatInt(testDB.schemas.Add(1), 10)
	s := openFresh(t) // only for its connection to create the schema
	if _, err := s.pool.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	old := openURL(t, withParam(dbURL, "search_path", schema))
	db := stdlib.OpenDBFromPool(old.pool)
	t.Cleanup(func() { db.Close() })
	p, err := migrations(db)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, version); err != nil {
		t.Fatalf("migrate to version %d: %v", version, err)
	}
	return old
}
