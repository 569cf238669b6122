package scim

import (
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/jsonappend"
	"github.com/userd/userd/internal/scim/schemas"
)

// userJSON is a user as a SCIM User resource, encoded without a map or
// reflection: byte for byte what encoding/json writes for
// projection.apply(userDoc(u, base)) (userjson_test.go checks, on random
// users and projections). The pages and lookups Entra ID and Okta make
// most are this encoder.
type userJSON struct {
	u    *directory.User
	base string // the dialect's URL
}

// value is one member's value, as its kind says.
type value struct {
	present bool
	kind    valueKind
	s, s2   string
	b       bool
	t       time.Time
	n       int64
}

type valueKind uint8

const (
	textValue valueKind = iota // s
	boolValue                  // b
	timeValue                  // t in RFC 3339
	etagValue                  // the weak ETag of version n: W/"n"
	refValue                   // s, s2 and the id n in decimal
)

func str(s string) value    { return value{present: s != "", s: s} }
func always(s string) value { return value{present: true, s: s} }
func boolean(b bool) value  { return value{present: true, kind: boolValue, b: b} }
func ref(base, path string, id int64) value {
	return value{present: true, kind: refValue, s: base, s2: path, n: id}
}
func moment(t time.Time) value { return value{present: true, kind: timeValue, t: t.UTC()} }

// appendValue appends v as encoding/json writes it.
func appendValue(b []byte, v value) []byte {
	switch v.kind {
	case boolValue:
		return strconv.AppendBool(b, v.b)
	case timeValue:
		// A time in RFC 3339 holds nothing JSON escapes.
		b = append(b, '"')
		b = v.t.AppendFormat(b, time.RFC3339Nano)
		return append(b, '"')
	case etagValue:
		b = strconv.AppendInt(append(b, `"W/\"`...), v.n, 10)
		return append(b, `\""`...)
	case refValue:
		// encoding/json escapes a string rune by rune, so s escaped and
		// then s2 (a path of plain ASCII) and digits are the whole
		// escaped.
		b = jsonappend.String(b, v.s, false)
		b = append(b[:len(b)-1], v.s2...)
		b = strconv.AppendInt(b, v.n, 10)
		return append(b, '"')
	}
	return jsonappend.String(b, v.s, false)
}

// member appends `,"name":` (no comma after '{') and v.
func member(b []byte, name string, v value) []byte {
	b = key(b, name)
	return appendValue(b, v)
}

// key appends the key of a member, after a comma unless it is an
// object's first. name is one of the schema's names (userAttrs and the
// others), plain ASCII that JSON writes as it is.
func key(b []byte, name string) []byte {
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(append(b, '"'), name...)
	return append(b, '"', ':')
}

func newUserJSON(u *directory.User, base string) *userJSON {
	return &userJSON{u: u, base: base}
}

// scalar returns the value of the top-level attribute i (a scalar).
func (r *userJSON) scalar(i int) value {
	u := r.u
	switch i {
	case aActive:
		return boolean(u.Active)
	case aDisplayName:
		return str(u.DisplayName)
	case aExternalID:
		return str(u.ExternalID)
	case aID:
		return ref("", "", u.ID)
	case aLocale:
		return str(u.Locale)
	case aNickName:
		return str(u.NickName)
	case aPreferredLanguage:
		return str(u.PreferredLanguage)
	case aProfileURL:
		return str(u.ProfileURL)
	case aTimezone:
		return str(u.Timezone)
	case aTitle:
		return str(u.Title)
	case aUserName:
		return always(u.Username)
	case aUserType:
		return str(u.UserType)
	}
	return value{}
}

// sub returns sub-attribute j of the complex attribute i.
func (r *userJSON) sub(i, j int) value {
	u := r.u
	if i == aMeta {
		switch j {
		case 0:
			return moment(u.CreatedAt)
		case 1:
			return moment(u.UpdatedAt)
		case 2:
			return ref(r.base, "/Users/", u.ID)
		case 3:
			return always("User")
		}
		return value{present: true, kind: etagValue, n: u.Version}
	}
	return str([...]string{u.FamilyName, u.Name, u.GivenName, u.HonorificPrefix, u.HonorificSuffix, u.MiddleName}[j])
}

// elems returns how many elements the multi-valued attribute i has.
func (r *userJSON) elems(i int) int {
	u := r.u
	switch i {
	case aAddresses:
		if u.Address != "" || u.City != "" || u.Province != "" || u.PostalCode != "" || u.Country != "" || u.AddressType != "" {
			return 1
		}
	case aEmails, aPhoneNumbers:
		_, n := r.contact(i, -1)
		return n
	case aGroups:
		return len(u.Orgs)
	case aSchemas:
		if r.hasEnterprise() {
			return 2
		}
		return 1
	}
	return 0
}

// contact returns element e of the emails (i aEmails) or phoneNumbers,
// listed as directory.JoinContacts lists them, or with e -1 how many
// there are.
func (r *userJSON) contact(i, e int) (directory.ListedContact, int) {
	u := r.u
	value, typ, others := u.Email, u.EmailType, u.OtherEmails
	if i == aPhoneNumbers {
		value, typ, others = u.Phone, u.PhoneType, u.OtherPhones
	}
	n := len(others)
	if value != "" {
		if e == 0 {
			return directory.ListedContact{Value: value, Type: typ, Primary: true}, 0
		}
		e, n = e-1, n+1
	}
	if e < 0 {
		return directory.ListedContact{}, n
	}
	return directory.ListedContact{Value: others[e].Value, Type: others[e].Type}, 0
}

