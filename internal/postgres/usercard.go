package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// usersByIDSQL reads the columns of a directory.Card, in the order
// scanCard takes them, of the tenant's users among an array of ids: one
// statement, prepared once per connection, whatever the number of ids.
const usersByIDSQL = `SELECT id, tenant_id, COALESCE(email, ''), name, employee_number,
	COALESCE(manager_id, 0), phone, phone_country_code, address, city, province, country, comment, extension
	FROM users WHERE tenant_id = $1 AND id = ANY($2)`

// cardColumnCount is the number of columns usersByIDSQL selects.
const cardColumnCount = 14

// UsersByID returns the users of tenantID among ids, each as a
// directory.Card.
func (s *Store) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var c cardScanner
	return queryInto(ctx, s, "read users", c.scan, make([]directory.User, 0, min(len(ids), directory.MaxBatch)), usersByIDSQL, tenantID, ids)
}

// cardColumns are the columns of usersByIDSQL as scanCard decodes them.
var cardColumns = [cardColumnCount]column{int8Column, int8Column, textColumn, textColumn, textColumn,
	int8Column, textColumn, textColumn, textColumn, textColumn, textColumn, textColumn, textColumn, jsonbColumn}

// cardScanner decodes the rows of usersByIDSQL, checking the first row's
// columns as userScanner does.
type cardScanner struct{ checked bool }

func (c *cardScanner) scan(row pgx.Row) (directory.User, error) {
	v, err := checkedValues(row, cardColumns[:], &c.checked)
	if err != nil {
		return directory.User{}, err
	}
	return scanCard(v)
}

// scanCard converts a row of usersByIDSQL, as cardScanner found its
// columns, into a user. Its texts are substrings of one string per row:
// scanning each column into a string of its own cost an allocation per
// column, most of the allocations of a batch.
func scanCard(v [][]byte) (directory.User, error) {
	var r rawRow
	r.join(v)
	u := directory.User{
		ID: r.int8(0), TenantID: r.int8(1), Email: r.text(2), Name: r.text(3), EmployeeNumber: r.text(4),
		ManagerID: r.int8(5), Phone: r.text(6), PhoneCountryCode: r.text(7), Address: r.text(8),
		City: r.text(9), Province: r.text(10), Country: r.text(11), Comment: r.text(12),
	}
	if r.err != nil {
		return directory.User{}, fmt.Errorf("user %d: %w", u.ID, r.err)
	}
	var err error
	if u.Extension, err = directory.DecodeExtension(r.text(13)); err != nil {
		return directory.User{}, fmt.Errorf("user %d: decode extension: %w", u.ID, err)
	}
	return u, nil
}
