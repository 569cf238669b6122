package client

// Profile is the part of a user that SCIM and the OneAccess family carry:
// name parts, codes, dates and the emails and phones besides the primary
// ones. Every field is "" (or nil) when absent. See docs/api/admin.md for
// each field's bounds.
type Profile struct {
	// ExternalID is the id a provisioning client knows the user by; not
	// unique. UserQuery.ExternalID finds it.
	ExternalID        string `json:"external_id"`
	GivenName         string `json:"given_name"`
	MiddleName        string `json:"middle_name"`
	FamilyName        string `json:"family_name"`
	HonorificPrefix   string `json:"honorific_prefix"`
	HonorificSuffix   string `json:"honorific_suffix"`
	DisplayName       string `json:"display_name"`
	Title             string `json:"title"`
	UserType          string `json:"user_type"`
	PreferredLanguage string `json:"preferred_language"`
	Locale            string `json:"locale"`
	Timezone          string `json:"timezone"`
	ProfileURL        string `json:"profile_url"`
	// EmailType and PhoneType are the types of User.Email and User.Phone;
	// OtherEmails and OtherPhones are the user's others, at most 9 each.
	EmailType    string    `json:"email_type"`
	PhoneType    string    `json:"phone_type"`
	OtherEmails  []Contact `json:"other_emails"`
	OtherPhones  []Contact `json:"other_phones"`
	PostalCode   string    `json:"postal_code"`
	AddressType  string    `json:"address_type"`
	Organization string    `json:"organization"`
	Division     string    `json:"division"`
	Department   string    `json:"department"`
	CostCenter   string    `json:"cost_center"`
	Gender       string    `json:"gender"`
	// Birthday and HireDate are dates written yyyy-mm-dd.
	Birthday       string `json:"birthday"`
	IdentityType   string `json:"identity_type"`
	IdentityNumber string `json:"identity_number"`
	Area           string `json:"area"`
	HireDate       string `json:"hire_date"`
	WorkPlace      string `json:"work_place"`
}

// Contact is one of a user's emails or phones besides the primary one.
type Contact struct {
	Value string `json:"value"`
	Type  string `json:"type,omitempty"`
}

// ProfileInput is the profile part of UserInput: a nil field is left out,
// "" clears a text field, and a list replaces the whole list (an empty one
// clears it).
type ProfileInput struct {
	ExternalID        *string    `json:"external_id,omitempty"`
	GivenName         *string    `json:"given_name,omitempty"`
	MiddleName        *string    `json:"middle_name,omitempty"`
	FamilyName        *string    `json:"family_name,omitempty"`
	HonorificPrefix   *string    `json:"honorific_prefix,omitempty"`
	HonorificSuffix   *string    `json:"honorific_suffix,omitempty"`
	DisplayName       *string    `json:"display_name,omitempty"`
	Title             *string    `json:"title,omitempty"`
	UserType          *string    `json:"user_type,omitempty"`
	PreferredLanguage *string    `json:"preferred_language,omitempty"`
	Locale            *string    `json:"locale,omitempty"`
	Timezone          *string    `json:"timezone,omitempty"`
	ProfileURL        *string    `json:"profile_url,omitempty"`
	EmailType         *string    `json:"email_type,omitempty"`
	PhoneType         *string    `json:"phone_type,omitempty"`
	OtherEmails       *[]Contact `json:"other_emails,omitempty"`
	OtherPhones       *[]Contact `json:"other_phones,omitempty"`
	PostalCode        *string    `json:"postal_code,omitempty"`
	AddressType       *string    `json:"address_type,omitempty"`
	Organization      *string    `json:"organization,omitempty"`
	Division          *string    `json:"division,omitempty"`
	Department        *string    `json:"department,omitempty"`
	CostCenter        *string    `json:"cost_center,omitempty"`
	Gender            *string    `json:"gender,omitempty"`
	Birthday          *string    `json:"birthday,omitempty"`
	IdentityType      *string    `json:"identity_type,omitempty"`
	IdentityNumber    *string    `json:"identity_number,omitempty"`
	Area              *string    `json:"area,omitempty"`
	HireDate          *string    `json:"hire_date,omitempty"`
	WorkPlace         *string    `json:"work_place,omitempty"`
}
