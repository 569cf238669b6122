package directory

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on the profile fields that SCIM (RFC 7643) and the OneAccess
// family carry. Free text is bounded by MaxTextFieldLen like the older
// fields; codes and identifiers get tighter bounds.
const (
	// MaxContacts is the most emails (or phones) a user has, the primary
	// one included: at most MaxContacts-1 others.
	MaxContacts = 10
	// MaxContactTypeLen bounds the type of an email, phone or address
	// ("work", "home", "mobile", ...).
	MaxContactTypeLen = 32
	// MaxExternalIDLen bounds ExternalID.
	MaxExternalIDLen = 256
	// MaxCodeLen bounds language tags, locales, time zone names, gender,
	// identity type and postal code.
	MaxCodeLen = 64
	// MaxIdentityNumberLen bounds IdentityNumber.
	MaxIdentityNumberLen = 128
	// MaxProfileURLLen bounds ProfileURL.
	MaxProfileURLLen = 2048
	// DateFormat is the layout of Birthday and HireDate: yyyy-mm-dd.
	DateFormat = "2006-01-02"
)

// Profile is what a user says about themselves beyond the account: the
// name parts, titles and codes of SCIM's core User and enterprise
// extension and of OneAccess's attr_* fields. Every field is optional ("").
// User embeds it, so u.GivenName reads as any other field.
type Profile struct {
	// ExternalID is the id the provisioning client (a SCIM identity
	// provider) knows the user by. Set by the client, not unique, found
	// exactly (case-sensitive) with UserFilter.ExternalID.
	ExternalID string

	// The parts of the user's name; Name stays the full name (SCIM
	// name.formatted) and NickName the nick name.
	GivenName       string
	MiddleName      string
	FamilyName      string
	HonorificPrefix string
	HonorificSuffix string
	// DisplayName is the name to show for the user (SCIM displayName).
	DisplayName string
	Title       string
	// UserType is the relation of the user to the organization, such as
	// "Employee" or "Contractor" (SCIM userType, OneAccess attr_user_type).
	UserType string
	// PreferredLanguage, Locale and Timezone are as SCIM gives them ("en-US",
	// "en-US", "America/Los_Angeles"); userd keeps them as sent, bounded
	// by MaxCodeLen, and does not check them against a registry.
	PreferredLanguage string
	Locale            string
	Timezone          string
	ProfileURL        string

	// EmailType and PhoneType are the types of the primary email and phone
	// (User.Email, User.Phone); OtherEmails and OtherPhones are the rest,
	// at most MaxContacts-1 each, none equal to the primary one or to each
	// other, and none without a primary one: a change that removes the
	// primary one promotes the first other (see promote). Only the primary
	// email is unique in the tenant.
	EmailType   string
	PhoneType   string
	OtherEmails []Contact
	OtherPhones []Contact

	// PostalCode and AddressType complete the user's address (Address,
	// City, Province, Country).
	PostalCode  string
	AddressType string

	// The SCIM enterprise extension; EmployeeNumber and ManagerID are
	// User's.
	Organization string
	Division     string
	Department   string
	CostCenter   string

	// OneAccess's attributes. Birthday and HireDate are dates written
	// yyyy-mm-dd (DateFormat), or "".
	Gender         string
	Birthday       string
	IdentityType   string
	IdentityNumber string
	Area           string
	HireDate       string
	WorkPlace      string
}

// Contact is an email address or phone number besides the primary one, with
// its type ("work", "home", "mobile", "other", ... as the client says).
type Contact struct {
	Value string
	Type  string
}

// ListedContact is an email or phone as the dialects with multi-valued
// lists (SCIM) carry it: the primary one flagged among the others.
type ListedContact struct {
	Value   string
	Type    string
	Primary bool
}

