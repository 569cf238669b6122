package openapiv1

import (
	"testing"
	"time"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// userInfo is the UserInfo model as the GET answered it through
// encoding/json, before appendUserInfo: the reference it must match.
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

// userInfoEncoder is the GET's encoder against what encoding/json wrote
// before.
var userInfoEncoder = dialecttest.Encoder{
	Wire: func(u directory.User) any { return newUserInfo(u) },
	Append: func(b []byte, u directory.User) ([]byte, error) {
		brief := u.Brief()
		return appendUserInfo(b, &brief), nil
	},
}

func TestUserInfoMatchesEncodingJSON(t *testing.T) {
	dialecttest.CheckEncoderOnUsers(t, userInfoEncoder)
}

func FuzzUserInfo(f *testing.F) { dialecttest.FuzzEncoder(f, userInfoEncoder) }
