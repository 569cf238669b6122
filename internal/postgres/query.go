package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/userd/userd/internal/directory"
)

// QueryUsers returns a page of the tenant's users matching q, in sort's
// order. The query is compiled to one SQL statement with bound parameters,
// planned with its values in hand (a generic plan cannot use a LIKE
// prefix). It picks the page's ids first and then reads those users with
// the fields view keeps, so a sort carries ids and keys, never every
// column and the memberships of every match.
func (s *Store) QueryUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, sort directory.UserSort, afterID int64, offset, limit int, view directory.UserView) ([]directory.User, error) {
	c := &userQueryCompiler{args: []any{tenantID, afterID}}
	where := c.where(q)
	sel := viewSelect(view)
	sc := userScanner{view: view}
	if q != nil && q.Unique() {
		// One user at most, read by its unique index: nothing to sort.
		sql := sel + `WHERE u.tenant_id = $1 AND u.id > $2 AND ` + where + ` LIMIT ` + c.arg(limit) + ` OFFSET ` + c.arg(offset)
		return query(ctx, s, "query users", sc.scan, sql, c.mode()...)
	}
	// Sort the matches the filter's index finds instead of walking the
	// order's index (see directory.UserQuery.Selective).
	inner := pgUserQueryOrder(sort, q != nil && q.Selective())
	sql := sel + `WHERE u.tenant_id = $1 AND u.id IN (SELECT u.id FROM users u WHERE u.tenant_id = $1 AND u.id > $2 AND ` + where +
		` ORDER BY ` + inner + ` LIMIT ` + c.arg(limit) + ` OFFSET ` + c.arg(offset) + `) ORDER BY ` + pgUserQueryOrder(sort, false)
	if c.oneRange(q) && (sort.Field == 0 || sort.Field == directory.FieldID) {
		return queryGenericInto(ctx, s, "query users", sc.scan, nil, sql, c.args...)
	}
	return query(ctx, s, "query users", sc.scan, sql, c.mode()...)
}

// LookupUsers returns, in id order, up to limit of the tenant's users
// matching q, a lookup by externalId (directory.UserQuery.Lookup), in one
// statement: users_external_id_idx on (tenant_id, external_id, id) reads
// the matches in id order, so neither a sub-select nor a sort is needed.
func (s *Store) LookupUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, limit int, view directory.UserView) ([]directory.User, error) {
	sql, args := lookupStatement(tenantID, q, limit, view)
	sc := userScanner{view: view}
	return query(ctx, s, "look up users", sc.scan, sql, args...)
}

// lookupStatement is the statement of LookupUsers and its arguments, led
// by the execution mode when it has one (userQueryCompiler.mode).
func lookupStatement(tenantID int64, q *directory.UserQuery, limit int, view directory.UserView) (string, []any) {
	c := &userQueryCompiler{args: []any{tenantID}}
	where := c.where(q)
	return viewSelect(view) + `WHERE u.tenant_id = $1 AND ` + where + ` ORDER BY u.id LIMIT ` + c.arg(limit), c.mode()
}

// pgUserQueryOrder is the ORDER BY of sort: text by code point as on
// SQLite, absent values last (first when descending), ties by id.
// unindexed writes the key so that no index provides it. The username
// sorts with the byte-wise operators of users_username_prefix_idx, which
// reads it in that order.
func pgUserQueryOrder(sort directory.UserSort, unindexed bool) string {
	dir, zero := ``, ``
	if sort.Descending {
		dir = ` DESC`
	}
	if unindexed {
		zero = ` + 0`
	}
	id := `u.id` + zero + dir
	switch sort.Field {
	case 0, directory.FieldID:
		return id
	case directory.FieldUsername:
		key := `lower(u.username)`
		if unindexed {
			key = `(` + key + ` || '')`
		}
		if sort.Descending {
			return key + ` USING ~>~, ` + id
		}
		return key + ` USING ~<~, ` + id
	}
	column, absent, text := pgUserQueryColumn(sort.Field)
	key := column + dir
	if text {
		key = column + ` COLLATE "C"` + dir
	}
	switch absent {
	case "null":
		return `(` + column + ` IS NULL)` + dir + `, ` + key + `, ` + id
	case "empty":
		return `(` + column + ` = '')` + dir + `, ` + key + `, ` + id
	}
	return key + `, ` + id
}

