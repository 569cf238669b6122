// Package schemas holds the SCIM discovery documents userd serves (RFC 7643
// §5–7, RFC 7644 §4): the ServiceProviderConfig, the ResourceTypes and the
// Schemas of the attributes userd keeps. They say only what userd does.
package schemas

// The schema URNs userd serves.
const (
	User                  = "urn:ietf:params:scim:schemas:core:2.0:User"
	EnterpriseUser        = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
	Group                 = "urn:ietf:params:scim:schemas:core:2.0:Group"
	ServiceProviderConfig = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	ResourceType          = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	Schema                = "urn:ietf:params:scim:schemas:core:2.0:Schema"
	ListResponse          = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	SearchRequest         = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
	BulkRequest           = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"
	BulkResponse          = "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
)

// Limits are the numbers the ServiceProviderConfig advertises.
type Limits struct {
	MaxOperations  int // per Bulk request
	MaxPayloadSize int // bytes of a Bulk request
	MaxResults     int // per page of a query
	DefaultPage    int
}

// Attribute is an attribute definition (RFC 7643 §7).
type Attribute struct {
	Name          string      `json:"name"`
	Type          string      `json:"type"`
	MultiValued   bool        `json:"multiValued"`
	Description   string      `json:"description,omitempty"`
	Required      bool        `json:"required"`
	CaseExact     bool        `json:"caseExact"`
	Mutability    string      `json:"mutability"`
	Returned      string      `json:"returned"`
	Uniqueness    string      `json:"uniqueness"`
	ReferenceType []string    `json:"referenceTypes,omitempty"`
	SubAttributes []Attribute `json:"subAttributes,omitempty"`
}

// str is a string attribute: not case-exact, read-write, returned by
// default, not unique.
func str(name, description string) Attribute {
	return Attribute{Name: name, Type: "string", Description: description, Mutability: "readWrite", Returned: "default", Uniqueness: "none"}
}

func complexAttr(name, description string, multi bool, sub ...Attribute) Attribute {
	return Attribute{Name: name, Type: "complex", MultiValued: multi, Description: description, Mutability: "readWrite", Returned: "default", Uniqueness: "none", SubAttributes: sub}
}

func boolean(name, description string) Attribute {
	a := str(name, description)
	a.Type = "boolean"
	return a
}

func readOnly(a Attribute) Attribute {
	a.Mutability = "readOnly"
	for i := range a.SubAttributes {
		a.SubAttributes[i].Mutability = "readOnly"
	}
	return a
}

func reference(name, description string, types ...string) Attribute {
	a := str(name, description)
	a.Type, a.ReferenceType, a.CaseExact = "reference", types, true
	return a
}

// contact is a multi-valued email or phone: value, type, primary.
func contact(name, description string) Attribute {
	return complexAttr(name, description, true,
		str("value", "The "+name+" value; the primary one is userd's own."),
		str("type", "A label such as work, home or mobile."),
		boolean("primary", "Whether this is the primary value; at most one is."))
}

// UserAttributes are the core User attributes userd keeps.
func UserAttributes() []Attribute {
	userName := str("userName", "Unique identifier for the user, compared ignoring case: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '@' and '-'.")
	userName.Required, userName.Uniqueness = true, "server"
	password := str("password", "The user's password; never returned.")
	password.Mutability, password.Returned = "writeOnly", "never"
	groups := readOnly(complexAttr("groups", "The groups (userd organizations) the user is a member of; change them through the Group's members.", true,
		str("value", "The group's id."), reference("$ref", "The group's URI.", "Group"), str("display", "The group's name."), str("type", "Always direct.")))
	exact := func(a Attribute) Attribute { a.CaseExact = true; return a }
	return []Attribute{
		userName,
		complexAttr("name", "The user's name; filters compare givenName and familyName exactly, formatted ignoring case.", false,
			str("formatted", "The full name."), exact(str("familyName", "")), exact(str("givenName", "")),
			str("middleName", ""), str("honorificPrefix", ""), str("honorificSuffix", "")),
		exact(str("displayName", "The name to show; filters compare it exactly.")),
		str("nickName", "The casual name."),
		reference("profileUrl", "A URL of the user's profile.", "external"),
		exact(str("title", "The user's title; filters compare it exactly.")),
		exact(str("userType", "Such as Employee or Contractor; filters compare it exactly.")),
		str("preferredLanguage", "Such as en-US."),
		str("locale", "Such as en-US."),
		str("timezone", "Such as America/Los_Angeles."),
		boolean("active", "Whether the user may sign in; false deactivates."),
		password,
		contact("emails", "Email addresses, at most 10; the primary one is unique in the tenant and the only one filters reach."),
		contact("phoneNumbers", "Phone numbers, at most 10."),
		complexAttr("addresses", "The user's address (one).", true,
			str("streetAddress", "Street."), str("locality", "City."), str("region", "Province or state."),
			str("postalCode", "Postal code."), str("country", "Country."), str("type", "A label such as work."),
			boolean("primary", "Always true: userd keeps one address.")),
		groups,
	}
}

