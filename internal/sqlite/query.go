package sqlite

import (
	"context"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

// QueryUsers returns a page of the tenant's users matching q, in sort's
// order. The query is compiled to one SQL statement with bound parameters.
// It picks the page's ids first and then reads those users whole, so a
// sort carries ids and keys, never every column and each user's
// memberships of every match; the page's users are read with the fields
// view keeps. In id or username order an index reads the
// page; an equality on an indexed column (username, email) reads the
// matches from that column's index.
func (s *Store) QueryUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, sort directory.UserSort, afterID int64, offset, limit int, view directory.UserView) ([]directory.User, error) {
	columns := viewColumns(view)
	where, args := userQueryWhere(q, []any{tenantID, afterID})
	if q != nil && q.Unique() {
		// One user at most, read by its unique index: nothing to sort.
		return s.queryUsers(ctx, 1, view, mayScan, `SELECT `+columns+` FROM users WHERE tenant_id = ? AND id > ? AND `+where+` LIMIT ? OFFSET ?`,
			append(args, limit, offset)...)
	}
	// Without statistics SQLite prefers to walk the order's index until
	// enough users match, which at the millionth user reads a million rows
	// for a page; a unary + keeps the order from choosing the plan when
	// the filter has an index of its own (directory.UserQuery.Selective).
	inner := userQueryOrder(sort, q != nil && q.Selective())
	// limit is the most users the page holds: a lookup (userName eq)
	// asks for a page of 101 and finds one, so the slice starts small
	// rather than reserve 101 users (100 KB) it never fills.
	return s.queryUsers(ctx, min(limit, 8), view, mayScan, `SELECT `+columns+` FROM users WHERE tenant_id = ? AND id IN (SELECT id FROM users WHERE tenant_id = ? AND id > ? AND `+where+
		` ORDER BY `+inner+` LIMIT ? OFFSET ?) ORDER BY `+userQueryOrder(sort, false), append(append([]any{tenantID}, args...), limit, offset)...)
}

// LookupUsers returns, in id order, up to limit of the tenant's users
// matching q, a lookup by externalId (directory.UserQuery.Lookup), in one
// statement: users_external_id holds the matches of (tenant_id,
// external_id) in id order, so neither a sub-select nor a sort is needed.
func (s *Store) LookupUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, limit int, view directory.UserView) ([]directory.User, error) {
	query, args := lookupStatement(tenantID, q, limit, view)
	// A lookup finds one user or a few: the slice starts with room for one.
	return s.queryUsers(ctx, 1, view, mayScan, query, args...)
}

// lookupStatement is the statement of LookupUsers and its parameters.
func lookupStatement(tenantID int64, q *directory.UserQuery, limit int, view directory.UserView) (string, []any) {
	where, args := userQueryWhere(q, []any{tenantID})
	return `SELECT ` + viewColumns(view) + ` FROM users WHERE tenant_id = ? AND ` + where + ` ORDER BY id LIMIT ?`, append(args, limit)
}

// userQueryOrder is the ORDER BY of sort: absent values last (first when
// descending), ties by id. unindexed writes the key so that no index
// provides it.
func userQueryOrder(sort directory.UserSort, unindexed bool) string {
	dir, plus := ``, ``
	if sort.Descending {
		dir = ` DESC`
	}
	if unindexed {
		plus = `+`
	}
	if sort.Field == 0 || sort.Field == directory.FieldID {
		return plus + `id` + dir
	}
	column, absent := userQueryColumn(sort.Field)
	switch absent {
	case "null":
		return `(` + column + ` IS NULL)` + dir + `, ` + column + dir + `, id` + dir
	case "empty":
		return `(` + column + ` = '')` + dir + `, ` + column + dir + `, id` + dir
	}
	return plus + column + dir + `, ` + plus + `id` + dir
}

