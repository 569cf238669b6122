package admin

import (
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
)

// timeFormat writes times as RFC 3339 in UTC with microseconds, the
// resolution the stores keep.
const timeFormat = "2006-01-02T15:04:05.000000Z07:00"

// formatTime writes t in UTC as timeFormat lays it out.
func formatTime(t time.Time) string {
	var buf [len(timeFormat)]byte
	return string(appendTime(buf[:0], t))
}

// appendTime appends t in UTC as t.UTC().AppendFormat(b, timeFormat)
// does, field by field rather than by reading the layout: time.Format
// took 180 ns a time, and a page of 100 users writes 200 of them. Years
// outside 0000-9999, which the layout does not fit, are left to
// AppendFormat.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, timeFormat)
	}
	hour, minute, second := t.Clock()
	b = appendDigits(b, year, 4)
	b = appendDigits(append(b, '-'), int(month), 2)
	b = appendDigits(append(b, '-'), day, 2)
	b = appendDigits(append(b, 'T'), hour, 2)
	b = appendDigits(append(b, ':'), minute, 2)
	b = appendDigits(append(b, ':'), second, 2)
	b = appendDigits(append(b, '.'), t.Nanosecond()/1000, 6)
	return append(b, 'Z')
}

// appendDigits appends the width lowest decimal digits of n ≥ 0, with
// leading zeros.
func appendDigits(b []byte, n, width int) []byte {
	b = append(b, make([]byte, width)...)
	for i := len(b) - 1; i >= len(b)-width; i-- {
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return b
}

// optionalTime is formatTime for times that may be absent (zero): nil then.
func optionalTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return new(formatTime(t))
}

// userJSON is the native user. Absent email, manager and password change
// time are null.
type userJSON struct {
	ID                 int64   `json:"id"`
	TenantID           int64   `json:"tenant_id"`
	Username           string  `json:"username"`
	Name               string  `json:"name"`
	NickName           string  `json:"nick_name"`
	Email              *string `json:"email"`
	Phone              string  `json:"phone"`
	PhoneCountryCode   string  `json:"phone_country_code"`
	Active             bool    `json:"active"`
	Locked             bool    `json:"locked"`
	MustChangePassword bool    `json:"must_change_password"`
	PasswordChangedAt  *string `json:"password_changed_at"`
	Origin             string  `json:"origin"`
	ClientIP           string  `json:"client_ip"`
	EnterpriseID       string  `json:"enterprise_id"`
	Grade              int     `json:"grade"`
	EmployeeNumber     string  `json:"employee_number"`
	ManagerID          *int64  `json:"manager_id"`
	Address            string  `json:"address"`
	City               string  `json:"city"`
	Province           string  `json:"province"`
	Country            string  `json:"country"`
	Comment            string  `json:"comment"`
	profileJSON
	Extension map[string]any   `json:"extension"`
	Orgs      []membershipJSON `json:"orgs"`
	CreatedAt string           `json:"created_at"`
	UpdatedAt string           `json:"updated_at"`
	Version   int64            `json:"version"`
}

// membershipJSON is one org of a user; relation_type 1 marks the primary org.
type membershipJSON struct {
	OrgID        int64 `json:"org_id"`
	RelationType int   `json:"relation_type"`
}

func toUserJSON(u directory.User) userJSON {
	out := userJSON{
		ID: u.ID, TenantID: u.TenantID, Username: u.Username, Name: u.Name, NickName: u.NickName,
		Phone: u.Phone, PhoneCountryCode: u.PhoneCountryCode,
		Active: u.Active, Locked: u.Locked, MustChangePassword: u.MustChangePassword,
		PasswordChangedAt: optionalTime(u.PasswordChangedAt),
		Origin:            u.Origin, ClientIP: u.ClientIP, EnterpriseID: u.EnterpriseID, Grade: u.Grade,
		EmployeeNumber: u.EmployeeNumber, Address: u.Address, City: u.City, Province: u.Province,
		Country: u.Country, Comment: u.Comment, profileJSON: toProfileJSON(u.Profile), Extension: u.Extension, Orgs: []membershipJSON{},
		CreatedAt: formatTime(u.CreatedAt), UpdatedAt: formatTime(u.UpdatedAt), Version: u.Version,
	}
	if u.Email != "" {
		out.Email = new(u.Email)
	}
	if u.ManagerID != 0 {
		out.ManagerID = new(u.ManagerID)
	}
	if out.Extension == nil {
		out.Extension = map[string]any{}
	}
	for _, m := range u.Orgs {
		rt := 0
		if m.Primary {
			rt = 1
		}
		out.Orgs = append(out.Orgs, membershipJSON{OrgID: m.OrgID, RelationType: rt})
	}
	return out
}

