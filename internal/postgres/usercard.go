package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// usersByIDSQL reads the columns of a directory.Card, in the order
// cardScanner takes them, of the tenant's users among an array of ids:
// one statement, prepared once per connection, whatever the number of ids.
const usersByIDSQL = `SELECT id, tenant_id, COALESCE(email, ''), name, employee_number,
	COALESCE(manager_id, 0), phone, phone_country_code, address, city, province, country, comment, extension
	FROM users WHERE tenant_id = $1 AND id = ANY($2)`

// UsersByID returns the users of tenantID among ids, each as a
// directory.Card.
func (s *Store) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var c cardScanner
	return queryInto(ctx, s, "read users", c.scan, make([]directory.User, 0, min(len(ids), directory.MaxBatch)), usersByIDSQL, tenantID, ids)
}

// cardScanner scans rows of usersByIDSQL into one set of destinations,
// made on its first row and reused for the others.
type cardScanner struct {
	u directory.User
	// extension is the column's text, scanned as a string: the map
	// DecodeExtension makes holds substrings of it, so bytes would be
	// copied into a string again.
	extension string
	dest      []any
}

func (c *cardScanner) scan(row pgx.Row) (directory.User, error) {
	u := &c.u
	if c.dest == nil {
		c.dest = []any{&u.ID, &u.TenantID, &u.Email, &u.Name, &u.EmployeeNumber, &u.ManagerID, &u.Phone,
			&u.PhoneCountryCode, &u.Address, &u.City, &u.Province, &u.Country, &u.Comment, &c.extension}
	}
	if err := row.Scan(c.dest...); err != nil {
		return directory.User{}, err
	}
	out := *u
	var err error
	if out.Extension, err = directory.DecodeExtension(c.extension); err != nil {
		return directory.User{}, fmt.Errorf("user %d: decode extension: %w", out.ID, err)
	}
	return out, nil
}
