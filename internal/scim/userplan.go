package scim

import (
	"strings"

	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
)

// kind is the shape of a User attribute in its JSON form.
type kind uint8

const (
	scalar    kind = iota // a string or a boolean
	complex               // one object of sub-attributes (name, meta, manager)
	multi                 // a list of objects (emails, …) or of strings (schemas)
	extension             // the enterprise extension's object
)

// attr is a member of a User resource.
type attr struct {
	name string
	kind kind
	subs []string // of complex and multi, in encoding/json's order
}

// The members of a User resource, in the order encoding/json writes a
// map's keys (byte order), which is the order userd has always answered
// them in; userAttrs[aX] is X.
var userAttrs = []attr{
	aActive:            {"active", scalar, nil},
	aAddresses:         {"addresses", multi, []string{"country", "locality", "postalCode", "primary", "region", "streetAddress", "type"}},
	aDisplayName:       {"displayName", scalar, nil},
	aEmails:            {"emails", multi, contactSubs},
	aExternalID:        {"externalId", scalar, nil},
	aGroups:            {"groups", multi, []string{"$ref", "type", "value"}},
	aID:                {"id", scalar, nil},
	aLocale:            {"locale", scalar, nil},
	aMeta:              {"meta", complex, []string{"created", "lastModified", "location", "resourceType", "version"}},
	aName:              {"name", complex, []string{"familyName", "formatted", "givenName", "honorificPrefix", "honorificSuffix", "middleName"}},
	aNickName:          {"nickName", scalar, nil},
	aPhoneNumbers:      {"phoneNumbers", multi, contactSubs},
	aPreferredLanguage: {"preferredLanguage", scalar, nil},
	aProfileURL:        {"profileUrl", scalar, nil},
	aSchemas:           {"schemas", multi, nil},
	aTimezone:          {"timezone", scalar, nil},
	aTitle:             {"title", scalar, nil},
	aEnterprise:        {schemas.EnterpriseUser, extension, nil},
	aUserName:          {"userName", scalar, nil},
	aUserType:          {"userType", scalar, nil},
}

var contactSubs = []string{"primary", "type", "value"}

const (
	aActive = iota
	aAddresses
	aDisplayName
	aEmails
	aExternalID
	aGroups
	aID
	aLocale
	aMeta
	aName
	aNickName
	aPhoneNumbers
	aPreferredLanguage
	aProfileURL
	aSchemas
	aTimezone
	aTitle
	aEnterprise
	aUserName
	aUserType
	numUserAttrs
)

// The attributes of the enterprise extension, in encoding/json's order.
var enterpriseAttrs = []attr{
	eCostCenter:     {"costCenter", scalar, nil},
	eDepartment:     {"department", scalar, nil},
	eDivision:       {"division", scalar, nil},
	eEmployeeNumber: {"employeeNumber", scalar, nil},
	eManager:        {"manager", complex, []string{"$ref", "value"}},
	eOrganization:   {"organization", scalar, nil},
}

const (
	eCostCenter = iota
	eDepartment
	eDivision
	eEmployeeNumber
	eManager
	eOrganization
	numEnterpriseAttrs
)

// mode is how a projection keeps one attribute.
type mode uint8

const (
	drop  mode = iota // left out
	whole             // kept whole
	some              // only some of its sub-attributes: subs of a complex, elem of a multi
)

// pick is what a projection keeps of one attribute. With attributes, a
// complex attribute keeps the sub-attributes in subs (and is left out
// when it has none of them); a multi-valued one keeps, of each element
// that has it, the sub-attribute elem alone (-1: one no element has, so
// the list is empty). With excludedAttributes, subs are the
// sub-attributes of a complex attribute left out.
type pick struct {
	mode mode
	subs uint16
	elem int8
	// touched (an enterprise attribute named by attributes) makes the
	// extension's object appear when the user has the attribute, even if
	// none of what was asked of it is there.
	touched bool
}

