package postgres

import (
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// The columns of a directory.Profile, in the order profileValues gives
// their values and rawRow.profile reads them: each query on users names them
// after the columns it had before them. other_emails and other_phones are
// jsonb (directory.EncodeContacts), read as NULL when empty, which scans
// into a nil slice without an allocation; external_id is NULL when absent.
const (
	// profileCount is the number of profile columns.
	profileCount = 30
	// profileSelect reads them in userSelect.
	profileSelect = `COALESCE(u.external_id, ''), u.given_name, u.middle_name, u.family_name,
	u.honorific_prefix, u.honorific_suffix, u.display_name, u.title, u.user_type,
	u.preferred_language, u.locale, u.timezone, u.profile_url, u.email_type, u.phone_type,
	NULLIF(u.other_emails, '[]'),
	NULLIF(u.other_phones, '[]'), u.postal_code, u.address_type, u.organization,
	u.division, u.department, u.cost_center, u.gender, u.birthday, u.identity_type,
	u.identity_number, u.area, u.hire_date, u.work_place`
	// profileInsertColumns names them in insertUsersSQL, and
	// profileInsertValues reads them from its unnest, whose arrays are
	// profileUnnest (numbered from $27) named profileInsertColumns.
	profileInsertColumns = `external_id, given_name, middle_name, family_name, honorific_prefix, honorific_suffix,
	display_name, title, user_type, preferred_language, locale, timezone, profile_url,
	email_type, phone_type, other_emails, other_phones, postal_code, address_type,
	organization, division, department, cost_center, gender, birthday, identity_type,
	identity_number, area, hire_date, work_place`
	profileInsertValues = `NULLIF(external_id, ''), given_name, middle_name, family_name, honorific_prefix,
	honorific_suffix, display_name, title, user_type, preferred_language, locale, timezone,
	profile_url, email_type, phone_type, other_emails::jsonb, other_phones::jsonb,
	postal_code, address_type, organization, division, department, cost_center, gender,
	birthday, identity_type, identity_number, area, hire_date, work_place`
	profileUnnest = `$27::text[], $28::text[], $29::text[], $30::text[], $31::text[], $32::text[],
	$33::text[], $34::text[], $35::text[], $36::text[], $37::text[], $38::text[],
	$39::text[], $40::text[], $41::text[], $42::text[], $43::text[], $44::text[],
	$45::text[], $46::text[], $47::text[], $48::text[], $49::text[], $50::text[],
	$51::text[], $52::text[], $53::text[], $54::text[], $55::text[], $56::text[]`
)

// profileValues returns the values of the profile columns for p.
func profileValues(p *directory.Profile) [profileCount]string {
	return [profileCount]string{
		p.ExternalID, p.GivenName, p.MiddleName, p.FamilyName, p.HonorificPrefix, p.HonorificSuffix,
		p.DisplayName, p.Title, p.UserType, p.PreferredLanguage, p.Locale, p.Timezone, p.ProfileURL,
		p.EmailType, p.PhoneType, directory.EncodeContacts(p.OtherEmails),
		directory.EncodeContacts(p.OtherPhones), p.PostalCode, p.AddressType, p.Organization, p.Division,
		p.Department, p.CostCenter, p.Gender, p.Birthday, p.IdentityType, p.IdentityNumber, p.Area,
		p.HireDate, p.WorkPlace,
	}
}

// profileColumns are the profile columns of profileSelect as
// rawRow.profile decodes them: texts, and the two contact lists as jsonb.
var profileColumns = func() (c [profileCount]column) {
	for i := range c {
		c[i] = textColumn
	}
	c[15], c[16] = jsonbColumn, jsonbColumn
	return c
}()

// profile decodes into p the profile columns of r from column from on, as
// profileColumns says, but for the other emails and phones, which it
// returns (as jsonb text, "" for NULL) for decodeProfileLists.
func (r *rawRow) profile(p *directory.Profile, from int) (lists [2]string) {
	t := func(i int) string { return r.text(from + i) }
	p.ExternalID, p.GivenName, p.MiddleName, p.FamilyName = t(0), t(1), t(2), t(3)
	p.HonorificPrefix, p.HonorificSuffix, p.DisplayName, p.Title = t(4), t(5), t(6), t(7)
	p.UserType, p.PreferredLanguage, p.Locale, p.Timezone = t(8), t(9), t(10), t(11)
	p.ProfileURL, p.EmailType, p.PhoneType = t(12), t(13), t(14)
	lists = [2]string{r.nullText(from + 15), r.nullText(from + 16)}
	p.PostalCode, p.AddressType, p.Organization, p.Division = t(17), t(18), t(19), t(20)
	p.Department, p.CostCenter, p.Gender, p.Birthday = t(21), t(22), t(23), t(24)
	p.IdentityType, p.IdentityNumber, p.Area, p.HireDate, p.WorkPlace = t(25), t(26), t(27), t(28), t(29)
	return lists
}

// decodeProfileLists decodes the other emails and phones of lists, as
// rawRow.profile returns them.
func decodeProfileLists(p *directory.Profile, lists [2]string) error {
	var err error
	if p.OtherEmails, err = directory.DecodeContacts(lists[0]); err != nil {
		return fmt.Errorf("decode other_emails: %w", err)
	}
	if p.OtherPhones, err = directory.DecodeContacts(lists[1]); err != nil {
		return fmt.Errorf("decode other_phones: %w", err)
	}
	return nil
}
