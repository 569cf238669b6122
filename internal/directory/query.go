package directory

import (
	"context"
	"time"
)

// UserField is a user attribute a UserQuery can test.
type UserField int

// The fields a UserQuery can test. Text fields marked "ignoring case"
// compare the lowercased value, as the stores keep it for uniqueness.
const (
	FieldID             UserField = iota + 1 // int64
	FieldUsername                            // string, ignoring case
	FieldEmail                               // string, ignoring case; absent when ""
	FieldName                                // string, ignoring case; absent when ""
	FieldEmployeeNumber                      // string, exactly; absent when ""
	FieldActive                              // bool
	FieldCreatedAt                           // time.Time
	FieldUpdatedAt                           // time.Time
	FieldOrg                                 // int64: the id of an org the user is a member of; QueryEq only
	FieldExternalID                          // string, exactly; absent when ""
	FieldDisplayName                         // string, exactly; absent when ""
	FieldGivenName                           // string, exactly; absent when ""
	FieldFamilyName                          // string, exactly; absent when ""
	FieldTitle                               // string, exactly; absent when ""
	FieldUserType                            // string, exactly; absent when ""
	FieldEmailType                           // string, exactly: the type of the primary email; absent when ""
	FieldDepartment                          // string, exactly; absent when ""
	FieldOrganization                        // string, exactly; absent when ""

	// The fields of one of the user's emails (the primary one or another),
	// which only the condition of a QueryAnyEmail tests.
	FieldEmailEntryValue   // string, ignoring case
	FieldEmailEntryType    // string, exactly; absent when ""
	FieldEmailEntryPrimary // bool: whether it is the primary email; QueryEq and QueryNe only
)

// exactText reports whether f is a text field compared exactly.
func (f UserField) exactText() bool {
	return f == FieldEmployeeNumber || f >= FieldExternalID && f <= FieldOrganization || f == FieldEmailEntryType
}

// emailEntry reports whether f is a field of one of the user's emails.
func (f UserField) emailEntry() bool {
	return f >= FieldEmailEntryValue && f <= FieldEmailEntryPrimary
}

// QueryOp is what a UserQuery node does.
type QueryOp int

// The operators of a UserQuery. And, Or and Not combine Args;
// QueryAnyEmail holds its condition in Args; the others compare Field with
// Value (QueryPresent has no Value).
const (
	QueryAnd QueryOp = iota + 1
	QueryOr
	QueryNot
	QueryEq
	QueryNe
	QueryContains
	QueryStartsWith
	QueryEndsWith
	QueryPresent
	QueryGt
	QueryGe
	QueryLt
	QueryLe
	// QueryAnyEmail matches a user one of whose emails (the primary one
	// or another) meets Args[0], a condition on the FieldEmailEntry
	// fields: the multi-valued attribute of RFC 7644 §3.4.2.2, where
	// emails[type eq "work" and value co "@example.com"] asks both of the
	// same email. A user without an email never matches.
	QueryAnyEmail
)

// Limits on a UserQuery, so that one costs a bounded amount to compile and
// to plan.
const (
	// MaxQueryNodes is the most nodes in one query.
	MaxQueryNodes = 64
	// MaxQueryDepth is the deepest nesting of And, Or and Not.
	MaxQueryDepth = 16
	// MaxQueryCount bounds counting: Service.QueryUsers counts the matches
	// after the page's offset up to this many, and says when it stopped.
	MaxQueryCount = 10000
	// MaxQueryOffset is the largest offset of index paging; deeper pages
	// are read with AfterID, which costs the page alone.
	MaxQueryOffset = 100000
)

// UserQuery is a condition on the users of a tenant: an engine-free tree
// that the Service checks and each store compiles to SQL with bound
// parameters. A dialect's filter language (SCIM's) maps onto it.
type UserQuery struct {
	Op    QueryOp
	Field UserField
	// Value is an int64 for FieldID and FieldOrg, a bool for FieldActive,
	// a time.Time for the times and a string otherwise.
	Value any
	// Args are the operands of And and Or (two or more) and Not (one).
	Args []UserQuery
}

