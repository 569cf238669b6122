package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// copyUserColumns are the columns CopyUsers writes, in the order copyRow
// gives their values.
var copyUserColumns = append([]string{"tenant_id", "username", "name", "nick_name", "email", "phone",
	"phone_country_code", "active", "locked", "must_change_password", "password_changed_at", "origin", "client_ip",
	"enterprise_id", "grade", "employee_number", "address", "city", "province", "country", "comment",
	"extension", "created_at", "updated_at", "version", "password_hash"},
	"external_id", "given_name", "middle_name", "family_name", "honorific_prefix", "honorific_suffix",
	"display_name", "title", "user_type", "preferred_language", "locale", "timezone", "profile_url",
	"email_type", "phone_type", "other_emails", "other_phones", "postal_code", "address_type",
	"organization", "division", "department", "cost_center", "gender", "birthday", "identity_type",
	"identity_number", "area", "hire_date", "work_place")

// CopyUsers bulk-loads users prepared by directory.Service.PrepareImport
// with COPY, many times faster than CreateUsers' INSERT: the seeding path
// of the benchmark (go run ./bench), which loads millions. It is no Store
// method and no import: it records no audit event, writes no memberships
// or managers (a user with either is refused), and does not return the
// ids. It records changes, PrepareImport's entries of the users' creation
// (one per user, in order), in the change log in the same transaction, as
// an import does. The table's constraints still hold: a duplicate username
// fails the copy.
func (s *Store) CopyUsers(ctx context.Context, users []directory.User, changes []directory.Change) error {
	if len(changes) != len(users) {
		return fmt.Errorf("postgres: copy %d users with %d change-log entries: give one entry per user, as PrepareImport returns them", len(users), len(changes))
	}
	rows := make([][]any, len(users))
	names := make([]string, len(users))
	for i := range users {
		row, err := copyRow(&users[i])
		if err != nil {
			return err
		}
		rows[i], names[i] = row, users[i].Username
	}
	if len(users) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.CopyFrom(ctx, pgx.Identifier{"users"}, copyUserColumns, pgx.CopyFromRows(rows)); err != nil {
			return err
		}
		// The ids, in the order of users: usernames are unique per tenant.
		idRows, err := tx.Query(ctx, `SELECT u.id FROM unnest($2::text[]) WITH ORDINALITY AS n(username, i)
			JOIN users u ON u.tenant_id = $1 AND u.username = n.username ORDER BY n.i`, users[0].TenantID, names)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(idRows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(ids) != len(users) {
			return fmt.Errorf("read back %d ids; the users must all be of one tenant", len(ids))
		}
		return recordChanges(ctx, tx, directory.Created(changes, ids...))
	})
	if err != nil {
		return fmt.Errorf("postgres: copy %d users: %w", len(users), err)
	}
	return nil
}

// copyRow is the row of copyUserColumns for u, with the conversions of
// insertUsersSQL: an empty email or external id is NULL.
func copyRow(u *directory.User) ([]any, error) {
	if len(u.Orgs) > 0 || u.ManagerID != 0 {
		return nil, fmt.Errorf("postgres: copy user %q: CopyUsers writes no memberships or managers; import it instead", u.Username)
	}
	ext, err := encodeExtension(u.Extension)
	if err != nil {
		return nil, err
	}
	row := make([]any, 0, len(copyUserColumns))
	row = append(row, u.TenantID, u.Username, u.Name, u.NickName, nullEmpty(u.Email), u.Phone,
		u.PhoneCountryCode, u.Active, u.Locked, u.MustChangePassword, nullTime(u.PasswordChangedAt), u.Origin, u.ClientIP,
		u.EnterpriseID, int64(u.Grade), u.EmployeeNumber, u.Address, u.City, u.Province, u.Country, u.Comment,
		ext, u.CreatedAt, u.UpdatedAt, int64(1), u.PasswordHash)
	for i, v := range profileValues(&u.Profile) {
		if i == 0 {
			row = append(row, nullEmpty(v))
			continue
		}
		row = append(row, v)
	}
	return row, nil
}

// nullEmpty is nil (NULL) for "", else s.
func nullEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