// SplitContacts turns a list of emails or phones (field names it in an
// error) into the primary one and the others, as User keeps them: the
// entry marked primary, or the first when none is. More than one primary
// entry is Invalid. An empty list gives an empty primary and no others.
func SplitContacts(field string, list []ListedContact) (primary Contact, others []Contact, err error) {
	at := -1
	for i, c := range list {
		if c.Primary {
			if at >= 0 {
				return Contact{}, nil, Errorf(Invalid, field, "at most one entry may be primary")
			}
			at = i
		}
	}
	if len(list) == 0 {
		return Contact{}, nil, nil
	}
	if at < 0 {
		at = 0
	}
	for i, c := range list {
		if i != at {
			others = append(others, Contact{Value: c.Value, Type: c.Type})
		}
	}
	return Contact{Value: list[at].Value, Type: list[at].Type}, others, nil
}

// JoinContacts is the inverse of SplitContacts: the primary email or phone
// (when value is not "") flagged primary, then the others.
func JoinContacts(value, typ string, others []Contact) []ListedContact {
	out := make([]ListedContact, 0, len(others)+1)
	if value != "" {
		out = append(out, ListedContact{Value: value, Type: typ, Primary: true})
	}
	for _, c := range others {
		out = append(out, ListedContact{Value: c.Value, Type: c.Type})
	}
	return out
}

// validate checks the profile of u.
func (p *Profile) validate(u *User) error {
	for _, d := range []struct{ field, value string }{{"birthday", p.Birthday}, {"hire_date", p.HireDate}} {
		if err := ValidateDate(d.field, d.value); err != nil {
			return err
		}
	}
	texts := []struct {
		field string
		value string
		max   int
	}{
		{"external_id", p.ExternalID, MaxExternalIDLen},
		{"given_name", p.GivenName, MaxTextFieldLen},
		{"middle_name", p.MiddleName, MaxTextFieldLen},
		{"family_name", p.FamilyName, MaxTextFieldLen},
		{"honorific_prefix", p.HonorificPrefix, MaxTextFieldLen},
		{"honorific_suffix", p.HonorificSuffix, MaxTextFieldLen},
		{"display_name", p.DisplayName, MaxTextFieldLen},
		{"title", p.Title, MaxTextFieldLen},
		{"user_type", p.UserType, MaxTextFieldLen},
		{"preferred_language", p.PreferredLanguage, MaxCodeLen},
		{"locale", p.Locale, MaxCodeLen},
		{"timezone", p.Timezone, MaxCodeLen},
		{"profile_url", p.ProfileURL, MaxProfileURLLen},
		{"email_type", p.EmailType, MaxContactTypeLen},
		{"phone_type", p.PhoneType, MaxContactTypeLen},
		{"postal_code", p.PostalCode, MaxCodeLen},
		{"address_type", p.AddressType, MaxContactTypeLen},
		{"organization", p.Organization, MaxTextFieldLen},
		{"division", p.Division, MaxTextFieldLen},
		{"department", p.Department, MaxTextFieldLen},
		{"cost_center", p.CostCenter, MaxTextFieldLen},
		{"gender", p.Gender, MaxCodeLen},
		{"identity_type", p.IdentityType, MaxCodeLen},
		{"identity_number", p.IdentityNumber, MaxIdentityNumberLen},
		{"area", p.Area, MaxTextFieldLen},
		{"work_place", p.WorkPlace, MaxTextFieldLen},
	}
	for _, t := range texts {
		if err := validateText(t.field, t.value, t.max); err != nil {
			return err
		}
	}
	for _, c := range []struct{ field, value, typ string }{{"email_type", u.Email, p.EmailType}, {"phone_type", u.Phone, p.PhoneType}} {
		if c.typ != "" && c.value == "" {
			return Errorf(Invalid, c.field, "is the type of %s, which the user does not have: set both", strings.TrimSuffix(c.field, "_type"))
		}
	}
	if err := validateContacts("other_emails", "email", u.Email, p.OtherEmails, func(c Contact) error {
		if CheckText("other_emails", c.Value) != nil || ValidateEmail(c.Value) != nil {
			return Errorf(Invalid, "other_emails", "%q is not an address such as ada@example.com of at most %d characters", c.Value, MaxEmailLen)
		}
		return nil
	}); err != nil {
		return err
	}
	return validateContacts("other_phones", "phone", u.Phone, p.OtherPhones, func(c Contact) error {
		if c.Value == "" || utf8.RuneCountInString(c.Value) > maxPhoneLen {
			return Errorf(Invalid, "other_phones", "a phone number must be 1 to %d characters", maxPhoneLen)
		}
		return CheckText("other_phones", c.Value)
	})
}

