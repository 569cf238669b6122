package scim

import (
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
)

// A filter on emails tests every email of the user, the primary one and
// the others (RFC 7644 §3.4.2.2: a multi-valued attribute matches when one
// of its values does). emails and emails.value compare the address
// ignoring case (RFC 7643 §4.1.2: caseExact false), emails.type exactly,
// emails.primary with true or false. Each compiles to a
// directory.QueryAnyEmail, which the stores read from their table of
// emails: emails.value eq "x" finds a user whose second email is x.

// isEmails reports whether p names the core User's emails or one of its
// sub-attributes.
func isEmails(p filter.Path) bool {
	return strings.EqualFold(p.Attr, "emails") && (p.URI == "" || strings.EqualFold(p.URI, schemas.User))
}

func anyEmail(q directory.UserQuery) directory.UserQuery {
	return directory.UserQuery{Op: directory.QueryAnyEmail, Args: []directory.UserQuery{q}}
}

// emailValuePath compiles emails[...]: one email meets the whole
// condition (emails[type eq "work" and value co "@example.com"] asks both
// of the same email).
func emailValuePath(v *filter.ValuePath) (directory.UserQuery, error) {
	if v.Path.Sub != "" {
		return directory.UserQuery{}, invalidFilter("%q cannot hold a filter; write emails[...]", v.Path.String())
	}
	q, err := emailCondition(v.Filter)
	if err != nil {
		return directory.UserQuery{}, err
	}
	return anyEmail(q), nil
}

// emailCondition compiles the condition inside emails[...] on one email.
func emailCondition(e filter.Expr) (directory.UserQuery, error) {
	if q, ok, err := compileLogic(e, emailCondition); ok {
		return q, err
	}
	if c, ok := e.(*filter.Compare); ok {
		if c.Path.URI != "" || c.Path.Sub != "" {
			return directory.UserQuery{}, invalidFilter("%q cannot be tested inside emails[...]", c.Path.String())
		}
		return emailEntry(c.Path.Attr, "emails."+c.Path.Attr, c)
	}
	return directory.UserQuery{}, invalidFilter("emails[...] cannot hold another value filter")
}

// emailCompare compiles a comparison of emails or one of its
// sub-attributes outside brackets: one of the user's emails meets it.
// Compared with null it asks whether the user has it at all: emails eq
// null matches the users without an email, emails.type ne null those with
// an email that has a type.
func emailCompare(c *filter.Compare) (directory.UserQuery, error) {
	sub, name := c.Path.Sub, c.Path.String()
	if sub == "" {
		sub = "value"
	}
	if c.Value == nil && c.Op != filter.Pr {
		pr, err := emailEntry(sub, name, &filter.Compare{Path: c.Path, Op: filter.Pr})
		if err != nil {
			return directory.UserQuery{}, err
		}
		return compareNull(anyEmail(pr), name, c.Op)
	}
	q, err := emailEntry(sub, name, c)
	if err != nil {
		return directory.UserQuery{}, err
	}
	return anyEmail(q), nil
}

// emailEntry compiles c, a comparison of the sub-attribute sub (name as
// the filter wrote it) of one email.
func emailEntry(sub, name string, c *filter.Compare) (directory.UserQuery, error) {
	bad := func(want string) (directory.UserQuery, error) {
		return directory.UserQuery{}, invalidFilter("%q %s needs %s", name, c.Op, want)
	}
	switch strings.ToLower(sub) {
	case "value", "type":
		field := directory.FieldEmailEntryValue
		if strings.EqualFold(sub, "type") {
			field = directory.FieldEmailEntryType
		}
		if c.Op == filter.Pr {
			return directory.UserQuery{Op: directory.QueryPresent, Field: field}, nil
		}
		if c.Value == nil {
			return compareNull(directory.UserQuery{Op: directory.QueryPresent, Field: field}, name, c.Op)
		}
		s, ok := c.Value.(string)
		if !ok {
			return bad(`a "string"`)
		}
		return directory.UserQuery{Op: userOps[c.Op], Field: field, Value: s}, nil
	case "primary":
		// userd writes primary on the primary email only, as true: the
		// others have none, which null and false both stand for.
		q := directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldEmailEntryPrimary}
		switch {
		case c.Op == filter.Pr:
			q.Value = true
		case c.Value == nil && (c.Op == filter.Eq || c.Op == filter.Ne):
			q.Value = c.Op == filter.Ne
		default:
			b, ok := c.Value.(bool)
			if !ok || (c.Op != filter.Eq && c.Op != filter.Ne) {
				return bad("true or false with eq or ne")
			}
			q.Op, q.Value = userOps[c.Op], b
		}
		return q, nil
	}
	return directory.UserQuery{}, invalidFilter("userd cannot filter users by %q; see the filterable attributes in docs/api/scim.md", name)
}