// userInput is a user body of POST (applied to the defaults) and PATCH
// (a JSON merge patch): a nil field was left out or sent as null, which
// body.isNull tells apart.
type userInput struct {
	Username           *string `json:"username"`
	Name               *string `json:"name"`
	NickName           *string `json:"nick_name"`
	Email              *string `json:"email"`
	Phone              *string `json:"phone"`
	PhoneCountryCode   *string `json:"phone_country_code"`
	Active             *bool   `json:"active"`
	Locked             *bool   `json:"locked"`
	MustChangePassword *bool   `json:"must_change_password"`
	EnterpriseID       *string `json:"enterprise_id"`
	Grade              *int    `json:"grade"`
	EmployeeNumber     *string `json:"employee_number"`
	ManagerID          *int64  `json:"manager_id"`
	Address            *string `json:"address"`
	City               *string `json:"city"`
	Province           *string `json:"province"`
	Country            *string `json:"country"`
	Comment            *string `json:"comment"`
	profileInput
	Extension map[string]any    `json:"extension"`
	Orgs      *[]membershipJSON `json:"orgs"`
	Password  *string           `json:"password"`
}

// toPatch turns the input into a domain patch. Members sent as null are
// reset to their defaults: "" for text, false for flags (true for active, as
// a new user is active), 0 for grade, no email, no manager, no orgs and an
// empty extension. username and password cannot be null.
func (in *userInput) toPatch(b body) (directory.UserPatch, error) {
	p := directory.UserPatch{
		Username: in.Username, Name: in.Name, NickName: in.NickName, Email: in.Email,
		Phone: in.Phone, PhoneCountryCode: in.PhoneCountryCode,
		Active: in.Active, Locked: in.Locked, MustChangePassword: in.MustChangePassword,
		EnterpriseID: in.EnterpriseID, Grade: in.Grade, EmployeeNumber: in.EmployeeNumber,
		ManagerID: in.ManagerID, Address: in.Address, City: in.City, Province: in.Province,
		Country: in.Country, Comment: in.Comment, Extension: in.Extension, Password: in.Password,
	}
	nulls := b.nullKeys()
	p.ProfilePatch = in.profileInput.toPatch(nulls)
	for _, key := range nulls {
		switch key {
		case "username", "password":
			return directory.UserPatch{}, directory.Errorf(directory.Invalid, key, "cannot be null; leave it out to keep it unchanged")
		case "name":
			p.Name = new("")
		case "nick_name":
			p.NickName = new("")
		case "email":
			p.Email = new("")
		case "phone":
			p.Phone = new("")
		case "phone_country_code":
			p.PhoneCountryCode = new("")
		case "active":
			p.Active = new(true)
		case "locked":
			p.Locked = new(false)
		case "must_change_password":
			p.MustChangePassword = new(false)
		case "enterprise_id":
			p.EnterpriseID = new("")
		case "grade":
			p.Grade = new(0)
		case "employee_number":
			p.EmployeeNumber = new("")
		case "manager_id":
			p.ManagerID = new(int64(0))
		case "address":
			p.Address = new("")
		case "city":
			p.City = new("")
		case "province":
			p.Province = new("")
		case "country":
			p.Country = new("")
		case "comment":
			p.Comment = new("")
		case "extension":
			p.ReplaceExtension = map[string]any{}
		case "orgs":
			p.Orgs = &[]directory.Membership{}
		}
	}
	if in.Orgs != nil {
		orgs, err := toMemberships(*in.Orgs)
		if err != nil {
			return directory.UserPatch{}, err
		}
		p.Orgs = &orgs
	}
	return p, nil
}

func toMemberships(in []membershipJSON) ([]directory.Membership, error) {
	out := make([]directory.Membership, len(in))
	for i, m := range in {
		if m.RelationType != 0 && m.RelationType != 1 {
			return nil, directory.Errorf(directory.Invalid, "orgs["+strconv.Itoa(i)+"].relation_type", "must be 1 (primary org) or 0")
		}
		out[i] = directory.Membership{OrgID: m.OrgID, Primary: m.RelationType == 1}
	}
	return out, nil
}

