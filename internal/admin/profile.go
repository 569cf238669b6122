package admin

import (
	"slices"

	"github.com/userd/userd/internal/directory"
)

// profileJSON is the profile of a native user (directory.Profile), inlined
// in userJSON. An absent external id, birthday or hire date is null; other
// absent text is "".
type profileJSON struct {
	ExternalID        *string       `json:"external_id"`
	GivenName         string        `json:"given_name"`
	MiddleName        string        `json:"middle_name"`
	FamilyName        string        `json:"family_name"`
	HonorificPrefix   string        `json:"honorific_prefix"`
	HonorificSuffix   string        `json:"honorific_suffix"`
	DisplayName       string        `json:"display_name"`
	Title             string        `json:"title"`
	UserType          string        `json:"user_type"`
	PreferredLanguage string        `json:"preferred_language"`
	Locale            string        `json:"locale"`
	Timezone          string        `json:"timezone"`
	ProfileURL        string        `json:"profile_url"`
	EmailType         string        `json:"email_type"`
	PhoneType         string        `json:"phone_type"`
	OtherEmails       []contactJSON `json:"other_emails"`
	OtherPhones       []contactJSON `json:"other_phones"`
	PostalCode        string        `json:"postal_code"`
	AddressType       string        `json:"address_type"`
	Organization      string        `json:"organization"`
	Division          string        `json:"division"`
	Department        string        `json:"department"`
	CostCenter        string        `json:"cost_center"`
	Gender            string        `json:"gender"`
	Birthday          *string       `json:"birthday"`
	IdentityType      string        `json:"identity_type"`
	IdentityNumber    string        `json:"identity_number"`
	Area              string        `json:"area"`
	HireDate          *string       `json:"hire_date"`
	WorkPlace         string        `json:"work_place"`
}

// contactJSON is one of a user's other emails or phones.
type contactJSON struct {
	Value string `json:"value"`
	Type  string `json:"type"`
}

func toProfileJSON(p directory.Profile) profileJSON {
	return profileJSON{
		ExternalID: optionalText(p.ExternalID), GivenName: p.GivenName, MiddleName: p.MiddleName,
		FamilyName: p.FamilyName, HonorificPrefix: p.HonorificPrefix, HonorificSuffix: p.HonorificSuffix,
		DisplayName: p.DisplayName, Title: p.Title, UserType: p.UserType, PreferredLanguage: p.PreferredLanguage,
		Locale: p.Locale, Timezone: p.Timezone, ProfileURL: p.ProfileURL, EmailType: p.EmailType,
		PhoneType: p.PhoneType, OtherEmails: toContactsJSON(p.OtherEmails), OtherPhones: toContactsJSON(p.OtherPhones),
		PostalCode: p.PostalCode, AddressType: p.AddressType, Organization: p.Organization, Division: p.Division,
		Department: p.Department, CostCenter: p.CostCenter, Gender: p.Gender, Birthday: optionalText(p.Birthday),
		IdentityType: p.IdentityType, IdentityNumber: p.IdentityNumber, Area: p.Area,
		HireDate: optionalText(p.HireDate), WorkPlace: p.WorkPlace,
	}
}

// optionalText is nil for "" and a pointer to a copy of s otherwise. The
// copy is made only then: taking &s moved the parameter to the heap on
// every call, three allocations per user of a page even for empty values.
func optionalText(s string) *string {
	if s == "" {
		return nil
	}
	return new(s)
}

func toContactsJSON(cs []directory.Contact) []contactJSON {
	out := make([]contactJSON, len(cs))
	for i, c := range cs {
		out[i] = contactJSON(c)
	}
	return out
}