// ValidateDate checks that s is "" or a calendar date written yyyy-mm-dd.
func ValidateDate(field, s string) error {
	if s == "" {
		return nil
	}
	if _, err := time.Parse(DateFormat, s); err != nil {
		return Errorf(Invalid, field, "must be a date written yyyy-mm-dd, such as 1990-04-30")
	}
	return nil
}

// validateContacts checks the others of a primary email or phone: at most
// MaxContacts-1, each valid, none repeated (ignoring case) or equal to the
// primary one.
func validateContacts(field, primaryField, primary string, others []Contact, valid func(Contact) error) error {
	if len(others) > MaxContacts-1 {
		return Errorf(Invalid, field, "at most %d: a user has at most %d, the primary %s included", MaxContacts-1, MaxContacts, primaryField)
	}
	if len(others) > 0 && primary == "" {
		return Errorf(Invalid, field, "needs a primary one: set %s first", primaryField)
	}
	seen := map[string]bool{strings.ToLower(primary): true}
	for _, c := range others {
		if err := valid(c); err != nil {
			return err
		}
		if err := validateText(field, c.Type, MaxContactTypeLen); err != nil {
			return err
		}
		key := strings.ToLower(c.Value)
		if seen[key] {
			return Errorf(Invalid, field, "%q is listed twice (or is the primary one)", c.Value)
		}
		seen[key] = true
	}
	return nil
}

