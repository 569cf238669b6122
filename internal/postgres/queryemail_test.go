package postgres

import (
	"testing"

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
	directorytest.UserEmails(t, s)
	var extra, missing, rows int
	err := s.pool.QueryRow(t.Context(), `SELECT
		(SELECT count(*) FROM (SELECT tenant_id, user_id, position, value, value_lower, type, is_primary FROM user_emails EXCEPT SELECT * FROM (`+rebuiltEmails+`) r) x),
		(SELECT count(*) FROM (SELECT * FROM (`+rebuiltEmails+`) r EXCEPT SELECT tenant_id, user_id, position, value, value_lower, type, is_primary FROM user_emails) y),
		(SELECT count(*) FROM user_emails)`).Scan(&extra, &missing, &rows)
	if err != nil {
		t.Fatal(err)
	}
	if extra != 0 || missing != 0 || rows < 50 {
		t.Errorf("user_emails: %d rows not of a user's emails, %d emails without a row, %d rows in all (want 0, 0, at least 50)", extra, missing, rows)
	}
}

// TestUserEmailsMigration fills user_emails with the emails of the users
// stored before it existed (migration 00009).
func TestUserEmailsMigration(t *testing.T) {
	old := openAtVersion(t, 8)
	directorytest.CheckEmailsMigrated(t, old, func() error { return old.Migrate(t.Context()) })
}
