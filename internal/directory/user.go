package directory

import (
	"encoding/json"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on user fields. They are part of the domain so every dialect
// enforces the same ones.
const (
	MaxUsernameLen     = 64
	MinPasswordLen     = 8
	MaxPasswordLen     = 256
	MaxExtensionBytes  = 16 << 10
	MaxEmailLen        = 254
	MaxTextFieldLen    = 256
	MaxCommentLen      = 4096
	MaxOrgsPerUser     = 256
	MaxExtensionDepth  = 16
	maxPhoneLen        = 32
	maxCountryCodeLen  = 8
	maxGrade           = 1 << 20
	maxOriginLen       = 32
	maxClientIPLen     = 64
	maxEnterpriseIDLen = 128
)

// Origins say how a user came into the directory.
const (
	OriginAdmin  = "admin"
	OriginAPI    = "api"
	OriginImport = "import"
	OriginCLI    = "cli"
)

// User is one person or account in a tenant.
type User struct {
	ID                 int64
	TenantID           int64
	Username           string
	Name               string
	NickName           string
	Email              string // "" when absent
	Phone              string
	PhoneCountryCode   string
	Active             bool
	Locked             bool
	MustChangePassword bool
	PasswordChangedAt  time.Time // zero when no password was ever set
	Origin             string
	ClientIP           string
	EnterpriseID       string
	Grade              int
	EmployeeNumber     string
	ManagerID          int64 // 0 when the user has no manager
	Address            string
	City               string
	Province           string
	Country            string
	Comment            string
	// Extension holds custom attributes: a JSON object, decoded with
	// json.Number for numbers. Never nil once stored.
	Extension map[string]any
	Orgs      []Membership
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
	// PasswordHash is the PHC string of the password, or "". It never leaves
	// the domain and the stores.
	PasswordHash string
}

// Membership places a user in an organization. At most one membership of a
// user is Primary (relation_type 1 on the wire).
type Membership struct {
	OrgID   int64
	Primary bool
}

// PrimaryOrg returns the id of the user's primary org, or 0.
func (u *User) PrimaryOrg() int64 {
	for _, m := range u.Orgs {
		if m.Primary {
			return m.OrgID
		}
	}
	return 0
}

// UserPatch is a change to a user: every nil field is left as it is. The
// same type describes a new user (applied to the defaults) and an update, so
// every dialect goes through one set of rules.
type UserPatch struct {
	Username           *string
	Name               *string
	NickName           *string
	Email              *string // "" removes the email
	Phone              *string
	PhoneCountryCode   *string
	Active             *bool
	Locked             *bool
	MustChangePassword *bool
	EnterpriseID       *string
	Grade              *int
	EmployeeNumber     *string
	ManagerID          *int64 // 0 removes the manager
	Address            *string
	City               *string
	Province           *string
	Country            *string
	Comment            *string
	// Extension is an RFC 7396 merge patch applied to the stored extension
	// object: a null value removes a key, an object merges recursively.
	Extension map[string]any
	// ReplaceExtension, when set, replaces the whole extension object.
	ReplaceExtension map[string]any
	Orgs             *[]Membership
	// Password is the new plaintext password; the Service hashes it.
	Password *string
	// PasswordHash is an existing hash of the password, brought from another
	// system and stored as given. Only Service.ImportUsers accepts it, and
	// only in a form its PasswordHasher's HashChecker accepts.
	PasswordHash *string
}

// apply writes the patch onto u and returns the native names of the fields
// whose value changed. Passwords are handled by the Service.
func (p *UserPatch) apply(u *User) []string {
	var changed []string
	str := func(name string, dst *string, src *string) {
		if src != nil && *dst != *src {
			*dst = *src
			changed = append(changed, name)
		}
	}
	boolean := func(name string, dst *bool, src *bool) {
		if src != nil && *dst != *src {
			*dst = *src
			changed = append(changed, name)
		}
	}
	str("username", &u.Username, p.Username)
	str("name", &u.Name, p.Name)
	str("nick_name", &u.NickName, p.NickName)
	str("email", &u.Email, p.Email)
	str("phone", &u.Phone, p.Phone)
	str("phone_country_code", &u.PhoneCountryCode, p.PhoneCountryCode)
	boolean("active", &u.Active, p.Active)
	boolean("locked", &u.Locked, p.Locked)
	boolean("must_change_password", &u.MustChangePassword, p.MustChangePassword)
	str("enterprise_id", &u.EnterpriseID, p.EnterpriseID)
	if p.Grade != nil && u.Grade != *p.Grade {
		u.Grade = *p.Grade
		changed = append(changed, "grade")
	}
	str("employee_number", &u.EmployeeNumber, p.EmployeeNumber)
	if p.ManagerID != nil && u.ManagerID != *p.ManagerID {
		u.ManagerID = *p.ManagerID
		changed = append(changed, "manager_id")
	}
	str("address", &u.Address, p.Address)
	str("city", &u.City, p.City)
	str("province", &u.Province, p.Province)
	str("country", &u.Country, p.Country)
	str("comment", &u.Comment, p.Comment)
	if p.ReplaceExtension != nil || p.Extension != nil {
		next := p.ReplaceExtension
		if next == nil {
			next = MergePatch(u.Extension, p.Extension)
		}
		if !jsonEqual(u.Extension, next) {
			u.Extension = next
			changed = append(changed, "extension")
		}
	}
	if p.Orgs != nil && !sameMemberships(u.Orgs, *p.Orgs) {
		u.Orgs = append([]Membership(nil), *p.Orgs...)
		changed = append(changed, "orgs")
	}
	return changed
}

func sameMemberships(a, b []Membership) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func jsonEqual(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// MergePatch applies an RFC 7396 JSON merge patch to target and returns the
// result; target is not modified.
func MergePatch(target, patch map[string]any) map[string]any {
	out := make(map[string]any, len(target)+len(patch))
	for k, v := range target {
		out[k] = v
	}
	for k, v := range patch {
		if v == nil {
			delete(out, k)
			continue
		}
		if pv, ok := v.(map[string]any); ok {
			tv, _ := out[k].(map[string]any)
			out[k] = MergePatch(tv, pv)
			continue
		}
		out[k] = v
	}
	return out
}

var usernamePattern = regexp.MustCompile(`^[A-Za-z0-9._@-]{1,64}$`)

// Validate checks the rules a stored user must satisfy on its own. Rules
// that need the store (uniqueness, manager and org existence) are checked by
// the Service and the store's constraints.
func (u *User) Validate() error {
	if u.Username == "" {
		return Errorf(Invalid, "username", "is required")
	}
	if !usernamePattern.MatchString(u.Username) {
		return Errorf(Invalid, "username", "must be 1 to %d characters of A-Z, a-z, 0-9, '.', '_', '@' and '-'", MaxUsernameLen)
	}
	if u.Email != "" {
		if err := ValidateEmail(u.Email); err != nil {
			return err
		}
	}
	texts := []struct {
		field string
		value string
		max   int
	}{
		{"name", u.Name, MaxTextFieldLen},
		{"nick_name", u.NickName, MaxTextFieldLen},
		{"phone", u.Phone, maxPhoneLen},
		{"phone_country_code", u.PhoneCountryCode, maxCountryCodeLen},
		{"enterprise_id", u.EnterpriseID, maxEnterpriseIDLen},
		{"employee_number", u.EmployeeNumber, MaxTextFieldLen},
		{"address", u.Address, MaxTextFieldLen},
		{"city", u.City, MaxTextFieldLen},
		{"province", u.Province, MaxTextFieldLen},
		{"country", u.Country, MaxTextFieldLen},
		{"comment", u.Comment, MaxCommentLen},
		{"origin", u.Origin, maxOriginLen},
		{"client_ip", u.ClientIP, maxClientIPLen},
	}
	for _, t := range texts {
		if err := validateText(t.field, t.value, t.max); err != nil {
			return err
		}
	}
	if u.Grade < 0 || u.Grade > maxGrade {
		return Errorf(Invalid, "grade", "must be between 0 and %d", maxGrade)
	}
	if u.ManagerID < 0 {
		return Errorf(Invalid, "manager_id", "must be a user id")
	}
	if u.ManagerID != 0 && u.ManagerID == u.ID {
		return Errorf(Invalid, "manager_id", "a user cannot be their own manager")
	}
	if err := ValidateExtension(u.Extension); err != nil {
		return err
	}
	return validateMemberships(u.Orgs)
}

// ValidateEmail checks that s is a single plain address such as
// "ada@example.com" (no display name, no angle brackets).
func ValidateEmail(s string) error {
	if len(s) > MaxEmailLen {
		return Errorf(Invalid, "email", "must be at most %d characters", MaxEmailLen)
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return Errorf(Invalid, "email", "must be a valid address such as ada@example.com")
	}
	return nil
}

// ValidatePassword checks a new plaintext password's length.
func ValidatePassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen || n > MaxPasswordLen {
		return Errorf(Invalid, "password", "must be %d to %d characters", MinPasswordLen, MaxPasswordLen)
	}
	if !utf8.ValidString(pw) {
		return Errorf(Invalid, "password", "must be valid UTF-8")
	}
	return nil
}

// ValidateExtension checks that the extension object encodes to at most
// MaxExtensionBytes and nests at most MaxExtensionDepth levels.
func ValidateExtension(ext map[string]any) error {
	if depth(ext) > MaxExtensionDepth {
		return Errorf(Invalid, "extension", "nests deeper than %d levels", MaxExtensionDepth)
	}
	b, err := json.Marshal(ext)
	if err != nil {
		return Errorf(Invalid, "extension", "must be a JSON object")
	}
	if len(b) > MaxExtensionBytes {
		return Errorf(Invalid, "extension", "encodes to %d bytes; the limit is %d", len(b), MaxExtensionBytes)
	}
	return nil
}

func depth(v any) int {
	switch t := v.(type) {
	case map[string]any:
		d := 0
		for _, e := range t {
			d = max(d, depth(e))
		}
		return d + 1
	case []any:
		d := 0
		for _, e := range t {
			d = max(d, depth(e))
		}
		return d + 1
	}
	return 0
}

func validateText(field, value string, maxLen int) error {
	if !utf8.ValidString(value) {
		return Errorf(Invalid, field, "must be valid UTF-8")
	}
	if utf8.RuneCountInString(value) > maxLen {
		return Errorf(Invalid, field, "must be at most %d characters", maxLen)
	}
	if strings.ContainsRune(value, 0) {
		return Errorf(Invalid, field, "must not contain NUL characters")
	}
	return nil
}

func validateMemberships(orgs []Membership) error {
	if len(orgs) > MaxOrgsPerUser {
		return Errorf(Invalid, "orgs", "a user belongs to at most %d orgs", MaxOrgsPerUser)
	}
	seen := map[int64]bool{}
	primaries := 0
	for _, m := range orgs {
		if m.OrgID <= 0 {
			return Errorf(Invalid, "orgs", "org_id must be an org id")
		}
		if seen[m.OrgID] {
			return Errorf(Invalid, "orgs", "org %d is listed twice", m.OrgID)
		}
		seen[m.OrgID] = true
		if m.Primary {
			primaries++
		}
	}
	if primaries > 1 {
		return Errorf(Invalid, "orgs", "at most one org may be primary (relation_type 1)")
	}
	return nil
}

// DecodeExtension decodes a stored extension object, numbers as
// json.Number as User.Extension holds them. Most users have none, "{}",
// which needs no decoder; decoding into an any rather than a map builds
// the map without reflection.
func DecodeExtension(data string) (map[string]any, error) {
	if data == "{}" {
		return map[string]any{}, nil
	}
	var v any
	dec := json.NewDecoder(strings.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	switch ext := v.(type) {
	case map[string]any:
		return ext, nil
	case nil:
		return map[string]any{}, nil
	}
	return nil, errors.New("not a JSON object")
}
