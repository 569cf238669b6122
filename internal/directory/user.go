package directory

import (
	"encoding/json"
	"errors"
	"math"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
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
	// Profile holds the name parts, codes, other emails and phones and the
	// other attributes SCIM and OneAccess carry; see Profile.
	Profile
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
	ProfilePatch
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
	if p.Email != nil {
		email := NormalizeEmail(*p.Email)
		str("email", &u.Email, &email)
	}
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
	changed = append(changed, p.ProfilePatch.apply(&u.Profile, str)...)
	changed = promote(changed, "email", &u.Email, "email_type", &u.EmailType, p.EmailType != nil, "other_emails", &u.OtherEmails)
	changed = promote(changed, "phone", &u.Phone, "phone_type", &u.PhoneType, p.PhoneType != nil, "other_phones", &u.OtherPhones)
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
	return u.validate(true)
}

// validate is Validate; with checkExtension false it leaves out the
// extension's rules, for a caller that has just made the extension
// canonical with CanonicalExtension, which checks them all.
func (u *User) validate(checkExtension bool) error {
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
	if err := u.Profile.validate(u); err != nil {
		return err
	}
	if checkExtension {
		if err := ValidateExtension(u.Extension); err != nil {
			return err
		}
	}
	return validateMemberships(u.Orgs)
}

// NormalizeEmail returns email in Unicode normalization form C, the form
// userd stores and compares emails in: "zoe\u0308@example.com" (e and a
// combining diaeresis) and "zo\u00eb@example.com" are the same address
// typed two ways, and must collide as the same address. Look-alike
// addresses of different characters (a Cyrillic "а" for a Latin "a") are
// different addresses and are not folded; see docs/security.md.
func NormalizeEmail(email string) string {
	return norm.NFC.String(email)
}

// ValidateEmail checks that s is a single plain address such as
// "ada@example.com" (no display name, no angle brackets).
func ValidateEmail(s string) error {
	if len(s) > MaxEmailLen {
		return Errorf(Invalid, "email", "must be at most %d characters", MaxEmailLen)
	}
	if plainEmail(s) {
		return nil
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || !strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".") {
		return Errorf(Invalid, "email", "must be a valid address such as ada@example.com")
	}
	return nil
}

// plainEmail reports whether s is an address of the plainest form: two
// dot-atoms of ASCII letters, digits, '_', '+' and '-' around one '@', the
// domain holding a dot. mail.ParseAddress accepts every such address as
// itself, so ValidateEmail answers for them without its allocations;
// each user patch checks the user's email again.
func plainEmail(s string) bool {
	at := strings.IndexByte(s, '@')
	return at > 0 && plainDotAtom(s[:at]) && plainDotAtom(s[at+1:]) && strings.Contains(s[at+1:], ".")
}

// plainDotAtom reports whether s is dot-separated runs of ASCII letters,
// digits, '_', '+' and '-', none empty.
func plainDotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '_', c == '+', c == '-':
		case c == '.' && s[i-1] != '.':
		default:
			return false
		}
	}
	return true
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

// MaxExtensionNumberLen bounds a number of an extension written out in
// full, without an exponent, as it is stored. PostgreSQL's jsonb keeps a
// number that way: 1e131071 would become 131,072 digits, and every read of
// the user would cost as much.
const MaxExtensionNumberLen = 32

// ValidateExtension checks that the extension object can be stored: it
// nests at most MaxExtensionDepth levels, its strings and keys are valid
// UTF-8 without NUL characters, its numbers are ones CanonicalExtension
// accepts, and its stored form encodes to at most MaxExtensionBytes.
func ValidateExtension(ext map[string]any) error {
	_, err := CanonicalExtension(ext)
	return err
}

// CanonicalExtension returns ext as it is stored: a copy whose numbers are
// json.Number values in their canonical form, the shortest decimal that
// reads back as the same float64, written without an exponent ("1.5e-7"
// becomes "0.00000015", "2.50" becomes "2.5", "-0" becomes "0"). Every
// engine keeps that form exactly, so a user reads back the same on each and
// a read costs what was written. A number is refused when it is not finite
// as a float64, when it holds more precision than a float64 keeps (such as
// 9007199254740993, beyond 2^53), or when its canonical form is longer than
// MaxExtensionNumberLen. The other rules are ValidateExtension's; the size
// limit holds on the canonical form.
func CanonicalExtension(ext map[string]any) (map[string]any, error) {
	if depth(ext) > MaxExtensionDepth {
		return nil, Errorf(Invalid, "extension", "nests deeper than %d levels", MaxExtensionDepth)
	}
	out, err := canonicalValue(ext, "")
	if err != nil {
		return nil, err
	}
	m, _ := out.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, Errorf(Invalid, "extension", "must be a JSON object")
	}
	if len(b) > MaxExtensionBytes {
		return nil, Errorf(Invalid, "extension", "encodes to %d bytes; the limit is %d", len(b), MaxExtensionBytes)
	}
	return m, nil
}

