package directory

// Card returns u with only the fields Store.UsersByID reads, every other
// field zero: the id, tenant, email, name, employee number, manager,
// phone and its country code, address, city, province, country, comment
// and extension. They are what user-info v1, the batch read's dialect,
// shows; the rest of a user (the profile, the password hash, the times,
// the memberships) would cost the batch a column read and conversion per
// user for nothing. A dialect that shows more reads users one by one or
// by a list.
func Card(u User) User {
	return User{
		ID: u.ID, TenantID: u.TenantID, Email: u.Email, Name: u.Name, EmployeeNumber: u.EmployeeNumber,
		ManagerID: u.ManagerID, Phone: u.Phone, PhoneCountryCode: u.PhoneCountryCode, Address: u.Address,
		City: u.City, Province: u.Province, Country: u.Country, Comment: u.Comment, Extension: u.Extension,
	}
}
