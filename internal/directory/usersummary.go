package directory

// Summary returns u with only the fields Store.ListUserSummaries reads,
// every other field zero: the id, tenant, username, name, email, and the
// active, locked and must-change-password flags. They are what a list of
// users to pick from shows (the console's users table and its pickers);
// the rest of a user (the profile, the extension, the times, the
// memberships) would cost such a page a column read and conversion per
// user for nothing.
func Summary(u User) User {
	return User{
		ID: u.ID, TenantID: u.TenantID, Username: u.Username, Name: u.Name, Email: u.Email,
		Active: u.Active, Locked: u.Locked, MustChangePassword: u.MustChangePassword,
	}
}
