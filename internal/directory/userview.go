package directory

// UserView names the part of a user a read returns: the fields a dialect
// shows, so that a page of users reads and converts no column that dialect
// would throw away. Stores read exactly the fields UserView.Of keeps; the
// contract suite holds them to it on both engines, and each dialect that
// reads a narrow view tests that its answers are the same bytes as from
// the whole user.
type UserView uint8

const (
	// WholeUser is every field: the zero UserView.
	WholeUser UserView = iota
	// AccountView is what the OneAccess user object shows: the account
	// (username, name, nick name, email, phone, the active, locked and
	// must-change-password flags, when the password changed, grade,
	// employee number, manager, city), the name parts and OneAccess's
	// attr_* fields, the extension, the memberships and the times. It
	// leaves out the password hash, the comment, the address but the
	// city, where the user came from, the version and the rest of the
	// profile.
	AccountView
	// ResourceView is what a SCIM User resource shows: the whole profile,
	// the account fields SCIM maps (username, name, nick name, email,
	// phone, active, employee number, manager, the address), the
	// memberships, the times and the version. It leaves out the
	// extension (SCIM never shows it), the password hash and its time,
	// the comment, the locked and must-change-password flags, grade, the
	// phone's country code, where the user came from and the enterprise id.
	ResourceView
	// WithoutOrgsView is every field but the memberships: the read before
	// an update that leaves them alone, for a dialect that does not show
	// them (their sub-select is the costly part of a whole user on
	// PostgreSQL).
	WithoutOrgsView
)

// Of returns u with only the fields v reads, every other field zero.
func (v UserView) Of(u User) User {
	switch v {
	case AccountView:
		return User{
			ID: u.ID, TenantID: u.TenantID, Username: u.Username, Name: u.Name, NickName: u.NickName,
			Email: u.Email, Phone: u.Phone, Active: u.Active, Locked: u.Locked,
			MustChangePassword: u.MustChangePassword, PasswordChangedAt: u.PasswordChangedAt, Grade: u.Grade,
			EmployeeNumber: u.EmployeeNumber, ManagerID: u.ManagerID, City: u.City,
			Profile: Profile{
				GivenName: u.GivenName, MiddleName: u.MiddleName, FamilyName: u.FamilyName, UserType: u.UserType,
				Gender: u.Gender, Birthday: u.Birthday, IdentityType: u.IdentityType,
				IdentityNumber: u.IdentityNumber, Area: u.Area, HireDate: u.HireDate, WorkPlace: u.WorkPlace,
			},
			Extension: u.Extension, Orgs: u.Orgs, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		}
	case ResourceView:
		return User{
			ID: u.ID, TenantID: u.TenantID, Username: u.Username, Name: u.Name, NickName: u.NickName,
			Email: u.Email, Phone: u.Phone, Active: u.Active, EmployeeNumber: u.EmployeeNumber,
			ManagerID: u.ManagerID, Address: u.Address, City: u.City, Province: u.Province, Country: u.Country,
			Profile: u.Profile, Orgs: u.Orgs, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Version: u.Version,
		}
	case WithoutOrgsView:
		u.Orgs = nil
	}
	return u
}
