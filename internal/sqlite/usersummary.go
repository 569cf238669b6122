package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// userSummaryColumns are the columns of a directory.Summary, in the order
// scanSummary takes them.
const userSummaryColumns = `id, tenant_id, username, name, email, active, locked, must_change_password`

// summaryColumnCount is the number of columns in userSummaryColumns.
const summaryColumnCount = 8

// ListUserSummaries is ListUsers reading only the columns of a
// directory.Summary: no memberships, no profile, no extension.
func (s *Store) ListUserSummaries(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	f, ok, err := s.seekOffset(ctx, tenantID, f)
	if err != nil || !ok {
		return []directory.User{}, err
	}
	query, args := listUsersQuery(userSummaryColumns, tenantID, f)
	users := make([]directory.User, 0, min(f.Limit, directory.MaxPageSize+1))
	row := newRowValues(summaryColumnCount)
	err = s.readUsers(ctx, mayScan, query, args, func(rows *sql.Rows) error {
		c, err := row.scan(rows)
		if err != nil {
			return err
		}
		u := directory.User{ID: c.int(0), TenantID: c.int(1), Username: c.text(2), Name: c.text(3), Email: c.text(4),
			Active: c.int(5) != 0, Locked: c.int(6) != 0, MustChangePassword: c.int(7) != 0}
		if c.err != nil {
			return fmt.Errorf("sqlite: user %d: %w", u.ID, c.err)
		}
		users = append(users, u)
		return nil
	})
	return users, err
}
