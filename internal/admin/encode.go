package admin

import (
	"strconv"

	"github.com/userd/userd/internal/jsonappend"
)

// jsonAppender is a wire value with a hand-written encoder: writeJSON and
// writeList append it with appendJSON instead of encoding it through
// reflection.
type jsonAppender interface {
	// appendJSON appends the value as a json.Encoder that does not escape
	// HTML (server.WriteJSON's) writes it, without the newline.
	appendJSON(b []byte) ([]byte, error)
}

// appendJSON appends u, byte for byte what encoding/json writes for it
// (encode_test.go checks); only an extension encoding/json cannot encode
// fails. A GET of a user and each user of a page are this answer.
func (u *userJSON) appendJSON(b []byte) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"id":`...), u.ID, 10)
	b = strconv.AppendInt(append(b, `,"tenant_id":`...), u.TenantID, 10)
	b = jsonappend.Member(b, `,"username":`, u.Username, false)
	b = jsonappend.Member(b, `,"name":`, u.Name, false)
	b = jsonappend.Member(b, `,"nick_name":`, u.NickName, false)
	b = jsonappend.NullableMember(b, `,"email":`, u.Email, false)
	b = jsonappend.Member(b, `,"phone":`, u.Phone, false)
	b = jsonappend.Member(b, `,"phone_country_code":`, u.PhoneCountryCode, false)
	b = strconv.AppendBool(append(b, `,"active":`...), u.Active)
	b = strconv.AppendBool(append(b, `,"locked":`...), u.Locked)
	b = strconv.AppendBool(append(b, `,"must_change_password":`...), u.MustChangePassword)
	b = jsonappend.NullableMember(b, `,"password_changed_at":`, u.PasswordChangedAt, false)
	b = jsonappend.Member(b, `,"origin":`, u.Origin, false)
	b = jsonappend.Member(b, `,"client_ip":`, u.ClientIP, false)
	b = jsonappend.Member(b, `,"enterprise_id":`, u.EnterpriseID, false)
	b = strconv.AppendInt(append(b, `,"grade":`...), int64(u.Grade), 10)
	b = jsonappend.Member(b, `,"employee_number":`, u.EmployeeNumber, false)
	if b = append(b, `,"manager_id":`...); u.ManagerID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, *u.ManagerID, 10)
	}
	b = jsonappend.Member(b, `,"address":`, u.Address, false)
	b = jsonappend.Member(b, `,"city":`, u.City, false)
	b = jsonappend.Member(b, `,"province":`, u.Province, false)
	b = jsonappend.Member(b, `,"country":`, u.Country, false)
	b = jsonappend.Member(b, `,"comment":`, u.Comment, false)
	b = u.profileJSON.appendJSON(b)
	b, err := jsonappend.Object(append(b, `,"extension":`...), u.Extension, false)
	if err != nil {
		return b, err
	}
	if b = append(b, `,"orgs":`...); u.Orgs == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, m := range u.Orgs {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(append(b, `{"org_id":`...), m.OrgID, 10)
			b = strconv.AppendInt(append(b, `,"relation_type":`...), int64(m.RelationType), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = jsonappend.Member(b, `,"created_at":`, u.CreatedAt, false)
	b = jsonappend.Member(b, `,"updated_at":`, u.UpdatedAt, false)
	b = strconv.AppendInt(append(b, `,"version":`...), u.Version, 10)
	return append(b, '}'), nil
}

// appendJSON appends p's members, each after a comma, as encoding/json
// writes them inlined in userJSON.
func (p *profileJSON) appendJSON(b []byte) []byte {
	b = jsonappend.NullableMember(b, `,"external_id":`, p.ExternalID, false)
	b = jsonappend.Member(b, `,"given_name":`, p.GivenName, false)
	b = jsonappend.Member(b, `,"middle_name":`, p.MiddleName, false)
	b = jsonappend.Member(b, `,"family_name":`, p.FamilyName, false)
	b = jsonappend.Member(b, `,"honorific_prefix":`, p.HonorificPrefix, false)
	b = jsonappend.Member(b, `,"honorific_suffix":`, p.HonorificSuffix, false)
	b = jsonappend.Member(b, `,"display_name":`, p.DisplayName, false)
	b = jsonappend.Member(b, `,"title":`, p.Title, false)
	b = jsonappend.Member(b, `,"user_type":`, p.UserType, false)
	b = jsonappend.Member(b, `,"preferred_language":`, p.PreferredLanguage, false)
	b = jsonappend.Member(b, `,"locale":`, p.Locale, false)
	b = jsonappend.Member(b, `,"timezone":`, p.Timezone, false)
	b = jsonappend.Member(b, `,"profile_url":`, p.ProfileURL, false)
	b = jsonappend.Member(b, `,"email_type":`, p.EmailType, false)
	b = jsonappend.Member(b, `,"phone_type":`, p.PhoneType, false)
	b = appendContacts(b, `,"other_emails":`, p.OtherEmails)
	b = appendContacts(b, `,"other_phones":`, p.OtherPhones)
	b = jsonappend.Member(b, `,"postal_code":`, p.PostalCode, false)
	b = jsonappend.Member(b, `,"address_type":`, p.AddressType, false)
	b = jsonappend.Member(b, `,"organization":`, p.Organization, false)
	b = jsonappend.Member(b, `,"division":`, p.Division, false)
	b = jsonappend.Member(b, `,"department":`, p.Department, false)
	b = jsonappend.Member(b, `,"cost_center":`, p.CostCenter, false)
	b = jsonappend.Member(b, `,"gender":`, p.Gender, false)
	b = jsonappend.NullableMember(b, `,"birthday":`, p.Birthday, false)
	b = jsonappend.Member(b, `,"identity_type":`, p.IdentityType, false)
	b = jsonappend.Member(b, `,"identity_number":`, p.IdentityNumber, false)
	b = jsonappend.Member(b, `,"area":`, p.Area, false)
	b = jsonappend.NullableMember(b, `,"hire_date":`, p.HireDate, false)
	return jsonappend.Member(b, `,"work_place":`, p.WorkPlace, false)
}

// appendContacts appends name and cs, null when nil.
func appendContacts(b []byte, name string, cs []contactJSON) []byte {
	if b = append(b, name...); cs == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, c := range cs {
		if i > 0 {
			b = append(b, ',')
		}
		b = jsonappend.Member(b, `{"value":`, c.Value, false)
		b = jsonappend.Member(b, `,"type":`, c.Type, false)
		b = append(b, '}')
	}
	return append(b, ']')
}
