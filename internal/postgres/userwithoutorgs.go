package postgres

import (
	"context"

	"github.com/userd/userd/internal/directory"
)

// userWithoutOrgsSelect is userSelect without the membership sub-select:
// NULL arrays, which scanUser reads as no memberships.
const userWithoutOrgsSelect = userFieldsSelect + `, NULL::bigint[], NULL::boolean[]
FROM users u
`

// UserWithoutOrgs returns one user of tenantID as User does, with Orgs
// nil: the read before an update that leaves the memberships alone.
func (s *Store) UserWithoutOrgs(ctx context.Context, tenantID, id int64) (directory.User, error) {
	return s.userByID(ctx, userWithoutOrgsSelect, tenantID, id)
}
