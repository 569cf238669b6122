package openapiv1

import (
	"time"

	"github.com/userd/userd/internal/directory"
)

// userInfo is the UserInfo model of seed 000. The key "origion" is spelled
// as in the seed's example because existing clients read that key. Fields the
// seed marks nullable are null when empty.
type userInfo struct {
	UserID       int64   `json:"user_id"`
	Email        *string `json:"email"`
	NickName     string  `json:"nick_name"`
	Phone        *string `json:"phone"`
	IsActive     bool    `json:"is_active"`
	Origion      *string `json:"origion"`
	CreateTime   string  `json:"create_time"`
	ClientIP     *string `json:"client_ip"`
	EnterpriseID string  `json:"enterprise_id"`
}

func newUserInfo(u directory.User) userInfo {
	return userInfo{
		UserID:       u.ID,
		Email:        nullable(u.Email),
		NickName:     u.NickName,
		Phone:        nullable(u.Phone),
		IsActive:     u.Active,
		Origion:      nullable(u.Origin),
		CreateTime:   u.CreatedAt.UTC().Format(time.RFC3339),
		ClientIP:     nullable(u.ClientIP),
		EnterpriseID: u.EnterpriseID,
	}
}

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
