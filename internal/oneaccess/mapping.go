package oneaccess

import (
	"encoding/json"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

// User is the data of a user callback; docs/api/oneaccess.md maps each
// field to userd's.
type User struct {
	// ID is the application's own id of the user, from its answer to the
	// CREATE_USER callback; absent on CREATE_USER itself.
	ID string `json:"id,omitempty"`
	// UserdID is userd's id, for applications that key on it.
	UserdID  string `json:"userdId"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name,omitempty"`
	Mobile   string `json:"mobile,omitempty"`
	Email    string `json:"email,omitempty"`
	// OrganizationID is the user's primary org: the application's id of it
	// when it gave one, else userd's.
	OrganizationID string `json:"organizationId,omitempty"`
	Disabled       bool   `json:"disabled"`
	EmployeeNumber string `json:"employeeNumber,omitempty"`
	NickName       string `json:"nickName,omitempty"`
}

// Org is the data of an organization callback.
type Org struct {
	ID      string `json:"id,omitempty"`
	UserdID string `json:"userdId"`
	Name    string `json:"name,omitempty"`
	Code    string `json:"code,omitempty"`
	// ParentID is the parent org: the application's id when it gave one,
	// else userd's; absent for a root org.
	ParentID string `json:"parentId,omitempty"`
}

// UserData returns the data of a user callback. remoteID is the
// application's id of the user ("" if none yet), orgID the id to send as
// organizationId. A deleted user (deleted true) carries only its ids.
func UserData(u directory.User, remoteID, orgID string, deleted bool) []byte {
	if deleted {
		return deletedData(remoteID, u.ID)
	}
	d := User{ID: remoteID, UserdID: strconv.FormatInt(u.ID, 10)}
	{
		d.Username, d.Name, d.Email, d.NickName, d.EmployeeNumber = u.Username, u.Name, u.Email, u.NickName, u.EmployeeNumber
		d.Mobile = u.Phone
		if u.PhoneCountryCode != "" && u.Phone != "" {
			d.Mobile = "+" + u.PhoneCountryCode + "-" + u.Phone
		}
		d.OrganizationID = orgID
		d.Disabled = !u.Active || u.Locked
	}
	b, _ := json.Marshal(d)
	return b
}

// OrgData returns the data of an organization callback, as UserData.
func OrgData(o directory.Org, remoteID, parentID string, deleted bool) []byte {
	if deleted {
		return deletedData(remoteID, o.ID)
	}
	d := Org{ID: remoteID, UserdID: strconv.FormatInt(o.ID, 10)}
	{
		d.Name, d.Code, d.ParentID = o.Name, o.Code, parentID
	}
	b, _ := json.Marshal(d)
	return b
}

// EventType returns the callback event type of a change to an object of
// type typ ("user" or "org") by op ("create", "update", "delete").
func EventType(typ, op string) string {
	obj := "USER"
	if typ == "org" {
		obj = "ORGANIZATION"
	}
	switch op {
	case "create":
		return "CREATE_" + obj
	case "delete":
		return "DELETE_" + obj
	}
	return "UPDATE_" + obj
}

// deletedData is the data of a delete callback: the object's ids only.
func deletedData(remoteID string, id int64) []byte {
	b, _ := json.Marshal(struct {
		ID      string `json:"id,omitempty"`
		UserdID string `json:"userdId"`
	}{remoteID, strconv.FormatInt(id, 10)})
	return b
}