// orgJSON is the native org. An absent code and a root org's parent are null.
type orgJSON struct {
	ID        int64   `json:"id"`
	TenantID  int64   `json:"tenant_id"`
	Name      string  `json:"name"`
	Code      *string `json:"code"`
	ParentID  *int64  `json:"parent_id"`
	CreatedAt string  `json:"created_at"`
	UpdatedAt string  `json:"updated_at"`
	Version   int64   `json:"version"`
}

func toOrgJSON(o directory.Org) orgJSON {
	out := orgJSON{ID: o.ID, TenantID: o.TenantID, Name: o.Name, CreatedAt: formatTime(o.CreatedAt), UpdatedAt: formatTime(o.UpdatedAt), Version: o.Version}
	if o.Code != "" {
		out.Code = new(o.Code)
	}
	if o.ParentID != 0 {
		out.ParentID = new(o.ParentID)
	}
	return out
}

// orgInput is an org body of POST and PATCH, like userInput.
type orgInput struct {
	Name     *string `json:"name"`
	Code     *string `json:"code"`
	ParentID *int64  `json:"parent_id"`
}

// toPatch turns the input into a domain patch; null resets code to none and
// makes the org a root. name cannot be null.
func (in *orgInput) toPatch(b body) (directory.OrgPatch, error) {
	p := directory.OrgPatch{Name: in.Name, Code: in.Code, ParentID: in.ParentID}
	if b.isNull("name") {
		return directory.OrgPatch{}, directory.Errorf(directory.Invalid, "name", "cannot be null; leave it out to keep it unchanged")
	}
	if b.isNull("code") {
		p.Code = new("")
	}
	if b.isNull("parent_id") {
		p.ParentID = new(int64(0))
	}
	return p, nil
}

// clientJSON is an API client; clientCreatedJSON adds the secret, shown
// once.
type clientJSON struct {
	ClientID  string `json:"client_id"`
	Name      string `json:"name"`
	Scope     string `json:"scope"`
	Disabled  bool   `json:"disabled"`
	CreatedAt string `json:"created_at"`
}

type clientCreatedJSON struct {
	clientJSON
	ClientSecret string `json:"client_secret"`
}

func toClientJSON(c directory.Client) clientJSON {
	return clientJSON{ClientID: c.ClientID, Name: c.Name, Scope: c.Scopes.String(), Disabled: c.Disabled, CreatedAt: formatTime(c.CreatedAt)}
}

type clientInput struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
}

type clientPatchInput struct {
	Disabled *bool `json:"disabled"`
}

// tokenJSON is an API token without its secret; tokenCreatedJSON is the
// answer to its creation, with the secret shown once.
type tokenJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Scope     string  `json:"scope"`
	ExpiresAt *string `json:"expires_at"`
	RevokedAt *string `json:"revoked_at"`
	CreatedAt string  `json:"created_at"`
}

type tokenCreatedJSON struct {
	tokenJSON
	Token string `json:"token"`
}

func toTokenJSON(t directory.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, Scope: t.Scopes.String(), ExpiresAt: optionalTime(t.ExpiresAt), RevokedAt: optionalTime(t.RevokedAt), CreatedAt: formatTime(t.CreatedAt)}
}

type tokenInput struct {
	Name  string `json:"name"`
	Scope string `json:"scope"`
	// ExpiresIn is the lifetime in seconds; nil or 0 means never.
	ExpiresIn *int64 `json:"expires_in"`
}

// eventJSON is one audit record.
type eventJSON struct {
	ID       int64    `json:"id"`
	Time     string   `json:"time"`
	Actor    string   `json:"actor"`
	Action   string   `json:"action"`
	ObjectID string   `json:"object_id"`
	Fields   []string `json:"fields"`
	ClientIP string   `json:"client_ip"`
}

func toEventJSON(e directory.Event) eventJSON {
	fields := e.Fields
	if fields == nil {
		fields = []string{}
	}
	return eventJSON{ID: e.ID, Time: formatTime(e.Time), Actor: e.Actor, Action: e.Action, ObjectID: e.ObjectID, Fields: fields, ClientIP: e.ClientIP}
}

// pageTail ends a page of a paginated list: after the items, the cursor
// that reads the next page (null on the last one). writeList writes the
// items.
type pageTail struct {
	NextCursor *string `json:"next_cursor"`
}