// UserQueryPage asks Service.QueryUsers for one page of the users a
// query matches, in id order or the order Sort names.
type UserQueryPage struct {
	// Query selects the users; nil selects them all.
	Query *UserQuery
	// Sort orders the page; the zero UserSort is id order. Only id order
	// pages with AfterID.
	Sort UserSort
	// AfterID starts the page after this user id (cursor paging).
	AfterID int64
	// Offset skips this many matching users first (index paging); at most
	// MaxQueryOffset.
	Offset int
	// Limit is the page size, 0 to MaxPageSize; 0 reads no users (count
	// only).
	Limit int
	// Count asks for the number of matches as well.
	Count bool
	// View names the fields of each user to read; WholeUser reads them
	// all.
	View UserView
}

// UserQueryResult is a page of QueryUsers.
type UserQueryResult struct {
	Users []User
	// More says there are matching users after the last of Users.
	More bool
	// Total is, when counting was asked, the number of matches (Offset
	// included, AfterID not). It is exact unless Capped, when at least
	// that many users match. It is exact always for every user of the
	// tenant (no query) and for an org's members (FieldOrg QueryEq),
	// read from the counts the store keeps; other queries count at most
	// MaxQueryCount matches past Offset.
	Total  int
	Capped bool
}

// Selective reports whether q holds, among the conditions every match
// meets, an equality or prefix on a field every store indexes on its own
// (username, email, name, external id, org membership). A store then reads
// the matches from that index and sorts them by id, rather than walk the
// tenant in id order until a page of matches is full: a planner without
// statistics prefers the walk, which reads a million rows for a page when
// the matches sit at the millionth user.
func (q UserQuery) Selective() bool {
	return q.anyConjunct(func(c UserQuery) bool {
		switch c.Field {
		case FieldUsername, FieldEmail, FieldName, FieldExternalID:
			return c.Op == QueryEq || c.Op == QueryStartsWith
		case FieldOrg:
			return c.Op == QueryEq
		}
		return c.EmailIndexed()
	})
}

// EmailIndexed reports whether q is a QueryAnyEmail whose condition
// requires of the email an equality or prefix on its value: the stores'
// index of emails then reads the users it matches, where another condition
// (a type, a substring) has them test each user's emails in turn.
func (q UserQuery) EmailIndexed() bool {
	return q.Op == QueryAnyEmail && len(q.Args) == 1 && q.Args[0].anyConjunct(func(c UserQuery) bool {
		return c.Field == FieldEmailEntryValue && (c.Op == QueryEq || c.Op == QueryStartsWith)
	})
}

// Unique reports whether q holds, among the conditions every match
// meets, an equality on a field unique within a tenant (id, username,
// email): q matches one user at most, which a store reads through that
// field's unique index with no sort. It is the lookup of a provisioning
// client (userName eq) before each change.
func (q UserQuery) Unique() bool {
	return q.anyConjunct(func(c UserQuery) bool {
		return c.Op == QueryEq && (c.Field == FieldID || c.Field == FieldUsername || c.Field == FieldEmail)
	})
}

// Lookup reports whether q holds, among the conditions every match
// meets, an equality on the external id, and none that Unique reads: a
// provisioning client's lookup by externalId (RFC 7643 §3.1), which is
// not unique within a tenant but which few users share. Service.QueryUsers
// reads a page of such a query from the start with Store.LookupUsers: one
// read of that field's index, to the page's end and one user past it,
// which also counts the matches exactly when they end within the page.
func (q UserQuery) Lookup() bool {
	return !q.Unique() && q.anyConjunct(func(c UserQuery) bool {
		return c.Op == QueryEq && c.Field == FieldExternalID
	})
}

// anyConjunct reports whether q, or one of the conditions an And in q
// requires of every match, meets cond.
func (q UserQuery) anyConjunct(cond func(UserQuery) bool) bool {
	if q.Op != QueryAnd {
		return cond(q)
	}
	for _, a := range q.Args {
		if a.anyConjunct(cond) {
			return true
		}
	}
	return false
}

// ExactText reports whether f is a text field compared exactly (case
// matters); the others of type string compare ignoring case.
func (f UserField) ExactText() bool { return f.exactText() }

