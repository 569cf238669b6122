package scim

import (
	"net/http"
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/schemas"
)

// userDoc is u as a SCIM User resource, base being the dialect's URL.
// Attributes userd holds no value for are left out.
func userDoc(u directory.User, base string) doc {
	d := doc{
		"schemas":  []any{schemas.User},
		"id":       strconv.FormatInt(u.ID, 10),
		"userName": u.Username,
		"active":   u.Active,
		"meta":     meta("User", base+"/Users/"+strconv.FormatInt(u.ID, 10), u.CreatedAt, u.UpdatedAt, u.Version),
	}
	set := func(obj doc, k, v string) {
		if v != "" {
			obj[k] = v
		}
	}
	name := doc{}
	set(name, "formatted", u.Name)
	if len(name) > 0 {
		d["name"] = name
	}
	set(d, "nickName", u.NickName)
	if u.Email != "" {
		d["emails"] = []any{doc{"value": u.Email, "primary": true}}
	}
	if u.Phone != "" {
		d["phoneNumbers"] = []any{doc{"value": u.Phone, "primary": true}}
	}
	addr := doc{}
	set(addr, "streetAddress", u.Address)
	set(addr, "locality", u.City)
	set(addr, "region", u.Province)
	set(addr, "country", u.Country)
	if len(addr) > 0 {
		addr["primary"] = true
		d["addresses"] = []any{addr}
	}
	if len(u.Orgs) > 0 {
		groups := make([]any, len(u.Orgs))
		for i, m := range u.Orgs {
			id := strconv.FormatInt(m.OrgID, 10)
			groups[i] = doc{"value": id, "$ref": base + "/Groups/" + id, "type": "direct"}
		}
		d["groups"] = groups
	}
	ent := doc{}
	set(ent, "employeeNumber", u.EmployeeNumber)
	if u.ManagerID != 0 {
		id := strconv.FormatInt(u.ManagerID, 10)
		ent["manager"] = doc{"value": id, "$ref": base + "/Users/" + id}
	}
	if len(ent) > 0 {
		d["schemas"] = []any{schemas.User, schemas.EnterpriseUser}
		d[schemas.EnterpriseUser] = ent
	}
	return d
}

// meta is a resource's meta attribute.
func meta(resourceType, location string, created, modified time.Time, version int64) doc {
	return doc{
		"resourceType": resourceType,
		"created":      created.UTC().Format(time.RFC3339Nano),
		"lastModified": modified.UTC().Format(time.RFC3339Nano),
		"location":     location,
		"version":      etag(version),
	}
}

// etag is the weak entity tag of a version.
func etag(version int64) string { return `W/"` + strconv.FormatInt(version, 10) + `"` }

// userPatch reads a whole User resource (a POST or PUT body, or the result
// of a PATCH) as the change that makes a user hold exactly it: every
// attribute SCIM maps is set, an absent one to its empty value. Read-only
// attributes (id, meta, groups) are ignored, as RFC 7644 §3.5.1 says; an
// attribute userd does not keep is refused.
func userPatch(d doc) (directory.UserPatch, error) {
	r := newReader(d, "")
	r.ignore("schemas", "id", "meta", "groups")
	var p directory.UserPatch
	p.Username = ptr(r.str("userName"))
	if *p.Username == "" && r.err == nil {
		return p, errorf(http.StatusBadRequest, typeInvalidValue, "userName is required")
	}
	name := ""
	if n := r.object("name"); n != nil {
		name = n.str("formatted")
	}
	p.Name = &name
	p.NickName = ptr(r.str("nickName"))
	p.Active = ptr(r.boolean("active", true))
	if pw, ok := r.get("password"); ok {
		s, isStr := pw.(string)
		if !isStr {
			r.fail("password", "must be a string")
		}
		p.Password = &s
	}
	p.Email = ptr(primaryValue(r, "emails"))
	p.Phone = ptr(primaryValue(r, "phoneNumbers"))
	var street, city, region, country string
	if addrs := r.list("addresses"); len(addrs) > 1 {
		r.fail("addresses", "userd keeps one address; send at most one")
	} else if len(addrs) == 1 {
		a := addrs[0]
		street, city, region, country = a.str("streetAddress"), a.str("locality"), a.str("region"), a.str("country")
		a.ignore("primary", "type", "formatted")
	}
	p.Address, p.City, p.Province, p.Country = &street, &city, &region, &country
	employee, manager := "", int64(0)
	if ent := r.object(schemas.EnterpriseUser); ent != nil {
		employee = ent.str("employeeNumber")
		if m := ent.object("manager"); m != nil {
			m.ignore("$ref", "displayName")
			if v := m.str("value"); v != "" {
				id, ok := parseID(v)
				if !ok {
					m.fail("value", "is not the id of a user")
				}
				manager = id
			}
		}
	}
	p.EmployeeNumber, p.ManagerID = &employee, &manager
	return p, r.done()
}

// primaryValue returns the value of the primary (or only) element of a
// multi-valued attribute such as emails, "" when there is none.
func primaryValue(r *reader, attr string) string {
	els := r.list(attr)
	if len(els) > 1 {
		r.fail(attr, "userd keeps one value; send at most one")
		return ""
	}
	if len(els) == 0 {
		return ""
	}
	els[0].ignore("primary", "type", "display")
	return els[0].str("value")
}

func ptr[T any](v T) *T { return &v }

// parseID reads a resource id: the decimal id userd gave.
func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0 && n <= directory.MaxSafeID && strconv.FormatInt(n, 10) == s
}
