package directory

import "time"

// Brief is the part of a user Store.UserBrief reads: the id, tenant,
// email, nick name, phone, active, origin, client IP, enterprise id and
// creation time. They are what OpenAPI v1's UserInfo shows; the rest of a
// user (the memberships above all, which cost a sub-select, and the
// profile and extension, which cost a decode) would cost every GET of
// that dialect for nothing. A dialect that shows more reads the whole
// user with User. It is a type of its own, not a User with the other
// fields zero, so that a dialect cannot show a field the read left out,
// and so that each layer a GET passes it through copies a sixth of a
// User's bytes.
type Brief struct {
	ID, TenantID                   int64
	Email, NickName, Phone         string
	Active                         bool
	Origin, ClientIP, EnterpriseID string
	CreatedAt                      time.Time
}

// Brief returns the fields of u a Brief keeps.
func (u *User) Brief() Brief {
	return Brief{
		ID: u.ID, TenantID: u.TenantID, Email: u.Email, NickName: u.NickName, Phone: u.Phone, Active: u.Active,
		Origin: u.Origin, ClientIP: u.ClientIP, EnterpriseID: u.EnterpriseID, CreatedAt: u.CreatedAt,
	}
}