// mode returns the query's arguments, led by the execution mode: a query
// with a LIKE pattern is planned afresh with the pattern in hand (a
// generic plan cannot turn LIKE 'prefix%' into an index range); the others
// use the cached statement, a round trip less.
func (c *userQueryCompiler) mode() []any {
	if !c.like {
		return c.args
	}
	return append([]any{pgx.QueryExecModeDescribeExec}, c.args...)
}

// CountUserQuery counts the tenant's users matching q, reading at most max
// rows, where the page it counts is read (Store.read).
func (s *Store) CountUserQuery(ctx context.Context, tenantID int64, q *directory.UserQuery, max int) (int, error) {
	c := &userQueryCompiler{args: []any{tenantID}}
	where := c.where(q)
	sql := `SELECT count(*) FROM (SELECT 1 FROM users u WHERE u.tenant_id = $1 AND ` + where + ` LIMIT ` + c.arg(max) + `) AS page`
	scan := func(r pgx.Row) (n int, err error) { return n, r.Scan(&n) }
	var counts []int
	var err error
	if c.oneRange(q) {
		counts, err = queryGenericInto(ctx, s, "count users", scan, nil, sql, c.args...)
	} else {
		counts, err = query(ctx, s, "count users", scan, sql, c.mode()...)
	}
	if err != nil {
		return 0, err
	}
	return counts[0], nil
}

// oneRange reports whether q, compiled by c, is a single prefix range of a
// field compared ignoring case (SCIM's `userName sw "…"`): its generic
// plan reads that range from the field's byte-wise index whatever the
// values (TestQueryReadsGenericPlan), so it runs on that plan
// (queryGenericInto) rather than being planned afresh on every request,
// which cost PostgreSQL about as much as reading a count of 1,000 matches.
func (c *userQueryCompiler) oneRange(q *directory.UserQuery) bool {
	return q != nil && q.Op == directory.QueryStartsWith && !c.like
}

// userQueryCompiler compiles a directory.UserQuery to a condition on users
// u, every value a parameter. Every comparison is two-valued (true or
// false, never NULL), so that NOT means "does not match".
type userQueryCompiler struct {
	b    strings.Builder
	args []any
	like bool // the query holds a LIKE pattern
}

func (c *userQueryCompiler) arg(v any) string {
	c.args = append(c.args, v)
	return "$" + strconv.Itoa(len(c.args))
}

func (c *userQueryCompiler) where(q *directory.UserQuery) string {
	if q == nil {
		return `TRUE`
	}
	c.compile(*q)
	return c.b.String()
}