// CountUserQuery counts the tenant's users matching q, up to max: the count
// reads at most max rows.
func (s *Store) CountUserQuery(ctx context.Context, tenantID int64, q *directory.UserQuery, max int) (int, error) {
	where, args := userQueryWhere(q, []any{tenantID})
	var n int
	err := s.rq.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM users WHERE tenant_id = ? AND `+where+` LIMIT ?)`,
		append(args, max)...).Scan(&n)
	return n, storeError(err)
}

// userQueryWhere compiles q to a condition on users, appending its
// parameters to args. Every comparison is two-valued (true or false, never
// NULL), so that NOT means "does not match".
func userQueryWhere(q *directory.UserQuery, args []any) (string, []any) {
	if q == nil {
		return `1`, args
	}
	var b strings.Builder
	args = compileUserQuery(&b, *q, args)
	return b.String(), args
}

func compileUserQuery(b *strings.Builder, q directory.UserQuery, args []any) []any {
	switch q.Op {
	case directory.QueryAnd, directory.QueryOr:
		sep := ` AND `
		if q.Op == directory.QueryOr {
			sep = ` OR `
		}
		b.WriteString(`(`)
		for i, a := range q.Args {
			if i > 0 {
				b.WriteString(sep)
			}
			args = compileUserQuery(b, a, args)
		}
		b.WriteString(`)`)
		return args
	case directory.QueryNot:
		b.WriteString(`NOT `)
		return compileUserQuery(b, q.Args[0], args)
	case directory.QueryAnyEmail:
		return compileAnyEmail(b, q, args)
	}
	column, absent := userQueryColumn(q.Field)
	if q.Field == directory.FieldOrg {
		// The first parameter is always the tenant's id.
		b.WriteString(`id IN (SELECT m.user_id FROM memberships m WHERE m.tenant_id = ? AND m.org_id = ?)`)
		return append(args, args[0], q.Value)
	}
	value := q.Value
	switch v := value.(type) {
	case string:
		if !q.Field.ExactText() {
			value = strings.ToLower(v)
		}
	case bool:
		value = 0
		if v {
			value = 1
		}
	case time.Time:
		value = v.UnixMicro()
	}
	// present: the column holds a value; absent is what "no value" is.
	present := `1`
	switch absent {
	case "null":
		present = column + ` IS NOT NULL`
	case "empty":
		present = column + ` <> ''`
	}
	cmp := func(op string) []any {
		if absent == "null" {
			b.WriteString(`(` + column + ` IS NOT NULL AND ` + column + ` ` + op + ` ?)`)
		} else {
			b.WriteString(`(` + column + ` ` + op + ` ?)`)
		}
		return append(args, value)
	}
	switch q.Op {
	case directory.QueryPresent:
		b.WriteString(`(` + present + `)`)
		return args
	case directory.QueryEq:
		return cmp(`=`)
	case directory.QueryNe:
		b.WriteString(`NOT `)
		return cmp(`=`)
	case directory.QueryGt:
		return cmp(`>`)
	case directory.QueryGe:
		return cmp(`>=`)
	case directory.QueryLt:
		return cmp(`<`)
	case directory.QueryLe:
		return cmp(`<=`)
	}
	// Text matching with GLOB, which compares exactly (the _lower columns
	// already hold lowercased values), its wildcards in the value escaped.
	pattern := globEscape(value.(string))
	switch q.Op {
	case directory.QueryContains:
		pattern = `*` + pattern + `*`
	case directory.QueryStartsWith:
		pattern += `*`
	case directory.QueryEndsWith:
		pattern = `*` + pattern
	}
	if q.Op == directory.QueryStartsWith {
		if lo := value.(string); lo != "" && lo[len(lo)-1] < 0xff {
			// A range on the column instead, so that the column's index
			// (username, email, external id) reads only the matches: by
			// byte-wise comparison, the values from lo up to lo with its
			// last byte raised are exactly those starting with lo.
			hi := lo[:len(lo)-1] + string([]byte{lo[len(lo)-1] + 1})
			if absent == "null" {
				b.WriteString(`(` + column + ` IS NOT NULL AND ` + column + ` >= ? AND ` + column + ` < ?)`)
			} else {
				b.WriteString(`(` + column + ` >= ? AND ` + column + ` < ?)`)
			}
			return append(args, lo, hi)
		}
	}
	value = pattern
	return cmp(`GLOB`)
}

// userQueryColumn returns the column a field compares and how the column
// says the user has no value: "null", "empty" (the empty string) or "".
func userQueryColumn(f directory.UserField) (column, absent string) {
	switch f {
	case directory.FieldID:
		return `id`, ""
	case directory.FieldUsername:
		return `username_lower`, ""
	case directory.FieldEmail:
		return `email_lower`, "null"
	case directory.FieldName:
		return `name_lower`, "empty"
	case directory.FieldEmployeeNumber:
		return `employee_number`, "empty"
	case directory.FieldExternalID:
		return `external_id`, "null"
	case directory.FieldDisplayName:
		return `display_name`, "empty"
	case directory.FieldGivenName:
		return `given_name`, "empty"
	case directory.FieldFamilyName:
		return `family_name`, "empty"
	case directory.FieldTitle:
		return `title`, "empty"
	case directory.FieldUserType:
		return `user_type`, "empty"
	case directory.FieldEmailType:
		return `email_type`, "empty"
	case directory.FieldDepartment:
		return `department`, "empty"
	case directory.FieldOrganization:
		return `organization`, "empty"
	case directory.FieldActive:
		return `active`, ""
	case directory.FieldCreatedAt:
		return `created_at`, ""
	case directory.FieldUpdatedAt:
		return `updated_at`, ""
	case directory.FieldEmailEntryValue:
		return `e.value_lower`, ""
	case directory.FieldEmailEntryType:
		return `e.type`, "empty"
	case directory.FieldEmailEntryPrimary:
		return `e.is_primary`, ""
	}
	return `NULL`, "null" // never reached: the Service checks fields
}

// globEscape makes s match itself in a GLOB pattern: each of * ? [ is
// written as a one-character class.
func globEscape(s string) string {
	return strings.NewReplacer(`*`, `[*]`, `?`, `[?]`, `[`, `[[]`).Replace(s)
}
