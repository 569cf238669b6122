package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// userBriefSQL reads the columns of a directory.Brief, in the order
// scanBrief takes them, of one user of a tenant. It has no membership
// sub-select, and its ten columns spare the driver the name and declared
// type it copies for each column of every query.
const userBriefSQL = `SELECT id, tenant_id, email, nick_name, phone, active, origin, client_ip, enterprise_id, created_at
	FROM users WHERE tenant_id = ? AND id = ?`

// briefColumnCount is the number of columns userBriefSQL selects.
const briefColumnCount = 10

// UserBrief returns one user of the tenant as a directory.Brief.
func (s *Store) UserBrief(ctx context.Context, tenantID, id int64) (directory.User, error) {
	return readRow(ctx, s, "user", briefColumnCount, scanBrief, userBriefSQL, tenantID, id)
}

// readRow runs a query of one row of n columns, found by the primary key
// or a unique index (a bounded read), on the readers (readUsers) and
// converts the row with conv; NotFound, naming what, when there is none.
func readRow[T any](ctx context.Context, s *Store, what string, n int, conv func(columns) (T, error), query string, args ...any) (T, error) {
	var v T
	found := false
	row := newRowValues(n)
	err := s.readUsers(ctx, bounded, query, args, func(rows *sql.Rows) error {
		c, err := row.scan(rows)
		if err != nil {
			return err
		}
		v, err = conv(c)
		found = true
		return err
	})
	switch {
	case err != nil:
		return *new(T), err
	case !found:
		return *new(T), notFound(what)
	}
	return v, nil
}

// scanBrief converts a row of userBriefSQL.
func scanBrief(c columns) (directory.User, error) {
	u := directory.User{
		ID: c.int(0), TenantID: c.int(1), Email: c.text(2), NickName: c.text(3), Phone: c.text(4),
		Active: c.int(5) != 0, Origin: c.text(6), ClientIP: c.text(7), EnterpriseID: c.text(8), CreatedAt: c.time(9),
	}
	if err := c.err; err != nil {
		return u, fmt.Errorf("sqlite: user %d: %w", u.ID, err)
	}
	return u, nil
}
