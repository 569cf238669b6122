package scim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
)

// userFields maps the filterable User attributes, lowercased, to the
// directory field each compares and sorts. A filter on emails reaches
// every email of the user instead (see emailfilter.go); sorting by emails
// sorts by the primary one (RFC 7644 §3.4.2.3).
var userFields = map[string]directory.UserField{
	"id":                directory.FieldID,
	"username":          directory.FieldUsername,
	"name.formatted":    directory.FieldName,
	"emails":            directory.FieldEmail,
	"emails.value":      directory.FieldEmail,
	"active":            directory.FieldActive,
	"meta.created":      directory.FieldCreatedAt,
	"meta.lastmodified": directory.FieldUpdatedAt,
	"groups":            directory.FieldOrg,
	"groups.value":      directory.FieldOrg,
	"externalid":        directory.FieldExternalID,
	"displayname":       directory.FieldDisplayName,
	"name.givenname":    directory.FieldGivenName,
	"name.familyname":   directory.FieldFamilyName,
	"title":             directory.FieldTitle,
	"usertype":          directory.FieldUserType,
	"emails.type":       directory.FieldEmailType,
}

// enterpriseFields are the filterable attributes of the enterprise
// extension.
var enterpriseFields = map[string]directory.UserField{
	"employeenumber": directory.FieldEmployeeNumber,
	"department":     directory.FieldDepartment,
	"organization":   directory.FieldOrganization,
}

var userOps = map[filter.Op]directory.QueryOp{
	filter.Eq: directory.QueryEq, filter.Ne: directory.QueryNe, filter.Co: directory.QueryContains,
	filter.Sw: directory.QueryStartsWith, filter.Ew: directory.QueryEndsWith, filter.Pr: directory.QueryPresent,
	filter.Gt: directory.QueryGt, filter.Ge: directory.QueryGe, filter.Lt: directory.QueryLt, filter.Le: directory.QueryLe,
}

func invalidFilter(format string, args ...any) error {
	return &filter.Error{Msg: fmt.Sprintf(format, args...)}
}

// userQuery compiles a parsed filter on Users to a directory query.
func userQuery(e filter.Expr) (directory.UserQuery, error) {
	return compileUser(e, "")
}

// compileUser compiles e; within a value path, parent is the
// multi-valued attribute whose elements e tests.
func compileUser(e filter.Expr, parent string) (directory.UserQuery, error) {
	if q, ok, err := compileLogic(e, func(e filter.Expr) (directory.UserQuery, error) { return compileUser(e, parent) }); ok {
		return q, err
	}
	switch e := e.(type) {
	case *filter.ValuePath:
		if parent == "" && isEmails(e.Path) {
			return emailValuePath(e)
		}
		return compileUser(e.Filter, e.Path.String())
	case *filter.Compare:
		if parent == "" && isEmails(e.Path) {
			return emailCompare(e)
		}
		return compileCompare(e, parent)
	}
	return directory.UserQuery{}, invalidFilter("the filter is empty")
}

// compileLogic compiles e when it is an and, an or or a not, its operands
// with compile, and says whether it was.
func compileLogic(e filter.Expr, compile func(filter.Expr) (directory.UserQuery, error)) (directory.UserQuery, bool, error) {
	switch e := e.(type) {
	case *filter.And, *filter.Or:
		op, l, r := directory.QueryAnd, filter.Expr(nil), filter.Expr(nil)
		if and, ok := e.(*filter.And); ok {
			l, r = and.Left, and.Right
		} else {
			or := e.(*filter.Or)
			op, l, r = directory.QueryOr, or.Left, or.Right
		}
		left, err := compile(l)
		if err != nil {
			return directory.UserQuery{}, true, err
		}
		right, err := compile(r)
		if err != nil {
			return directory.UserQuery{}, true, err
		}
		return directory.UserQuery{Op: op, Args: []directory.UserQuery{left, right}}, true, nil
	case *filter.Not:
		x, err := compile(e.X)
		if err != nil {
			return directory.UserQuery{}, true, err
		}
		return directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{x}}, true, nil
	}
	return directory.UserQuery{}, false, nil
}