// profileInput is the profile part of userInput, inlined in it. Each list
// replaces the whole list.
type profileInput struct {
	ExternalID        *string        `json:"external_id"`
	GivenName         *string        `json:"given_name"`
	MiddleName        *string        `json:"middle_name"`
	FamilyName        *string        `json:"family_name"`
	HonorificPrefix   *string        `json:"honorific_prefix"`
	HonorificSuffix   *string        `json:"honorific_suffix"`
	DisplayName       *string        `json:"display_name"`
	Title             *string        `json:"title"`
	UserType          *string        `json:"user_type"`
	PreferredLanguage *string        `json:"preferred_language"`
	Locale            *string        `json:"locale"`
	Timezone          *string        `json:"timezone"`
	ProfileURL        *string        `json:"profile_url"`
	EmailType         *string        `json:"email_type"`
	PhoneType         *string        `json:"phone_type"`
	OtherEmails       *[]contactJSON `json:"other_emails"`
	OtherPhones       *[]contactJSON `json:"other_phones"`
	PostalCode        *string        `json:"postal_code"`
	AddressType       *string        `json:"address_type"`
	Organization      *string        `json:"organization"`
	Division          *string        `json:"division"`
	Department        *string        `json:"department"`
	CostCenter        *string        `json:"cost_center"`
	Gender            *string        `json:"gender"`
	Birthday          *string        `json:"birthday"`
	IdentityType      *string        `json:"identity_type"`
	IdentityNumber    *string        `json:"identity_number"`
	Area              *string        `json:"area"`
	HireDate          *string        `json:"hire_date"`
	WorkPlace         *string        `json:"work_place"`
}

// toPatch turns the input into a domain patch. A member sent as null
// clears the field ("", or no other emails or phones); nulls names the
// body's members that were.
func (in *profileInput) toPatch(nulls []string) directory.ProfilePatch {
	p := directory.ProfilePatch{
		ExternalID: in.ExternalID, GivenName: in.GivenName, MiddleName: in.MiddleName, FamilyName: in.FamilyName,
		HonorificPrefix: in.HonorificPrefix, HonorificSuffix: in.HonorificSuffix, DisplayName: in.DisplayName,
		Title: in.Title, UserType: in.UserType, PreferredLanguage: in.PreferredLanguage, Locale: in.Locale,
		Timezone: in.Timezone, ProfileURL: in.ProfileURL, EmailType: in.EmailType, PhoneType: in.PhoneType,
		OtherEmails: toContacts(in.OtherEmails), OtherPhones: toContacts(in.OtherPhones),
		PostalCode: in.PostalCode, AddressType: in.AddressType, Organization: in.Organization,
		Division: in.Division, Department: in.Department, CostCenter: in.CostCenter, Gender: in.Gender,
		Birthday: in.Birthday, IdentityType: in.IdentityType, IdentityNumber: in.IdentityNumber,
		Area: in.Area, HireDate: in.HireDate, WorkPlace: in.WorkPlace,
	}
	if len(nulls) == 0 {
		return p
	}
	texts := map[string]**string{
		"external_id": &p.ExternalID, "given_name": &p.GivenName, "middle_name": &p.MiddleName,
		"family_name": &p.FamilyName, "honorific_prefix": &p.HonorificPrefix, "honorific_suffix": &p.HonorificSuffix,
		"display_name": &p.DisplayName, "title": &p.Title, "user_type": &p.UserType,
		"preferred_language": &p.PreferredLanguage, "locale": &p.Locale, "timezone": &p.Timezone,
		"profile_url": &p.ProfileURL, "email_type": &p.EmailType, "phone_type": &p.PhoneType,
		"postal_code": &p.PostalCode, "address_type": &p.AddressType, "organization": &p.Organization,
		"division": &p.Division, "department": &p.Department, "cost_center": &p.CostCenter,
		"gender": &p.Gender, "birthday": &p.Birthday, "identity_type": &p.IdentityType,
		"identity_number": &p.IdentityNumber, "area": &p.Area, "hire_date": &p.HireDate, "work_place": &p.WorkPlace,
	}
	for _, key := range nulls {
		if dst, ok := texts[key]; ok {
			*dst = new("")
		}
	}
	if slices.Contains(nulls, "other_emails") {
		p.OtherEmails = &[]directory.Contact{}
	}
	if slices.Contains(nulls, "other_phones") {
		p.OtherPhones = &[]directory.Contact{}
	}
	return p
}

func toContacts(in *[]contactJSON) *[]directory.Contact {
	if in == nil {
		return nil
	}
	out := make([]directory.Contact, len(*in))
	for i, c := range *in {
		out[i] = directory.Contact(c)
	}
	return &out
}