// canonicalValue returns a copy of v, found at path inside the extension,
// with its numbers canonical; see CanonicalExtension.
func canonicalValue(v any, path string) (any, error) {
	switch t := v.(type) {
	case nil, bool:
		return t, nil
	case string:
		if err := extensionText(t, path, "a string"); err != nil {
			return nil, err
		}
		return t, nil
	case json.Number:
		return canonicalNumber(string(t), path)
	case float64:
		return canonicalNumber(strconv.FormatFloat(t, 'g', -1, 64), path)
	case int:
		return canonicalNumber(strconv.Itoa(t), path)
	case int64:
		return canonicalNumber(strconv.FormatInt(t, 10), path)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if err := extensionText(k, path, "a key"); err != nil {
				return nil, err
			}
			c, err := canonicalValue(e, path+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = c
		}
		return out, nil
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			c, err := canonicalValue(e, path+"["+strconv.Itoa(i)+"]")
			if err != nil {
				return nil, err
			}
			out[i] = c
		}
		return out, nil
	}
	return nil, Errorf(Invalid, "extension", "%s holds a %T, which is not a JSON value", place(path), v)
}

// place names a place in the extension for an error message.
func place(path string) string {
	if path == "" {
		return "the object"
	}
	return strconv.Quote(path[1:])
}

// extensionText checks a string or key (what) of the extension.
func extensionText(s, path, what string) error {
	switch {
	case !utf8.ValidString(s):
		return Errorf(Invalid, "extension", "%s in %s is not valid UTF-8", what, place(path))
	case strings.IndexByte(s, 0) >= 0:
		return Errorf(Invalid, "extension", "%s in %s holds a NUL character, which cannot be stored", what, place(path))
	}
	return nil
}

var jsonNumberPattern = regexp.MustCompile(`^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$`)

// canonicalNumber returns the canonical form of the JSON number lit found at
// path, or the error saying why it cannot be stored.
func canonicalNumber(lit, path string) (json.Number, error) {
	bad := func() error {
		shown := lit
		if len(shown) > 24 {
			shown = shown[:24] + "..."
		}
		return Errorf(Invalid, "extension", "the number %s at %s cannot be stored exactly: numbers must fit a float64 without losing digits "+
			"(integers up to 2^53) and take at most %d characters written without an exponent; send other values as strings",
			shown, place(path), MaxExtensionNumberLen)
	}
	if !jsonNumberPattern.MatchString(lit) {
		return "", bad()
	}
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil || math.IsInf(f, 0) {
		return "", bad()
	}
	c := strconv.FormatFloat(f, 'f', -1, 64)
	if c == "-0" {
		c = "0"
	}
	if len(c) > MaxExtensionNumberLen || !sameDecimal(lit, c) {
		return "", bad()
	}
	return json.Number(c), nil
}

// sameDecimal reports whether the JSON numbers a and b have the same value.
func sameDecimal(a, b string) bool {
	an, ad, ae, aok := decimal(a)
	bn, bd, be, bok := decimal(b)
	if !aok || !bok {
		return false
	}
	if ad == "" || bd == "" { // zero, whatever its sign
		return ad == bd
	}
	return an == bn && ad == bd && ae == be
}

// decimal splits a JSON number into its sign, its significant digits
// without leading or trailing zeros, and the exponent that makes them an
// integer: value = ±digits × 10^exp. ok is false when the exponent does not
// fit an int.
func decimal(s string) (neg bool, digits string, exp int, ok bool) {
	if neg = strings.HasPrefix(s, "-"); neg {
		s = s[1:]
	}
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		e, err := strconv.Atoi(strings.TrimPrefix(s[i+1:], "+"))
		if err != nil || e > 1<<40 || e < -1<<40 {
			return false, "", 0, false
		}
		exp, s = e, s[:i]
	}
	if whole, frac, found := strings.Cut(s, "."); found {
		s = whole + frac
		exp -= len(frac)
	}
	s = strings.TrimLeft(s, "0")
	trimmed := strings.TrimRight(s, "0")
	exp += len(s) - len(trimmed)
	return neg, trimmed, exp, true
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
	if err := CheckText(field, value); err != nil {
		return err
	}
	if utf8.RuneCountInString(value) > maxLen {
		return Errorf(Invalid, field, "must be at most %d characters", maxLen)
	}
	return nil
}

// CheckText returns an Invalid error naming field unless s is text every
// engine stores and compares alike: valid UTF-8 without NUL characters.
// PostgreSQL refuses both, SQLite takes them, so every text input, a
// lookup key or a filter as much as a stored value, is checked with it
// before any query.
func CheckText(field, s string) error {
	if !utf8.ValidString(s) {
		return Errorf(Invalid, field, "must be valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
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
// or a few plain members, which decodeFlatExtension reads without
// encoding/json; decoding the others into an any rather than a map
// builds the map without reflection.
func DecodeExtension(data string) (map[string]any, error) {
	if ext, ok := decodeFlatExtension(data); ok {
		return ext, nil
	}
	return decodeExtensionJSON(data)
}

// decodeExtensionJSON is DecodeExtension through encoding/json, for any
// extension.
func decodeExtensionJSON(data string) (map[string]any, error) {
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