func (c *userQueryCompiler) compile(q directory.UserQuery) {
	b := &c.b
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
			c.compile(a)
		}
		b.WriteString(`)`)
		return
	case directory.QueryNot:
		b.WriteString(`NOT `)
		c.compile(q.Args[0])
		return
	case directory.QueryAnyEmail:
		c.anyEmail(q)
		return
	}
	if q.Field == directory.FieldOrg {
		b.WriteString(`u.id IN (SELECT m.user_id FROM user_orgs m WHERE m.tenant_id = $1 AND m.org_id = ` + c.arg(q.Value) + `)`)
		return
	}
	column, absent, text := pgUserQueryColumn(q.Field)
	present := `TRUE`
	switch absent {
	case "null":
		present = column + ` IS NOT NULL`
	case "empty":
		present = column + ` <> ''`
	}
	value := func() string {
		if text && !q.Field.ExactText() {
			return `lower(` + c.arg(q.Value) + `)`
		}
		return c.arg(q.Value)
	}
	cmp := func(op, rhs string) {
		if absent == "null" {
			b.WriteString(`(` + column + ` IS NOT NULL AND ` + column + ` ` + op + ` ` + rhs + `)`)
			return
		}
		b.WriteString(`(` + column + ` ` + op + ` ` + rhs + `)`)
	}
	// Text compares by code point (COLLATE "C"), as SQLite does, so both
	// engines order strings alike.
	ordered := func(op string) {
		if text {
			cmp(`COLLATE "C" `+op, value())
			return
		}
		cmp(op, value())
	}
	switch q.Op {
	case directory.QueryPresent:
		b.WriteString(`(` + present + `)`)
	case directory.QueryEq:
		cmp(`=`, value())
	case directory.QueryNe:
		b.WriteString(`NOT `)
		cmp(`=`, value())
	case directory.QueryGt:
		ordered(`>`)
	case directory.QueryGe:
		ordered(`>=`)
	case directory.QueryLt:
		ordered(`<`)
	case directory.QueryLe:
		ordered(`<=`)
	case directory.QueryContains, directory.QueryStartsWith, directory.QueryEndsWith:
		s := q.Value.(string)
		if !q.Field.ExactText() {
			s = strings.ToLower(s)
		}
		if hi, ok := prefixEnd(s); ok && q.Op == directory.QueryStartsWith && text && !q.Field.ExactText() {
			// The lowercased username, email and name have byte-wise
			// (text_pattern_ops) indexes: a prefix is the range from s up
			// to prefixEnd(s), which a cached generic plan reads from that
			// index as well, with no LIKE to plan afresh on each request
			// nor to recheck on each row.
			lo := c.arg(s)
			b.WriteString(`(`)
			cmp(`~>=~`, lo)
			b.WriteString(` AND `)
			cmp(`~<~`, c.arg(hi))
			b.WriteString(`)`)
			return
		}
		pattern := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
		switch q.Op {
		case directory.QueryContains:
			pattern = `%` + pattern + `%`
		case directory.QueryStartsWith:
			pattern += `%`
		case directory.QueryEndsWith:
			pattern = `%` + pattern
		}
		c.like = true
		cmp(`LIKE`, c.arg(pattern))
	}
}

// pgUserQueryColumn returns the expression a field compares (the indexed
// lower(...) for text compared ignoring case), how it says the user has
// no value ("null", "empty" or ""), and whether it is text.
func pgUserQueryColumn(f directory.UserField) (column, absent string, text bool) {
	switch f {
	case directory.FieldID:
		return `u.id`, "", false
	case directory.FieldUsername:
		return `lower(u.username)`, "", true
	case directory.FieldEmail:
		return `lower(u.email)`, "null", true
	case directory.FieldName:
		return `lower(u.name)`, "empty", true
	case directory.FieldEmployeeNumber:
		return `u.employee_number`, "empty", true
	case directory.FieldExternalID:
		return `u.external_id`, "null", true
	case directory.FieldDisplayName:
		return `u.display_name`, "empty", true
	case directory.FieldGivenName:
		return `u.given_name`, "empty", true
	case directory.FieldFamilyName:
		return `u.family_name`, "empty", true
	case directory.FieldTitle:
		return `u.title`, "empty", true
	case directory.FieldUserType:
		return `u.user_type`, "empty", true
	case directory.FieldEmailType:
		return `u.email_type`, "empty", true
	case directory.FieldDepartment:
		return `u.department`, "empty", true
	case directory.FieldOrganization:
		return `u.organization`, "empty", true
	case directory.FieldActive:
		return `u.active`, "", false
	case directory.FieldCreatedAt:
		return `u.created_at`, "", false
	case directory.FieldUpdatedAt:
		return `u.updated_at`, "", false
	case directory.FieldEmailEntryValue:
		return `e.value_lower`, "", true
	case directory.FieldEmailEntryType:
		return `e.type`, "empty", true
	case directory.FieldEmailEntryPrimary:
		return `e.is_primary`, "", false
	}
	return `NULL`, "null", false
}
