package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// userSummarySelect reads the columns of a directory.Summary, in the
// order summaryScanner takes them. It keeps "FROM users u" on a line of
// its own, as listUsersQuery expects of a select.
const userSummarySelect = `SELECT u.id, u.tenant_id, u.username, u.name, COALESCE(u.email, ''), u.active, u.locked, u.must_change_password
FROM users u
`

// ListUserSummaries is ListUsers reading only the columns of a
// directory.Summary: no memberships, no profile, no extension.
func (s *Store) ListUserSummaries(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	f, ok, err := s.seekOffset(ctx, tenantID, f)
	if err != nil || !ok {
		return []directory.User{}, err
	}
	var sc summaryScanner
	return listUsers(ctx, s, sc.scan, make([]directory.User, 0, min(f.Limit, directory.MaxPageSize+1)), userSummarySelect, tenantID, f)
}

// summaryScanner scans rows of userSummarySelect into one set of
// destinations, made on its first row and reused for the others.
type summaryScanner struct {
	u    directory.User
	dest []any
}

func (sc *summaryScanner) scan(row pgx.Row) (directory.User, error) {
	u := &sc.u
	if sc.dest == nil {
		sc.dest = []any{&u.ID, &u.TenantID, &u.Username, &u.Name, &u.Email, &u.Active, &u.Locked, &u.MustChangePassword}
	}
	if err := row.Scan(sc.dest...); err != nil {
		return directory.User{}, err
	}
	return *u, nil
}
