package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// usersByIDSQL reads the columns of a directory.Card, in the order
// scanCard takes them, of the tenant's users among a JSON array of ids.
const usersByIDSQL = `SELECT id, tenant_id, email, name, employee_number, manager_id, phone,
	phone_country_code, address, city, province, country, comment, extension
	FROM users WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`

// cardColumnCount is the number of columns usersByIDSQL selects.
const cardColumnCount = 14

// UsersByID returns the users of the tenant among ids, each as a
// directory.Card.
func (s *Store) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	users := make([]directory.User, 0, min(len(ids), directory.MaxBatch))
	row := newRowValues(cardColumnCount)
	// By primary key, at most directory.MaxBatch of them (the Service's limit).
	err := s.readUsers(ctx, bounded, usersByIDSQL, []any{tenantID, idList(ids)}, func(rows *sql.Rows) error {
		c, err := row.scan(rows)
		if err != nil {
			return err
		}
		u, err := scanCard(c)
		users = append(users, u)
		return err
	})
	return users, err
}

// scanCard converts a row of usersByIDSQL.
func scanCard(c columns) (directory.User, error) {
	u := directory.User{
		ID: c.int(0), TenantID: c.int(1), Email: c.text(2), Name: c.text(3), EmployeeNumber: c.text(4),
		ManagerID: c.int(5), Phone: c.text(6), PhoneCountryCode: c.text(7), Address: c.text(8),
		City: c.text(9), Province: c.text(10), Country: c.text(11), Comment: c.text(12),
	}
	ext := c.text(13)
	if err := c.err; err != nil {
		return u, fmt.Errorf("sqlite: user %d: %w", u.ID, err)
	}
	var err error
	if u.Extension, err = directory.DecodeExtension(ext); err != nil {
		return u, fmt.Errorf("sqlite: user %d: decode extension: %w", u.ID, err)
	}
	return u, nil
}