// userPlan is a projection worked out against the User schema once per
// request, so that each resource of a page is encoded straight from the
// user without a map: what projection.apply keeps of userDoc.
type userPlan struct {
	include bool // attributes given: only what top and ext pick
	exclude bool // excludedAttributes given (and no attributes)
	top     [numUserAttrs]pick
	// extWhole keeps the whole extension (with attributes); extDropped
	// leaves it out (with excludedAttributes).
	extWhole, extDropped bool
	ext                  [numEnterpriseAttrs]pick
}

// findAttr returns the index in attrs of the attribute named name,
// ignoring case, or -1.
func findAttr(attrs []attr, name string) int {
	for i, a := range attrs {
		if strings.EqualFold(a.name, name) {
			return i
		}
	}
	return -1
}

// findSub returns the index in subs of name, ignoring case, or -1.
func findSub(subs []string, name string) int {
	for i, s := range subs {
		if strings.EqualFold(s, name) {
			return i
		}
	}
	return -1
}

// planUser works p out against the User schema, with the rules of
// projection.apply: the attributes asked for (id and schemas always), or
// all but those excluded.
func planUser(p projection) *userPlan {
	pl := &userPlan{}
	switch {
	case len(p.include) > 0:
		pl.include = true
		pl.top[aID].mode, pl.top[aSchemas].mode = whole, whole
		for _, path := range p.include {
			pl.keep(path)
		}
	case len(p.exclude) > 0:
		pl.exclude = true
		for i := range pl.top {
			pl.top[i].mode = whole
		}
		for i := range pl.ext {
			pl.ext[i].mode = whole
		}
		for _, path := range p.exclude {
			pl.leaveOut(path)
		}
	}
	return pl
}

// find returns the attribute path names, in the core schema or the
// extension (ext), and what pl picks of it; pk is nil when the User
// resource has no such attribute.
func (pl *userPlan) find(path filter.Path) (a attr, pk *pick, ext bool) {
	attrs, picks := userAttrs, pl.top[:]
	switch {
	case path.URI == "" || strings.EqualFold(path.URI, schemas.User):
	case strings.EqualFold(path.URI, schemas.EnterpriseUser):
		attrs, picks, ext = enterpriseAttrs, pl.ext[:], true
	default:
		return attr{}, nil, false
	}
	i := findAttr(attrs, path.Attr)
	if i < 0 {
		return attr{}, nil, false
	}
	return attrs[i], &picks[i], ext
}

// keep adds one path of attributes, as copyPath copies it.
func (pl *userPlan) keep(path filter.Path) {
	if strings.EqualFold(path.String(), schemas.EnterpriseUser) {
		pl.extWhole = true
		return
	}
	a, pk, ext := pl.find(path)
	if pk == nil {
		return
	}
	pk.touched = ext
	switch {
	case path.Sub == "":
		pk.mode = whole
	case a.kind == complex:
		if j := findSub(a.subs, path.Sub); j >= 0 && pk.mode != whole {
			pk.mode, pk.subs = some, pk.subs|1<<j
		}
	case a.kind == multi:
		pk.mode, pk.elem = some, int8(findSub(a.subs, path.Sub))
	}
}

// leaveOut adds one path of excludedAttributes, as dropPath drops it.
func (pl *userPlan) leaveOut(path filter.Path) {
	if strings.EqualFold(path.Attr, "id") || strings.EqualFold(path.Attr, "schemas") {
		return // returned always
	}
	if strings.EqualFold(path.String(), schemas.EnterpriseUser) {
		pl.extDropped = true
		return
	}
	a, pk, _ := pl.find(path)
	if pk == nil {
		return
	}
	switch {
	case path.Sub == "":
		pk.mode = drop
	case a.kind == complex:
		if j := findSub(a.subs, path.Sub); j >= 0 {
			pk.subs |= 1 << j
		}
	}
}
