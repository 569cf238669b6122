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

// TestExternalIDPlan checks that a lookup by external id reads the users
// with that id from users_external_id, in id order without a sort, on a
// store without planner statistics, and only those: SCIM asks
// externalId eq on every provisioning pass, so a scan of the tenant would
// cost every pass the whole tenant.
func TestExternalIDPlan(t *testing.T) {
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
		{ExternalID: "ext-12", Query: "user12", Limit: 101},
	} {
		query, args := listUsersQuery(userColumns, tenant.ID, f)
		plan := queryPlan(t, s, query, args)
		if len(plan) == 0 || !strings.HasPrefix(plan[0], "SEARCH users USING INDEX users_external_id (tenant_id=? AND external_id=?") {
			t.Errorf("%+v: plan %q, want SEARCH users USING INDEX users_external_id first", f, plan)
		}
		for _, step := range plan {
			if strings.Contains(step, "TEMP B-TREE") {
				t.Errorf("%+v: plan %q, want no sort (%s)", f, plan, step)
			}
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
	s, err := Open(ctx, filepath.Join(t.TempDir(), "userd.db"), Options{})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	p, err := s.migrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 1); err != nil {
		t.Fatalf("migrate to version 1: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO tenants (name, created_at) VALUES ('old', 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.ExecContext(ctx, `INSERT INTO users (tenant_id, username, username_lower, name, name_lower, nick_name,
		email, email_lower, phone, phone_country_code, active, locked, must_change_password, origin, client_ip,
		enterprise_id, grade, employee_number, address, city, province, country, comment, extension, password_hash,
		created_at, updated_at, version)
		VALUES (1, 'Ada', 'ada', 'Ada', 'ada', '', 'ada@example.com', 'ada@example.com', '5550100', '', 1, 0, 0, 'api', '',
		'', 0, '', '', '', '', '', '', '{}', '', 0, 0, 1)`); err != nil {
		t.Fatalf("insert a user of version 1: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	directorytest.CheckMigratedUser(t, s, 1, 1)
}

// TestUserCountsMigration counts the users stored before the user counts
// existed (migration 00007).
func TestUserCountsMigration(t *testing.T) {
	s := openAtVersion(t, 6)
	directorytest.CheckCountsMigrated(t, s, func() error { return s.Migrate(t.Context()) })
}