// contactJSON is how EncodeContacts stores a Contact.
type contactJSON struct {
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

// EncodeContacts returns the stored form of a list of other emails or
// phones: a JSON array of {"value", "type"} objects, "[]" when empty.
func EncodeContacts(cs []Contact) string {
	if len(cs) == 0 {
		return "[]"
	}
	out := make([]contactJSON, len(cs))
	for i, c := range cs {
		out[i] = contactJSON(c)
	}
	b, _ := json.Marshal(out) // strings only: cannot fail
	return string(b)
}

// DecodeContacts decodes what EncodeContacts stored. Most users have no
// other emails or phones, "[]", which needs no decoder.
func DecodeContacts(data string) ([]Contact, error) {
	if data == "[]" || data == "" {
		return nil, nil
	}
	var in []contactJSON
	if err := json.Unmarshal([]byte(data), &in); err != nil {
		return nil, err
	}
	out := make([]Contact, len(in))
	for i, c := range in {
		out[i] = Contact(c)
	}
	return out, nil
}

// ProfilePatch is the part of a UserPatch that changes the Profile: every
// nil field is left as it is, "" clears a text field, an empty list clears
// the other emails or phones.
type ProfilePatch struct {
	ExternalID        *string
	GivenName         *string
	MiddleName        *string
	FamilyName        *string
	HonorificPrefix   *string
	HonorificSuffix   *string
	DisplayName       *string
	Title             *string
	UserType          *string
	PreferredLanguage *string
	Locale            *string
	Timezone          *string
	ProfileURL        *string
	EmailType         *string
	PhoneType         *string
	OtherEmails       *[]Contact
	OtherPhones       *[]Contact
	PostalCode        *string
	AddressType       *string
	Organization      *string
	Division          *string
	Department        *string
	CostCenter        *string
	Gender            *string
	Birthday          *string
	IdentityType      *string
	IdentityNumber    *string
	Area              *string
	HireDate          *string
	WorkPlace         *string
}

// apply writes the patch onto p; str records the native name of each field
// that changed, as UserPatch.apply does. It returns the names of the lists
// that changed.
func (pp *ProfilePatch) apply(p *Profile, str func(name string, dst, src *string)) []string {
	str("external_id", &p.ExternalID, pp.ExternalID)
	str("given_name", &p.GivenName, pp.GivenName)
	str("middle_name", &p.MiddleName, pp.MiddleName)
	str("family_name", &p.FamilyName, pp.FamilyName)
	str("honorific_prefix", &p.HonorificPrefix, pp.HonorificPrefix)
	str("honorific_suffix", &p.HonorificSuffix, pp.HonorificSuffix)
	str("display_name", &p.DisplayName, pp.DisplayName)
	str("title", &p.Title, pp.Title)
	str("user_type", &p.UserType, pp.UserType)
	str("preferred_language", &p.PreferredLanguage, pp.PreferredLanguage)
	str("locale", &p.Locale, pp.Locale)
	str("timezone", &p.Timezone, pp.Timezone)
	str("profile_url", &p.ProfileURL, pp.ProfileURL)
	str("email_type", &p.EmailType, pp.EmailType)
	str("phone_type", &p.PhoneType, pp.PhoneType)
	str("postal_code", &p.PostalCode, pp.PostalCode)
	str("address_type", &p.AddressType, pp.AddressType)
	str("organization", &p.Organization, pp.Organization)
	str("division", &p.Division, pp.Division)
	str("department", &p.Department, pp.Department)
	str("cost_center", &p.CostCenter, pp.CostCenter)
	str("gender", &p.Gender, pp.Gender)
	str("birthday", &p.Birthday, pp.Birthday)
	str("identity_type", &p.IdentityType, pp.IdentityType)
	str("identity_number", &p.IdentityNumber, pp.IdentityNumber)
	str("area", &p.Area, pp.Area)
	str("hire_date", &p.HireDate, pp.HireDate)
	str("work_place", &p.WorkPlace, pp.WorkPlace)
	var changed []string
	if pp.OtherEmails != nil {
		next := make([]Contact, len(*pp.OtherEmails))
		for i, c := range *pp.OtherEmails {
			next[i] = Contact{Value: NormalizeEmail(c.Value), Type: c.Type}
		}
		if !slices.Equal(p.OtherEmails, next) {
			p.OtherEmails = nilIfEmpty(next)
			changed = append(changed, "other_emails")
		}
	}
	if pp.OtherPhones != nil && !slices.Equal(p.OtherPhones, *pp.OtherPhones) {
		p.OtherPhones = nilIfEmpty(slices.Clone(*pp.OtherPhones))
		changed = append(changed, "other_phones")
	}
	return changed
}

func nilIfEmpty(cs []Contact) []Contact {
	if len(cs) == 0 {
		return nil
	}
	return cs
}

// promote keeps a user's primary email (or phone) and its others
// consistent after a change, as SCIM reads a list without a primary entry:
// when the change removes the primary one and others remain, the first other
// becomes the primary one with its type; when none remain, the type goes
// with the value, unless the change sets it (which Validate then refuses,
// a type of nothing). So a dialect that knows only the primary email can clear
// it without leaving others that have no primary. changed gains the names
// (field, typeField, othersField) of what this changes.
func promote(changed []string, field string, primary *string, typeField string, typ *string, typeSet bool, othersField string, others *[]Contact) []string {
	if *primary != "" || !slices.Contains(changed, field) {
		return changed
	}
	add := func(name string) {
		if !slices.Contains(changed, name) {
			changed = append(changed, name)
		}
	}
	if len(*others) == 0 {
		if *typ != "" && !typeSet {
			*typ = ""
			add(typeField)
		}
		return changed
	}
	first, oldType := (*others)[0], *typ
	*primary, *typ, *others = first.Value, first.Type, nilIfEmpty((*others)[1:])
	add(field)
	if *typ != oldType {
		add(typeField)
	}
	add(othersField)
	return changed
}
