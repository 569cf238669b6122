package sqlite

import (
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// userProfileColumns are the columns of a directory.Profile but
// external_id, which is keyed (userKeyedColumns): the last of
// userPlainColumns and of userColumns, in the order profileValues gives
// and scanProfile reads them.
const userProfileColumns = `given_name, middle_name, family_name, honorific_prefix, honorific_suffix,
	display_name, title, user_type, preferred_language, locale, timezone, profile_url, email_type,
	phone_type, other_emails, other_phones, postal_code, address_type, organization, division,
	department, cost_center, gender, birthday, identity_type, identity_number, area, hire_date,
	work_place`

// userProfileCount is the number of userProfileColumns.
const userProfileCount = 29

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

// scanProfile reads userProfileColumns from c, starting at column at, into
// p.
func scanProfile(c *columns, at int, p *directory.Profile) error {
	texts := []*string{
		&p.GivenName, &p.MiddleName, &p.FamilyName, &p.HonorificPrefix, &p.HonorificSuffix,
		&p.DisplayName, &p.Title, &p.UserType, &p.PreferredLanguage, &p.Locale, &p.Timezone, &p.ProfileURL, &p.EmailType,
		&p.PhoneType, nil, nil, &p.PostalCode, &p.AddressType, &p.Organization, &p.Division,
		&p.Department, &p.CostCenter, &p.Gender, &p.Birthday, &p.IdentityType, &p.IdentityNumber, &p.Area, &p.HireDate,
		&p.WorkPlace,
	}
	for i, dst := range texts {
		if dst != nil {
			*dst = c.text(at + i)
		}
	}
	var err error
	if p.OtherEmails, err = directory.DecodeContacts(c.text(at + 14)); err != nil {
		return fmt.Errorf("decode other_emails: %w", err)
	}
	if p.OtherPhones, err = directory.DecodeContacts(c.text(at + 15)); err != nil {
		return fmt.Errorf("decode other_phones: %w", err)
	}
	return nil
}
