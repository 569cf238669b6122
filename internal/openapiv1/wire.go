package openapiv1

import "github.com/userd/userd/internal/directory"

// updateUserRequest is the UpdateUser body of seed 003. Every field is
// optional; a pointer stays nil when the key is absent or null.
type updateUserRequest struct {
	Password     *string `json:"password"`
	EnterpriseID *string `json:"enterprise_id"`
	Email        *string `json:"email"`
	Phone        *string `json:"phone"`
	IsActive     *bool   `json:"is_active"`
}

// updateUser is the UpdateUser model answered by PUT: the stored values,
// never the password. email and phone are null when empty, as in UserInfo.
type updateUser struct {
	EnterpriseID string  `json:"enterprise_id"`
	Email        *string `json:"email"`
	Phone        *string `json:"phone"`
	IsActive     bool    `json:"is_active"`
}

func newUpdateUser(u directory.User) updateUser {
	return updateUser{
		EnterpriseID: u.EnterpriseID,
		Email:        nullable(u.Email),
		Phone:        nullable(u.Phone),
		IsActive:     u.Active,
	}
}

// nullable returns nil for "" so the field encodes as null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