// QueryUsers returns a page of the principal's users matching pg.Query, in
// the order pg.Sort names. Every query is compiled to SQL by the store:
// nothing is filtered or sorted after reading. A sort no index serves
// (UserSort.Indexed) is refused when more than MaxSortRows users match. A
// lookup by externalId (UserQuery.Lookup) reads its page, and counts it
// when the matches end within it, in one read of that field's index.
func (s *Service) QueryUsers(ctx context.Context, p Principal, pg UserQueryPage) (UserQueryResult, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return UserQueryResult{}, err
	}
	if pg.Limit < 0 || pg.Limit > MaxPageSize {
		return UserQueryResult{}, Errorf(Invalid, "count", "must be between 0 and %d", MaxPageSize)
	}
	if pg.Offset < 0 || pg.Offset > MaxQueryOffset {
		return UserQueryResult{}, Errorf(Invalid, "startIndex", "must be at most %d; page further with a cursor", MaxQueryOffset+1)
	}
	if pg.AfterID < 0 {
		return UserQueryResult{}, Errorf(Invalid, "cursor", "is not a position userd gave")
	}
	if err := checkSort(pg.Sort); err != nil {
		return UserQueryResult{}, err
	}
	if pg.AfterID != 0 && pg.Sort != (UserSort{}) && pg.Sort != (UserSort{Field: FieldID}) {
		return UserQueryResult{}, Errorf(Invalid, "cursor", "pages in id order only; page a sorted list by its index (startIndex)")
	}
	q := pg.Query
	if q != nil {
		norm, err := checkQuery(*q)
		if err != nil {
			return UserQueryResult{}, err
		}
		q = &norm
	}
	var res UserQueryResult
	matches := -1 // every match, when counted before sorting or read whole by a lookup
	if !pg.Sort.Indexed() && pg.Limit > 0 {
		n, err := s.store.CountUserQuery(ctx, p.TenantID, q, MaxSortRows+1)
		if err != nil {
			return UserQueryResult{}, err
		}
		matches = n
		if n > MaxSortRows {
			return UserQueryResult{}, Errorf(Invalid, "sortBy", "sorts at most %d matching users by this attribute, and more match; narrow the filter, or sort by id or username", MaxSortRows)
		}
	}
	if pg.Limit > 0 {
		var users []User
		var err error
		if pg.lookup(q) {
			users, matches, err = s.lookupPage(ctx, p.TenantID, q, pg)
		} else {
			users, err = s.store.QueryUsers(ctx, p.TenantID, q, pg.Sort, pg.AfterID, pg.Offset, pg.Limit+1, pg.View)
		}
		if err != nil {
			return UserQueryResult{}, err
		}
		if len(users) > pg.Limit {
			users, res.More = users[:pg.Limit], true
		}
		res.Users = users
	}
	if pg.Count {
		if !res.More && pg.Limit > 0 && pg.AfterID == 0 && (len(res.Users) > 0 || pg.Offset == 0) {
			// The page holds the last match: no need to count.
			res.Total = pg.Offset + len(res.Users)
			return res, nil
		}
		if matches >= 0 {
			res.Total = matches
			return res, nil
		}
		if n, ok, err := s.keptCount(ctx, p.TenantID, q); ok || err != nil {
			res.Total = n
			return res, err
		}
		max := pg.Offset + MaxQueryCount
		n, err := s.store.CountUserQuery(ctx, p.TenantID, q, max+1)
		if err != nil {
			return UserQueryResult{}, err
		}
		res.Total, res.Capped = min(n, max), n > max
	}
	return res, nil
}

// lookupPage reads the page pg asks of q, a lookup, with one call of
// Store.LookupUsers: every match up to the page's end and one past it,
// the page's users (and one more when more match) from pg.Offset on.
// When no more match than that, the read holds them all: matches is their
// number, else -1.
func (s *Service) lookupPage(ctx context.Context, tenantID int64, q *UserQuery, pg UserQueryPage) (_ []User, matches int, _ error) {
	end := pg.Offset + pg.Limit
	users, err := s.store.LookupUsers(ctx, tenantID, q, end+1, pg.View)
	if err != nil {
		return nil, 0, err
	}
	matches = -1
	if len(users) <= end {
		matches = len(users)
	}
	return users[min(pg.Offset, len(users)):], matches, nil
}

// lookup reports whether the page of q that pg asks for is read with
// Store.LookupUsers: q is a lookup (UserQuery.Lookup), and the page is in
// id order, from the start of the matches (no cursor) and ends within
// MaxPageSize of it, so that the read holds no more users than a page
// may. Any other page of q is read as a page of any query.
func (pg UserQueryPage) lookup(q *UserQuery) bool {
	idOrder := pg.Sort == UserSort{} || pg.Sort == UserSort{Field: FieldID}
	return q != nil && q.Lookup() && idOrder && pg.AfterID == 0 && pg.Limit > 0 && pg.Offset+pg.Limit <= MaxPageSize
}

