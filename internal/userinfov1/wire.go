package userinfov1

import (
	"encoding/json"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

// The extension keys the native API writes for the fields userd's model has
// no column for.
const (
	extRoleID    = "role_id"
	extLevelID   = "level_id"
	extServerID  = "server_id"
	extLogin     = "login"
	extSendEmail = "send_email"
)

// userItem is one entry of data. A field with no value (no manager, an
// extension key that is absent or holds a value of another type) is left
// out, as the seed's sample leaves out serverId and login. There is no
// password field in any form.
type userItem struct {
	ID        int64  `json:"id"`
	Email     string `json:"email"`
	RoleID    *int64 `json:"roleId,omitempty"`
	LevelID   *int64 `json:"levelId,omitempty"`
	ParentID  *int64 `json:"parentId,omitempty"`
	EntityNo  string `json:"entityNo"`
	Name      string `json:"name"`
	Address   string `json:"address"`
	Phone     phone  `json:"phone"`
	Country   string `json:"country"`
	Province  string `json:"province"`
	City      string `json:"city"`
	Comment   string `json:"comment"`
	ServerID  *int64 `json:"serverId,omitempty"`
	Login     *int64 `json:"login,omitempty"`
	SendEmail *bool  `json:"sendEmail,omitempty"`
}

// phone is the seed's Phone object.
type phone struct {
	CountryCode string `json:"countryCode"`
	Phone       string `json:"phone"`
}

func newUserItem(u directory.User) userItem {
	it := userItem{
		ID:        u.ID,
		Email:     u.Email,
		RoleID:    extInt(u.Extension, extRoleID),
		LevelID:   extInt(u.Extension, extLevelID),
		EntityNo:  u.EmployeeNumber,
		Name:      u.Name,
		Address:   u.Address,
		Phone:     phone{CountryCode: u.PhoneCountryCode, Phone: u.Phone},
		Country:   u.Country,
		Province:  u.Province,
		City:      u.City,
		Comment:   u.Comment,
		ServerID:  extInt(u.Extension, extServerID),
		Login:     extInt(u.Extension, extLogin),
		SendEmail: extBool(u.Extension, extSendEmail),
	}
	if u.ManagerID != 0 {
		// A pointer to a copy: &u.ManagerID would move all of u to the heap.
		manager := u.ManagerID
		it.ParentID = &manager
	}
	return it
}

// extInt returns the extension value under key as an integer when it is a
// JSON integer or a string holding a decimal integer (int64 range), else nil.
func extInt(ext map[string]any, key string) *int64 {
	var text string
	switch v := ext[key].(type) {
	case json.Number:
		text = v.String()
	case string:
		text = v
	default:
		return nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// extBool returns the extension value under key when it is a JSON boolean,
// else nil.
func extBool(ext map[string]any, key string) *bool {
	if b, ok := ext[key].(bool); ok {
		return &b
	}
	return nil
}