// elem returns sub-attribute j of element e of the multi-valued attribute
// i; j is -1 for an element of schemas, a string.
func (r *userJSON) elem(i, e, j int) value {
	u := r.u
	switch i {
	case aAddresses:
		return [...]value{str(u.Country), str(u.City), str(u.PostalCode), boolean(true), str(u.Province), str(u.Address), str(u.AddressType)}[j]
	case aEmails, aPhoneNumbers:
		c, _ := r.contact(i, e)
		switch j {
		case 0:
			return value{present: c.Primary, kind: boolValue, b: true}
		case 1:
			return str(c.Type)
		}
		return always(c.Value)
	case aGroups:
		switch j {
		case 0:
			return ref(r.base, "/Groups/", u.Orgs[e].OrgID)
		case 1:
			return always("direct")
		}
		return ref("", "", u.Orgs[e].OrgID)
	}
	return always([...]string{schemas.User, schemas.EnterpriseUser}[e])
}

// enterprise returns attribute i of the extension (a scalar).
func (r *userJSON) enterprise(i int) value {
	u := r.u
	return str([...]string{u.CostCenter, u.Department, u.Division, u.EmployeeNumber, "", u.Organization}[i])
}

// hasEnterprise reports whether the user has an enterprise attribute, so
// that the resource holds the extension.
func (r *userJSON) hasEnterprise() bool {
	u := r.u
	return u.EmployeeNumber != "" || u.CostCenter != "" || u.Organization != "" || u.Division != "" || u.Department != "" || u.ManagerID != 0
}

// appendJSON appends the resource as pl projects it.
func (r *userJSON) appendJSON(b []byte, pl *userPlan) []byte {
	b = append(b, '{')
	for i, a := range userAttrs {
		pk := pl.top[i]
		if pl.include || pl.exclude {
			if i == aEnterprise {
				b = r.appendEnterprise(b, pl)
				continue
			}
			if pk.mode == drop {
				continue
			}
		} else {
			pk.mode = whole
		}
		switch a.kind {
		case scalar:
			if v := r.scalar(i); v.present {
				b = member(b, a.name, v)
			}
		case complex:
			b = r.appendComplex(b, i, pk, pl.exclude)
		case multi:
			b = r.appendMulti(b, i, pk)
		case extension:
			b = r.appendEnterprise(b, pl)
		}
	}
	return append(b, '}')
}

// appendComplex appends name or meta as pk keeps it: whole, only the
// sub-attributes in pk.subs (left out when the user has none of them),
// or with excluded all but pk.subs (kept, even empty, when the user has
// the attribute).
func (r *userJSON) appendComplex(b []byte, i int, pk pick, excluded bool) []byte {
	a := userAttrs[i]
	start := len(b)
	exists, kept := false, false
	b = append(key(b, a.name), '{')
	for j, name := range a.subs {
		v := r.sub(i, j)
		if !v.present {
			continue
		}
		exists = true
		bit := pk.subs&(1<<j) != 0
		if pk.mode == some && !bit || excluded && bit {
			continue
		}
		b, kept = member(b, name, v), true
	}
	if !kept && !(excluded && exists) {
		return b[:start] // a name with none of its parts is not there
	}
	return append(b, '}')
}

// appendMulti appends a multi-valued attribute as pk keeps it: whole, or
// of each element only the sub-attribute pk.elem.
func (r *userJSON) appendMulti(b []byte, i int, pk pick) []byte {
	n := r.elems(i)
	if n == 0 {
		return b
	}
	a := userAttrs[i]
	b = append(key(b, a.name), '[')
	first := true
	for e := range n {
		if a.subs == nil { // schemas: strings
			if pk.mode == some {
				break
			}
			if !first {
				b = append(b, ',')
			}
			b, first = appendValue(b, r.elem(i, e, -1)), false
			continue
		}
		if pk.mode == some {
			if pk.elem < 0 {
				break
			}
			v := r.elem(i, e, int(pk.elem))
			if !v.present {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			b, first = member(append(b, '{'), a.subs[pk.elem], v), false
			b = append(b, '}')
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, '{')
		for j, name := range a.subs {
			if v := r.elem(i, e, j); v.present {
				b = member(b, name, v)
			}
		}
		b = append(b, '}')
	}
	return append(b, ']')
}

// appendEnterprise appends the enterprise extension as pl keeps it.
func (r *userJSON) appendEnterprise(b []byte, pl *userPlan) []byte {
	if !r.hasEnterprise() || pl.exclude && pl.extDropped {
		return b
	}
	u := r.u
	start := len(b)
	b = append(key(b, schemas.EnterpriseUser), '{')
	touched := false // with attributes, whether the object is there at all
	for i, a := range enterpriseAttrs {
		pk := pl.ext[i]
		if !pl.include && !pl.exclude || pl.include && pl.extWhole {
			pk = pick{mode: whole}
		}
		v := r.enterprise(i)
		if i == eManager {
			v.present = u.ManagerID != 0
		}
		if !v.present {
			continue
		}
		touched = touched || pk.touched
		if pk.mode == drop {
			continue
		}
		if i != eManager {
			b = member(b, a.name, v)
			continue
		}
		manager := [...]value{ref(r.base, "/Users/", u.ManagerID), ref("", "", u.ManagerID)}
		b = append(key(b, a.name), '{')
		for j, name := range a.subs {
			bit := pk.subs&(1<<j) != 0
			if pl.include && pk.mode == some && !bit || pl.exclude && bit {
				continue
			}
			b = member(b, name, manager[j])
		}
		b = append(b, '}')
	}
	if pl.include && !pl.extWhole && !touched {
		return b[:start]
	}
	return append(b, '}')
}
