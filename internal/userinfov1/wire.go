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
	values    itemValues
}

// phone is the seed's Phone object.
type phone struct {
	CountryCode string `json:"countryCode"`
	Phone       string `json:"phone"`
}

// itemValues holds the values of a userItem's pointer fields, which point
// into it: one item serves every user of an answer, with no allocation
// per field per user.
type itemValues struct {
	parentID, roleID, levelID, serverID, login int64
	sendEmail                                  bool
}

// fill sets it to the data item of u, dropping what it held before.
func (it *userItem) fill(u *directory.User) {
	*it = userItem{
		ID:       u.ID,
		Email:    u.Email,
		EntityNo: u.EmployeeNumber,
		Name:     u.Name,
		Address:  u.Address,
		Phone:    phone{CountryCode: u.PhoneCountryCode, Phone: u.Phone},
		Country:  u.Country,
		Province: u.Province,
		City:     u.City,
		Comment:  u.Comment,
	}
	v := &it.values
	it.RoleID = extInt(u.Extension, extRoleID, &v.roleID)
	it.LevelID = extInt(u.Extension, extLevelID, &v.levelID)
	it.ServerID = extInt(u.Extension, extServerID, &v.serverID)
	it.Login = extInt(u.Extension, extLogin, &v.login)
	it.SendEmail = extBool(u.Extension, extSendEmail, &v.sendEmail)
	if u.ManagerID != 0 {
		v.parentID = u.ManagerID
		it.ParentID = &v.parentID
	}
}

// extInt stores in n the extension value under key as an integer when it
// is a JSON integer or a string holding a decimal integer (int64 range),
// and returns n; else it returns nil.
func extInt(ext map[string]any, key string, n *int64) *int64 {
	var text string
	switch v := ext[key].(type) {
	case json.Number:
		text = v.String()
	case string:
		text = v
	default:
		return nil
	}
	var err error
	if *n, err = strconv.ParseInt(text, 10, 64); err != nil {
		return nil
	}
	return n
}

// extBool stores in b the extension value under key when it is a JSON
// boolean, and returns b; else it returns nil.
func extBool(ext map[string]any, key string, b *bool) *bool {
	var ok bool
	if *b, ok = ext[key].(bool); ok {
		return b
	}
	return nil
}
