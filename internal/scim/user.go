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
	set(d, "externalId", u.ExternalID)
	name := doc{}
	set(name, "formatted", u.Name)
	set(name, "givenName", u.GivenName)
	set(name, "middleName", u.MiddleName)
	set(name, "familyName", u.FamilyName)
	set(name, "honorificPrefix", u.HonorificPrefix)
	set(name, "honorificSuffix", u.HonorificSuffix)
	if len(name) > 0 {
		d["name"] = name
	}
	set(d, "displayName", u.DisplayName)
	set(d, "nickName", u.NickName)
	set(d, "title", u.Title)
	set(d, "userType", u.UserType)
	set(d, "preferredLanguage", u.PreferredLanguage)
	set(d, "locale", u.Locale)
	set(d, "timezone", u.Timezone)
	set(d, "profileUrl", u.ProfileURL)
	if l := contactList(u.Email, u.EmailType, u.OtherEmails); l != nil {
		d["emails"] = l
	}
	if l := contactList(u.Phone, u.PhoneType, u.OtherPhones); l != nil {
		d["phoneNumbers"] = l
	}
	addr := doc{}
	set(addr, "streetAddress", u.Address)
	set(addr, "locality", u.City)
	set(addr, "region", u.Province)
	set(addr, "postalCode", u.PostalCode)
	set(addr, "country", u.Country)
	set(addr, "type", u.AddressType)
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
	set(ent, "costCenter", u.CostCenter)
	set(ent, "organization", u.Organization)
	set(ent, "division", u.Division)
	set(ent, "department", u.Department)
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

// contactList is the emails or phoneNumbers of a user: the primary one
// (flagged) and the others, each with its type; nil when there are none.
func contactList(value, typ string, others []directory.Contact) []any {
	listed := directory.JoinContacts(value, typ, others)
	if len(listed) == 0 {
		return nil
	}
	out := make([]any, len(listed))
	for i, c := range listed {
		el := doc{"value": c.Value}
		if c.Type != "" {
			el["type"] = c.Type
		}
		if c.Primary {
			el["primary"] = true
		}
		out[i] = el
	}
	return out
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
// attribute userd does not keep is refused, never dropped.
func userPatch(d doc) (directory.UserPatch, error) {
	r := newReader(d, "")
	r.ignore("schemas", "id", "meta", "groups")
	var p directory.UserPatch
	text := func(r *reader, attr string) *string { return ptr(r.str(attr)) }
	p.Username = text(r, "userName")
	if *p.Username == "" && r.err == nil {
		return p, errorf(http.StatusBadRequest, typeInvalidValue, "userName is required")
	}
	p.ExternalID = text(r, "externalId")
	n := r.object("name")
	if n == nil {
		n = newReader(doc{}, "name")
	}
	p.Name, p.GivenName, p.MiddleName, p.FamilyName = text(n, "formatted"), text(n, "givenName"), text(n, "middleName"), text(n, "familyName")
	p.HonorificPrefix, p.HonorificSuffix = text(n, "honorificPrefix"), text(n, "honorificSuffix")
	p.DisplayName, p.NickName, p.Title, p.UserType = text(r, "displayName"), text(r, "nickName"), text(r, "title"), text(r, "userType")
	p.PreferredLanguage, p.Locale, p.Timezone, p.ProfileURL = text(r, "preferredLanguage"), text(r, "locale"), text(r, "timezone"), text(r, "profileUrl")
	p.Active = ptr(r.boolean("active", true))
	if pw, ok := r.get("password"); ok {
		s, isStr := pw.(string)
		if !isStr {
			r.fail("password", "must be a string")
		}
		p.Password = &s
	}
	var err error
	if p.Email, p.EmailType, p.OtherEmails, err = contacts(r, "emails", "email"); err != nil {
		return p, err
	}
	if p.Phone, p.PhoneType, p.OtherPhones, err = contacts(r, "phoneNumbers", "phone"); err != nil {
		return p, err
	}
	var street, city, region, postal, country, addrType string
	if addrs := r.list("addresses"); len(addrs) > 1 {
		r.fail("addresses", "userd keeps one address; send at most one")
	} else if len(addrs) == 1 {
		a := addrs[0]
		street, city, region, postal = a.str("streetAddress"), a.str("locality"), a.str("region"), a.str("postalCode")
		country, addrType = a.str("country"), a.str("type")
		a.ignore("primary", "formatted")
	}
	p.Address, p.City, p.Province, p.PostalCode, p.Country, p.AddressType = &street, &city, &region, &postal, &country, &addrType
	ent := r.object(schemas.EnterpriseUser)
	if ent == nil {
		ent = newReader(doc{}, schemas.EnterpriseUser)
	}
	p.EmployeeNumber, p.CostCenter, p.Organization = text(ent, "employeeNumber"), text(ent, "costCenter"), text(ent, "organization")
	p.Division, p.Department = text(ent, "division"), text(ent, "department")
	manager := int64(0)
	if v, ok := ent.get("manager"); ok {
		if id, isStr := v.(string); isStr {
			// Entra ID sends the manager as its id alone.
			if manager, ok = parseID(id); !ok && id != "" {
				ent.fail("manager", "is not the id of a user")
			}
		}
	}
	if m := ent.objectIfObject("manager"); m != nil {
		m.ignore("$ref", "displayName")
		if v := m.str("value"); v != "" {
			id, ok := parseID(v)
			if !ok {
				m.fail("value", "is not the id of a user")
			}
			manager = id
		}
	}
	p.ManagerID = &manager
	return p, r.done()
}

// contacts reads emails or phoneNumbers into the primary value, its type
// and the others; field is the native name for errors.
func contacts(r *reader, attr, field string) (value, typ *string, others *[]directory.Contact, err error) {
	var listed []directory.ListedContact
	for _, el := range r.list(attr) {
		el.ignore("display")
		listed = append(listed, directory.ListedContact{Value: el.str("value"), Type: el.str("type"), Primary: el.boolean("primary", false)})
	}
	primary, rest, err := directory.SplitContacts(field, listed)
	if err != nil {
		return nil, nil, nil, err
	}
	if rest == nil {
		rest = []directory.Contact{}
	}
	return &primary.Value, &primary.Type, &rest, nil
}

func ptr[T any](v T) *T { return &v }

// parseID reads a resource id: the decimal id userd gave.
func parseID(s string) (int64, bool) {
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0 && n <= directory.MaxSafeID && strconv.FormatInt(n, 10) == s
}