// checkQuery checks a query's shape and values and returns it with its
// values in the form the stores compare: emails in normalization form C.
func checkQuery(q UserQuery) (UserQuery, error) {
	nodes := 0
	// inEmail: q is (within) the condition of a QueryAnyEmail, which tests
	// the FieldEmailEntry fields and only them.
	var walk func(q UserQuery, depth int, inEmail bool) (UserQuery, error)
	walk = func(q UserQuery, depth int, inEmail bool) (UserQuery, error) {
		// A QueryAnyEmail is not counted: a dialect wraps each comparison
		// of an email in one, and one cannot hold another, so it at most
		// doubles what the limits bound.
		if q.Op != QueryAnyEmail {
			nodes++
			depth++
		}
		if nodes > MaxQueryNodes {
			return q, Errorf(Invalid, "filter", "has more than %d expressions", MaxQueryNodes)
		}
		if depth > MaxQueryDepth {
			return q, Errorf(Invalid, "filter", "nests deeper than %d levels", MaxQueryDepth)
		}
		switch q.Op {
		case QueryAnd, QueryOr, QueryNot, QueryAnyEmail:
			one := q.Op == QueryNot || q.Op == QueryAnyEmail
			if one && len(q.Args) != 1 || !one && len(q.Args) < 2 || q.Op == QueryAnyEmail && (inEmail || q.Field != 0 || q.Value != nil) {
				return q, Errorf(Invalid, "filter", "is not a well-formed query")
			}
			args := make([]UserQuery, len(q.Args))
			for i, a := range q.Args {
				var err error
				if args[i], err = walk(a, depth, inEmail || q.Op == QueryAnyEmail); err != nil {
					return q, err
				}
			}
			q.Args = args
			return q, nil
		}
		if q.Field.emailEntry() != inEmail {
			return q, Errorf(Invalid, "filter", "tests a field of an email outside a condition on the user's emails, or another field inside one")
		}
		return checkComparison(q)
	}
	return walk(q, -1, false)
}

func checkComparison(q UserQuery) (UserQuery, error) {
	bad := func() (UserQuery, error) {
		return q, Errorf(Invalid, "filter", "compares an attribute in a way it cannot be compared")
	}
	if q.Op < QueryEq || q.Op > QueryLe || len(q.Args) != 0 {
		return bad()
	}
	if q.Op == QueryPresent {
		if q.Value != nil || q.Field == FieldOrg || q.Field == FieldEmailEntryPrimary {
			return bad()
		}
		switch q.Field {
		case FieldID, FieldUsername, FieldEmail, FieldName, FieldActive, FieldCreatedAt, FieldUpdatedAt, FieldEmailEntryValue:
			return q, nil
		}
		if q.Field.exactText() {
			return q, nil
		}
		return bad()
	}
	text := q.Op == QueryContains || q.Op == QueryStartsWith || q.Op == QueryEndsWith
	ordered := q.Op >= QueryGt
	switch q.Field {
	case FieldID, FieldOrg:
		if _, ok := q.Value.(int64); !ok || text || q.Field == FieldOrg && q.Op != QueryEq {
			return bad()
		}
	case FieldActive, FieldEmailEntryPrimary:
		if _, ok := q.Value.(bool); !ok || text || ordered {
			return bad()
		}
	case FieldCreatedAt, FieldUpdatedAt:
		t, ok := q.Value.(time.Time)
		if !ok || text {
			return bad()
		}
		q.Value = t.UTC()
	case FieldUsername, FieldEmail, FieldName, FieldEmployeeNumber, FieldExternalID, FieldDisplayName, FieldGivenName,
		FieldFamilyName, FieldTitle, FieldUserType, FieldEmailType, FieldDepartment, FieldOrganization,
		FieldEmailEntryValue, FieldEmailEntryType:
		v, ok := q.Value.(string)
		if !ok {
			return bad()
		}
		if err := CheckText("filter", v); err != nil {
			return q, err
		}
		if len(v) > MaxCommentLen {
			return q, Errorf(Invalid, "filter", "compares with a value longer than %d bytes", MaxCommentLen)
		}
		if q.Field == FieldEmail || q.Field == FieldEmailEntryValue {
			q.Value = NormalizeEmail(v)
		}
	default:
		return bad()
	}
	return q, nil
}