// EnterpriseAttributes are the enterprise extension's attributes userd
// keeps.
func EnterpriseAttributes() []Attribute {
	exact := func(a Attribute) Attribute { a.CaseExact = true; return a }
	return []Attribute{
		exact(str("employeeNumber", "The employee number; filters compare it exactly.")),
		str("costCenter", ""),
		exact(str("organization", "Filters compare it exactly.")),
		str("division", ""),
		exact(str("department", "Filters compare it exactly.")),
		complexAttr("manager", "The user's manager, a user of the same tenant.", false,
			str("value", "The manager's id."), reference("$ref", "The manager's URI.", "User"),
			readOnly(str("displayName", "The manager's name."))),
	}
}

// GroupAttributes are the Group attributes: a group is a userd
// organization and its members are the users who are members of it.
func GroupAttributes() []Attribute {
	displayName := str("displayName", "The organization's name.")
	displayName.Required = true
	return []Attribute{
		displayName,
		complexAttr("members", "The users who are members of the organization. Groups cannot hold groups.", true,
			str("value", "The member's id."), reference("$ref", "The member's URI.", "User"),
			readOnly(str("display", "The member's name.")), readOnly(str("type", "Always User."))),
	}
}

// Common are the attributes every resource has (RFC 7643 §3.1).
func Common() []Attribute {
	id := readOnly(str("id", "The id userd gives the resource."))
	id.CaseExact, id.Returned, id.Uniqueness = true, "always", "server"
	externalID := str("externalId", "The id the provisioning client knows the resource by.")
	externalID.CaseExact = true
	meta := readOnly(complexAttr("meta", "Resource metadata.", false,
		str("resourceType", ""), Attribute{Name: "created", Type: "dateTime", Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
		Attribute{Name: "lastModified", Type: "dateTime", Mutability: "readOnly", Returned: "default", Uniqueness: "none"},
		reference("location", "", "uri"), str("version", "A weak entity tag of the resource's version.")))
	return []Attribute{id, externalID, meta}
}

// ServiceProviderConfigDoc returns the ServiceProviderConfig at base (the
// dialect's URL, ending in /scim/v2).
func ServiceProviderConfigDoc(base string, l Limits) map[string]any {
	return map[string]any{
		"schemas":          []string{ServiceProviderConfig},
		"documentationUri": "https://github.com/userd/userd/blob/main/docs/api/scim.md",
		"patch":            map[string]any{"supported": true},
		"bulk":             map[string]any{"supported": true, "maxOperations": l.MaxOperations, "maxPayloadSize": l.MaxPayloadSize},
		"filter":           map[string]any{"supported": true, "maxResults": l.MaxResults},
		"changePassword":   map[string]any{"supported": true},
		"sort":             map[string]any{"supported": true},
		"etag":             map[string]any{"supported": true},
		// RFC 9865: both index and cursor paging.
		"pagination": map[string]any{"cursor": true, "index": true, "defaultPaginationMethod": "index",
			"defaultPageSize": l.DefaultPage, "maxPageSize": l.MaxResults, "cursorTimeout": 0},
		"authenticationSchemes": []any{map[string]any{
			"type": "oauthbearertoken", "name": "Bearer token", "primary": true,
			"description": "An API token or an OAuth 2.0 client-credentials access token of the tenant, in Authorization: Bearer; users:read to read, users:write to change.",
			"specUri":     "https://www.rfc-editor.org/info/rfc6750",
		}},
		"meta": map[string]any{"resourceType": "ServiceProviderConfig", "location": base + "/ServiceProviderConfig"},
	}
}

// ResourceTypes returns the ResourceType documents.
func ResourceTypes(base string) []map[string]any {
	return []map[string]any{
		{
			"schemas": []string{ResourceType}, "id": "User", "name": "User", "endpoint": "/Users",
			"description": "A userd user.", "schema": User,
			"schemaExtensions": []any{map[string]any{"schema": EnterpriseUser, "required": false}},
			"meta":             map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/User"},
		},
		{
			"schemas": []string{ResourceType}, "id": "Group", "name": "Group", "endpoint": "/Groups",
			"description": "A userd organization; its members are the users who belong to it.", "schema": Group,
			"meta": map[string]any{"resourceType": "ResourceType", "location": base + "/ResourceTypes/Group"},
		},
	}
}

// Schemas returns the Schema documents of User, EnterpriseUser and Group.
func Schemas(base string) []map[string]any {
	doc := func(id, name, description string, attrs []Attribute) map[string]any {
		return map[string]any{"schemas": []string{Schema}, "id": id, "name": name, "description": description,
			"attributes": attrs, "meta": map[string]any{"resourceType": "Schema", "location": base + "/Schemas/" + id}}
	}
	return []map[string]any{
		doc(User, "User", "User account", append(Common(), UserAttributes()...)),
		doc(EnterpriseUser, "EnterpriseUser", "Enterprise user", EnterpriseAttributes()),
		doc(Group, "Group", "Group (a userd organization)", append(Common(), GroupAttributes()...)),
	}
}
