package postgres

import (
	"slices"

	"github.com/userd/userd/internal/directory"
)

// accountSelect reads the columns of a directory.AccountView, as
// accountColumns says userScanner decodes them: about half of userSelect's.
const accountSelect = `SELECT u.id, u.tenant_id, u.username, u.name, u.nick_name, COALESCE(u.email, ''),
	u.phone, u.active, u.locked, u.must_change_password, u.password_changed_at, u.grade, u.employee_number,
	COALESCE(u.manager_id, 0), u.city, u.extension, u.created_at, u.updated_at,
	u.given_name, u.middle_name, u.family_name, u.user_type, u.gender, u.birthday, u.identity_type,
	u.identity_number, u.area, u.hire_date, u.work_place, m.org_ids, m.primaries` + userOrgsFrom

// resourceSelect reads the columns of a directory.ResourceView, as
// resourceColumns says userScanner decodes them: no extension, no password.
const resourceSelect = `SELECT u.id, u.tenant_id, u.username, u.name, u.nick_name, COALESCE(u.email, ''),
	u.phone, u.active, u.employee_number, COALESCE(u.manager_id, 0), u.address, u.city, u.province,
	u.country, u.created_at, u.updated_at, u.version, ` + profileSelect + `, m.org_ids, m.primaries` + userOrgsFrom

// withoutOrgsSelect reads the columns of a directory.WithoutOrgsView:
// userSelect's without the membership sub-select, NULL arrays for them,
// which userScanner reads as no memberships.
const withoutOrgsSelect = userFieldsSelect + `, NULL::bigint[], NULL::boolean[]
FROM users u
`

// accountColumns are the columns of accountSelect as userScanner decodes
// them.
var accountColumns = slices.Concat([]column{int8Column, int8Column, textColumn, textColumn, textColumn,
	textColumn, textColumn, boolColumn, boolColumn, boolColumn, timeColumn, int4Column, textColumn,
	int8Column, textColumn, jsonbColumn, timeColumn, timeColumn},
	slices.Repeat([]column{textColumn}, 11), membershipColumns)

// resourceColumns are the columns of resourceSelect as userScanner
// decodes them.
var resourceColumns = slices.Concat([]column{int8Column, int8Column, textColumn, textColumn, textColumn,
	textColumn, textColumn, boolColumn, textColumn, int8Column, textColumn, textColumn, textColumn,
	textColumn, timeColumn, timeColumn, int8Column},
	profileColumns[:], membershipColumns)

// viewColumns returns the columns of viewSelect(view) as userScanner
// decodes them.
func viewColumns(view directory.UserView) []column {
	switch view {
	case directory.AccountView:
		return accountColumns
	case directory.ResourceView:
		return resourceColumns
	}
	return userColumns
}

// viewSelect returns the SELECT ... FROM of a query reading users with
// the fields view keeps; "FROM users u" is on a line of its own, as
// listUsersQuery expects.
func viewSelect(view directory.UserView) string {
	switch view {
	case directory.AccountView:
		return accountSelect
	case directory.ResourceView:
		return resourceSelect
	case directory.WithoutOrgsView:
		return withoutOrgsSelect
	}
	return userSelect
}
