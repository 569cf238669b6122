package tenantv2

import (
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
)

// timeLayout is how seed 001 writes times: "2022-04-13 16:57:36.532".
const timeLayout = "2006-01-02 15:04:05.000"

// userDetail is the 200 body of seed 001. Ids are strings on this wire.
type userDetail struct {
	UserID              string         `json:"user_id"`
	OrgID               *string        `json:"org_id"`
	UserName            string         `json:"user_name"`
	Name                string         `json:"name"`
	Mobile              string         `json:"mobile"`
	Email               string         `json:"email"`
	PwdMustModify       bool           `json:"pwd_must_modify"`
	PwdChangeAt         *string        `json:"pwd_change_at"`
	CreatedAt           string         `json:"created_at"`
	UpdatedAt           string         `json:"updated_at"`
	Disabled            bool           `json:"disabled"`
	Grade               int            `json:"grade"`
	Locked              bool           `json:"locked"`
	Extension           map[string]any `json:"extension"`
	UserOrgRelationList []orgRelation  `json:"user_org_relation_list"`
	// The fields CreateUser and UpdateUser take beyond seed 001's, in its
	// style: "" when empty, attr_manager_id null without a manager.
	EmployeeID         string  `json:"employee_id"`
	FirstName          string  `json:"first_name"`
	MiddleName         string  `json:"middle_name"`
	LastName           string  `json:"last_name"`
	AttrGender         string  `json:"attr_gender"`
	AttrBirthday       string  `json:"attr_birthday"`
	AttrNickName       string  `json:"attr_nick_name"`
	AttrIdentityType   string  `json:"attr_identity_type"`
	AttrIdentityNumber string  `json:"attr_identity_number"`
	AttrArea           string  `json:"attr_area"`
	AttrCity           string  `json:"attr_city"`
	AttrManagerID      *string `json:"attr_manager_id"`
	AttrUserType       string  `json:"attr_user_type"`
	AttrHireDate       string  `json:"attr_hire_date"`
	AttrWorkPlace      string  `json:"attr_work_place"`
}

// orgRelation is a UserOrgRelationListResult: relation_type is 1 for the
// user's primary org and 0 for the others, a number as in the seed's example.
type orgRelation struct {
	OrgID        string `json:"org_id"`
	RelationType int    `json:"relation_type"`
}

func newUserDetail(u directory.User, loc *time.Location) userDetail {
	d := userDetail{
		UserID:              strconv.FormatInt(u.ID, 10),
		UserName:            u.Username,
		Name:                u.Name,
		Mobile:              u.Phone,
		Email:               u.Email,
		PwdMustModify:       u.MustChangePassword,
		CreatedAt:           u.CreatedAt.In(loc).Format(timeLayout),
		UpdatedAt:           u.UpdatedAt.In(loc).Format(timeLayout),
		Disabled:            !u.Active,
		Grade:               u.Grade,
		Locked:              u.Locked,
		Extension:           u.Extension,
		UserOrgRelationList: make([]orgRelation, 0, len(u.Orgs)),
		EmployeeID:          u.EmployeeNumber,
		FirstName:           u.GivenName,
		MiddleName:          u.MiddleName,
		LastName:            u.FamilyName,
		AttrGender:          u.Gender,
		AttrBirthday:        u.Birthday,
		AttrNickName:        u.NickName,
		AttrIdentityType:    u.IdentityType,
		AttrIdentityNumber:  u.IdentityNumber,
		AttrArea:            u.Area,
		AttrCity:            u.City,
		AttrUserType:        u.UserType,
		AttrHireDate:        u.HireDate,
		AttrWorkPlace:       u.WorkPlace,
	}
	if u.ManagerID != 0 {
		s := strconv.FormatInt(u.ManagerID, 10)
		d.AttrManagerID = &s
	}
	if d.Extension == nil {
		d.Extension = map[string]any{}
	}
	if org := u.PrimaryOrg(); org != 0 {
		s := strconv.FormatInt(org, 10)
		d.OrgID = &s
	}
	if !u.PasswordChangedAt.IsZero() {
		s := u.PasswordChangedAt.In(loc).Format(timeLayout)
		d.PwdChangeAt = &s
	}
	for _, m := range u.Orgs {
		rel := orgRelation{OrgID: strconv.FormatInt(m.OrgID, 10)}
		if m.Primary {
			rel.RelationType = 1
		}
		d.UserOrgRelationList = append(d.UserOrgRelationList, rel)
	}
	return d
}
