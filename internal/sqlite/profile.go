package sqlite

import (
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// userProfileColumns are the columns of a directory.Profile but
// external_id, which is keyed (userKeyedColumns): the last of
// userPlainColumns, in the order profileValues gives them.
const userProfileColumns = `given_name, middle_name, family_name, honorific_prefix, honorific_suffix,
	display_name, title, user_type, preferred_language, locale, timezone, profile_url, email_type,
	phone_type, other_emails, other_phones, postal_code, address_type, organization, division,
	department, cost_center, gender, birthday, identity_type, identity_number, area, hire_date,
	work_place`

// userProfileCount is the number of userProfileColumns.
const userProfileCount = 29

// userProfileSelect reads external_id and userProfileColumns, in that
// order, as one text in userColumns: each value, NUL-separated. No stored
// text holds a NUL (directory.CheckText refuses it), so the split is exact.
// One column rather than 30 spares a read the 30 column names
// modernc.org/sqlite allocates for every query, a fifth of the cost of
// reading one user. concat_ws builds the text in one allocation, where a
// chain of || copied it again at each of its 58 steps (a seventh of the
// CPU of a page of users); it skips NULLs, which only external_id may hold.
const userProfileSelect = `
	concat_ws(char(0), ifnull(external_id, ''), ` + userProfileColumns + `)`

// userProfilePlaceholders has a placeholder for each userProfileColumns.
const userProfilePlaceholders = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`

// profileValues returns the values of userProfileColumns for p.
func profileValues(p *directory.Profile) []any {
	return []any{
		p.GivenName, p.MiddleName, p.FamilyName, p.HonorificPrefix, p.HonorificSuffix,
		p.DisplayName, p.Title, p.UserType, p.PreferredLanguage, p.Locale, p.Timezone, p.ProfileURL, p.EmailType,
		p.PhoneType, directory.EncodeContacts(p.OtherEmails), directory.EncodeContacts(p.OtherPhones), p.PostalCode, p.AddressType, p.Organization, p.Division,
		p.Department, p.CostCenter, p.Gender, p.Birthday, p.IdentityType, p.IdentityNumber, p.Area, p.HireDate,
		p.WorkPlace,
	}
}

// scanProfile reads the column userProfileSelect selects into p.
func scanProfile(s string, p *directory.Profile) error {
	var v [1 + userProfileCount]string
	if err := cutValues(s, v[:]); err != nil {
		return err
	}
	return setProfile(v[:], p)
}

// setProfile reads into p the values of external_id and
// userProfileColumns, in that order, from v.
func setProfile(v []string, p *directory.Profile) error {
	v = v[:1+userProfileCount]
	p.ExternalID, p.GivenName, p.MiddleName, p.FamilyName, p.HonorificPrefix, p.HonorificSuffix = v[0], v[1], v[2], v[3], v[4], v[5]
	p.DisplayName, p.Title, p.UserType, p.PreferredLanguage, p.Locale, p.Timezone = v[6], v[7], v[8], v[9], v[10], v[11]
	p.ProfileURL, p.EmailType, p.PhoneType = v[12], v[13], v[14]
	p.PostalCode, p.AddressType, p.Organization, p.Division, p.Department, p.CostCenter = v[17], v[18], v[19], v[20], v[21], v[22]
	p.Gender, p.Birthday, p.IdentityType, p.IdentityNumber, p.Area, p.HireDate, p.WorkPlace = v[23], v[24], v[25], v[26], v[27], v[28], v[29]
	var err error
	if p.OtherEmails, err = directory.DecodeContacts(v[15]); err != nil {
		return fmt.Errorf("decode other_emails: %w", err)
	}
	if p.OtherPhones, err = directory.DecodeContacts(v[16]); err != nil {
		return fmt.Errorf("decode other_phones: %w", err)
	}
	return nil
}

// cutValues splits s, values joined by NULs as concat_ws(char(0), ...)
// joins them, into v, which must have room for exactly as many. The
// values stay substrings of s, without a slice to hold them. One pass
// over the bytes: a strings.Cut per value, splitting a user's 48 values,
// was a tenth of the CPU of a page of users, and twice this loop's.
func cutValues(s string, v []string) error {
	n, start := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] != 0 {
			continue
		}
		if n == len(v)-1 {
			return fmt.Errorf("the joined texts hold more than %d values: was the file changed outside userd?", len(v))
		}
		v[n], start = s[start:i], i+1
		n++
	}
	if n < len(v)-1 {
		return fmt.Errorf("the joined texts hold %d values, want %d: was the file changed outside userd?", n+1, len(v))
	}
	v[n] = s[start:]
	return nil
}
