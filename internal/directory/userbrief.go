package directory

// Brief returns u with only the fields Store.UserBrief reads, every other
// field zero: the id, tenant, email, nick name, phone, active, origin,
// client IP, enterprise id and creation time. They are what OpenAPI v1's
// UserInfo shows; the rest of a user (the memberships above all, which
// cost a sub-select, and the profile and extension, which cost a decode)
// would cost every GET of that dialect for nothing. A dialect that shows
// more reads the whole user with User.
func Brief(u User) User {
	return User{
		ID: u.ID, TenantID: u.TenantID, Email: u.Email, NickName: u.NickName, Phone: u.Phone, Active: u.Active,
		Origin: u.Origin, ClientIP: u.ClientIP, EnterpriseID: u.EnterpriseID, CreatedAt: u.CreatedAt,
	}
}
