package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// userBriefSQL reads the columns of a directory.Brief, in the order
// scanBrief takes them, of one user of a tenant. It has no membership
// sub-select, and its texts come as one column, NUL-separated as
// userTextSelect's: the driver copies a name and a declared type for each
// column of every query, and takes a type and a Go string for each value.
// A NULL email reads as "", as an absent email does.
const userBriefSQL = `SELECT id, tenant_id, active, created_at,
	concat_ws(char(0), ifnull(email, ''), nick_name, phone, origin, client_ip, enterprise_id)
	FROM users WHERE tenant_id = ? AND id = ?`

// briefColumnCount is the number of columns userBriefSQL selects, and
// briefTextCount the number of texts in its last.
const (
	briefColumnCount = 5
	briefTextCount   = 6
)

// UserBrief returns the directory.Brief of one user of the tenant.
func (s *Store) UserBrief(ctx context.Context, tenantID, id int64) (directory.Brief, error) {
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
func scanBrief(c columns) (directory.Brief, error) {
	u := directory.Brief{ID: c.int(0), TenantID: c.int(1), Active: c.int(2) != 0, CreatedAt: c.time(3)}
	var v [briefTextCount]string
	if err := c.joined(4, v[:]); err != nil {
		return u, fmt.Errorf("sqlite: user %d: %w", u.ID, err)
	}
	u.Email, u.NickName, u.Phone, u.Origin, u.ClientIP, u.EnterpriseID = v[0], v[1], v[2], v[3], v[4], v[5]
	return u, nil
}