func compileCompare(c *filter.Compare, parent string) (directory.UserQuery, error) {
	name := c.Path.String()
	fields := userFields
	key := strings.ToLower(c.Path.Attr)
	if c.Path.Sub != "" {
		key += "." + strings.ToLower(c.Path.Sub)
	}
	if parent != "" {
		if c.Path.URI != "" || c.Path.Sub != "" {
			return directory.UserQuery{}, invalidFilter("%q cannot be tested inside %s[...]", name, parent)
		}
		name = parent + "." + c.Path.Attr
		pp, _ := filter.ParsePath(parent)
		key = strings.ToLower(pp.Path.Attr) + "." + strings.ToLower(c.Path.Attr)
		if pp.Path.URI != "" && !strings.EqualFold(pp.Path.URI, schemas.User) {
			fields = enterpriseFields
			key = strings.ToLower(pp.Path.Attr) + "." + strings.ToLower(c.Path.Attr)
		}
	} else if c.Path.URI != "" {
		switch {
		case strings.EqualFold(c.Path.URI, schemas.User):
		case strings.EqualFold(c.Path.URI, schemas.EnterpriseUser):
			fields = enterpriseFields
		default:
			return directory.UserQuery{}, invalidFilter("unknown schema %q", c.Path.URI)
		}
	}
	field, ok := fields[key]
	if strings.EqualFold(c.Path.Attr, "password") {
		// RFC 7644 §3.12: a password in a request URI is refused as
		// sensitive; it never reaches a log line as a filter.
		return directory.UserQuery{}, errorf(http.StatusBadRequest, typeSensitive, "a filter cannot test password; passwords never appear in a URL")
	}
	if !ok {
		return directory.UserQuery{}, invalidFilter("userd cannot filter users by %q; see the filterable attributes in docs/api/scim.md", name)
	}
	op := userOps[c.Op]
	if c.Op == filter.Pr {
		if field == directory.FieldOrg {
			return directory.UserQuery{}, invalidFilter("%q supports eq only", name)
		}
		return directory.UserQuery{Op: op, Field: field}, nil
	}
	if c.Value == nil {
		return compareNull(directory.UserQuery{Op: directory.QueryPresent, Field: field}, name, c.Op)
	}
	q := directory.UserQuery{Op: op, Field: field}
	bad := func(want string) (directory.UserQuery, error) {
		return directory.UserQuery{}, invalidFilter("%q %s needs %s", name, c.Op, want)
	}
	switch field {
	case directory.FieldID, directory.FieldOrg:
		s, ok := c.Value.(string)
		if !ok {
			return bad(`a "string" id`)
		}
		if c.Op == filter.Co || c.Op == filter.Sw || c.Op == filter.Ew || field == directory.FieldOrg && c.Op != filter.Eq {
			return directory.UserQuery{}, invalidFilter("%q supports eq, ne, gt, ge, lt and le only", name)
		}
		id, ok := parseID(s)
		if !ok {
			if c.Op != filter.Eq && c.Op != filter.Ne {
				return bad("an id userd gave")
			}
			// No user has that id: eq matches none, ne every user.
			id = 0
		}
		q.Value = id
	case directory.FieldActive:
		b, ok := c.Value.(bool)
		if !ok || (c.Op != filter.Eq && c.Op != filter.Ne) {
			return bad("true or false with eq or ne")
		}
		q.Value = b
	case directory.FieldCreatedAt, directory.FieldUpdatedAt:
		s, ok := c.Value.(string)
		t, err := time.Parse(time.RFC3339Nano, s)
		if !ok || err != nil || c.Op == filter.Co || c.Op == filter.Sw || c.Op == filter.Ew {
			return bad(`a "dateTime" such as "2011-05-13T04:42:34Z" with eq, ne, gt, ge, lt or le`)
		}
		q.Value = t
	default:
		s, ok := c.Value.(string)
		if !ok {
			return bad(`a "string"`)
		}
		q.Value = s
	}
	return q, nil
}

// compareNull compiles name op null, where pr is "name pr": "eq null" is
// "not present" (RFC 7644 §3.4.2.2 compares null as absent), "ne null" is
// "present", and no other operator compares with null.
func compareNull(pr directory.UserQuery, name string, op filter.Op) (directory.UserQuery, error) {
	switch op {
	case filter.Eq:
		return directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{pr}}, nil
	case filter.Ne:
		return pr, nil
	}
	return directory.UserQuery{}, invalidFilter("%q cannot be compared with null by %s", name, op)
}

// listParams are the query parameters of a list or a .search body.
type listParams struct {
	filter     string
	startIndex int // 1-based; 0 with cursor paging
	count      int // -1: not given
	cursor     *string
	attributes []string
	excluded   []string
	sortBy     string
	sortOrder  string
}

// searchRequest is the body of POST /.search (RFC 7644 §3.4.3).
type searchRequest struct {
	Schemas            []string    `json:"schemas"`
	Attributes         []string    `json:"attributes"`
	ExcludedAttributes []string    `json:"excludedAttributes"`
	Filter             string      `json:"filter"`
	SortBy             string      `json:"sortBy"`
	SortOrder          string      `json:"sortOrder"`
	StartIndex         json.Number `json:"startIndex"`
	Count              json.Number `json:"count"`
	Cursor             *string     `json:"cursor"`
}

// parseListQuery reads the parameters of GET /Users or /Groups.
func parseListQuery(r *http.Request) (listParams, error) {
	q := r.URL.Query()
	var cursor *string
	if _, ok := q["cursor"]; ok {
		c := q.Get("cursor")
		cursor = &c
	}
	return newListParams(listParams{filter: q.Get("filter"), cursor: cursor, attributes: splitList(q.Get("attributes")),
		excluded: splitList(q.Get("excludedAttributes")), sortBy: q.Get("sortBy"), sortOrder: q.Get("sortOrder")}, q.Get("startIndex"), q.Get("count"))
}

// newListParams completes p with its paging: startIndex and count as sent.
func newListParams(p listParams, startIndex, count string) (listParams, error) {
	p.count = -1
	cursor := p.cursor
	if cursor != nil && p.sortBy != "" {
		return p, errorf(http.StatusBadRequest, typeInvalidValue, "sortBy: a cursor pages in id order only; page a sorted list with startIndex")
	}
	if count != "" {
		n, err := strconv.Atoi(count)
		if err != nil {
			return p, errorf(http.StatusBadRequest, typeInvalidValue, "count must be an integer")
		}
		p.count = max(n, 0) // RFC 7644 §3.4.2.4: a negative count is 0
	}
	if startIndex != "" {
		if cursor != nil {
			return p, errorf(http.StatusBadRequest, typeInvalidValue, "send startIndex or cursor, not both")
		}
		n, err := strconv.Atoi(startIndex)
		if err != nil {
			return p, errorf(http.StatusBadRequest, typeInvalidValue, "startIndex must be an integer")
		}
		p.startIndex = max(n, 1) // RFC 7644 §3.4.2.4: less than 1 is 1
	} else if cursor == nil {
		p.startIndex = 1
	}
	return p, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
