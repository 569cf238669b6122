package sqlite

import (
	"path/filepath"
	"testing"

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
	directorytest.UserEmails(t, s)
	var extra, missing, rows int
	err := s.r.QueryRowContext(t.Context(), `SELECT
		(SELECT count(*) FROM (SELECT tenant_id, user_id, position, value, value_lower, type, is_primary FROM user_emails EXCEPT SELECT * FROM (`+rebuiltEmails+`))),
		(SELECT count(*) FROM (SELECT * FROM (`+rebuiltEmails+`) EXCEPT SELECT tenant_id, user_id, position, value, value_lower, type, is_primary FROM user_emails)),
		(SELECT count(*) FROM user_emails)`).Scan(&extra, &missing, &rows)
	if err != nil {
		t.Fatal(err)
	}
	if extra != 0 || missing != 0 || rows < 50 {
		t.Errorf("user_emails: %d rows not of a user's emails, %d emails without a row, %d rows in all (want 0, 0, at least 50)", extra, missing, rows)
	}
}

// TestUserEmailsMigration fills user_emails with the emails of the users
// stored before it existed (migration 00008).
func TestUserEmailsMigration(t *testing.T) {
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
	if _, err := p.UpTo(ctx, 7); err != nil {
		t.Fatalf("migrate to version 7: %v", err)
	}
	directorytest.CheckEmailsMigrated(t, s, func() error { return s.Migrate(ctx) })
}
