package tenantv2

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

// userFields are the fields CreateUser and UpdateUser both take. Absent and
// null leave a field as it is (on create: its default).
type userFields struct {
	UserName            *string               `json:"user_name"`
	Mobile              *string               `json:"mobile"`
	OrgCode             *string               `json:"org_code"`
	Name                *string               `json:"name"`
	Email               *string               `json:"email"`
	EmployeeID          *string               `json:"employee_id"`
	FirstName           *string               `json:"first_name"`
	MiddleName          *string               `json:"middle_name"`
	LastName            *string               `json:"last_name"`
	PwdMustModify       *bool                 `json:"pwd_must_modify"`
	AttrGender          *string               `json:"attr_gender"`
	AttrBirthday        *string               `json:"attr_birthday"`
	AttrNickName        *string               `json:"attr_nick_name"`
	AttrIdentityType    *string               `json:"attr_identity_type"`
	AttrIdentityNumber  *string               `json:"attr_identity_number"`
	AttrArea            *string               `json:"attr_area"`
	AttrCity            *string               `json:"attr_city"`
	AttrManagerID       *string               `json:"attr_manager_id"`
	AttrUserType        *string               `json:"attr_user_type"`
	AttrHireDate        *string               `json:"attr_hire_date"`
	AttrWorkPlace       *string               `json:"attr_work_place"`
	UserOrgRelationList *[]orgRelationRequest `json:"user_org_relation_list"`
	Extension           map[string]any        `json:"extension"`
}

// createUserRequest is the body of POST /api/v2/tenant/users.
type createUserRequest struct {
	userFields
	Password *string `json:"password"`
}

// orgRelationRequest is one entry of user_org_relation_list in a request:
// the GET's UserOrgRelationListResult, relation_type 1 for the primary org.
type orgRelationRequest struct {
	OrgID        *string `json:"org_id"`
	RelationType *int    `json:"relation_type"`
}

// patch maps the fields onto a UserPatch, all but the orgs.
func (f *userFields) patch() (directory.UserPatch, error) {
	p := directory.UserPatch{
		Username: f.UserName, Phone: f.Mobile, Name: f.Name, Email: f.Email, EmployeeNumber: f.EmployeeID,
		MustChangePassword: f.PwdMustModify, NickName: f.AttrNickName, City: f.AttrCity,
		ProfilePatch: directory.ProfilePatch{
			GivenName: f.FirstName, MiddleName: f.MiddleName, FamilyName: f.LastName,
			Gender: f.AttrGender, Birthday: f.AttrBirthday, IdentityType: f.AttrIdentityType,
			IdentityNumber: f.AttrIdentityNumber, Area: f.AttrArea, UserType: f.AttrUserType,
			HireDate: f.AttrHireDate, WorkPlace: f.AttrWorkPlace,
		},
	}
	if f.Extension != nil {
		p.ReplaceExtension = f.Extension
	}
	if f.AttrManagerID != nil {
		var id int64
		if *f.AttrManagerID != "" {
			var err error
			if id, err = parseID("attr_manager_id", "a user id", *f.AttrManagerID); err != nil {
				return directory.UserPatch{}, err
			}
		}
		p.ManagerID = &id
	}
	return p, nil
}

// memberships works out the user's orgs from org_code and
// user_org_relation_list, given the orgs it has now (nil on create). The
// primary org is org_code's; without one, the list's relation_type 1
// entry's; without either, the current primary (on create: the tenant's
// first root org). A list given must hold the primary org. It returns nil
// when neither field is given on an update: the orgs stay.
func (a api) memberships(ctx context.Context, p directory.Principal, f *userFields, current []directory.Membership, create bool) (*[]directory.Membership, error) {
	if !create && (f.OrgCode == nil || *f.OrgCode == "") && f.UserOrgRelationList == nil {
		return nil, nil
	}
	var primary int64
	if f.OrgCode != nil && *f.OrgCode != "" {
		o, err := a.d.Service.OrgByCode(ctx, p, *f.OrgCode)
		if directory.KindOf(err) == directory.NotFound {
			return nil, directory.Errorf(directory.Invalid, "org_code", "no org of this tenant has code %q", *f.OrgCode)
		}
		if err != nil {
			return nil, err
		}
		primary = o.ID
	}
	var listed []directory.Membership
	if f.UserOrgRelationList != nil {
		if len(*f.UserOrgRelationList) > directory.MaxOrgsPerUser {
			return nil, directory.Errorf(directory.Invalid, "user_org_relation_list", "a user belongs to at most %d orgs", directory.MaxOrgsPerUser)
		}
		for i, r := range *f.UserOrgRelationList {
			field := fmt.Sprintf("user_org_relation_list[%d]", i)
			if r.OrgID == nil {
				return nil, directory.Errorf(directory.Invalid, field+".org_id", "is required")
			}
			id, err := parseID(field+".org_id", "an org id", *r.OrgID)
			if err != nil {
				return nil, err
			}
			m := directory.Membership{OrgID: id}
			if r.RelationType != nil {
				switch *r.RelationType {
				case 0:
				case 1:
					m.Primary = true
				default:
					return nil, directory.Errorf(directory.Invalid, field+".relation_type", "must be 1 (the primary org) or 0")
				}
			}
			listed = append(listed, m)
		}
	}
	if primary == 0 {
		for _, m := range listed {
			if m.Primary {
				primary = m.OrgID
			}
		}
	}
	if primary == 0 {
		for _, m := range current {
			if m.Primary {
				primary = m.OrgID
			}
		}
	}
	if primary == 0 && create {
		o, ok, err := a.d.Service.FirstRootOrg(ctx, p)
		if err != nil {
			return nil, err
		}
		if ok {
			primary = o.ID
		}
	}
	if f.UserOrgRelationList == nil {
		// org_code alone moves the primary; the other orgs stay.
		out := []directory.Membership{}
		if primary != 0 {
			out = append(out, directory.Membership{OrgID: primary, Primary: true})
		}
		for _, m := range current {
			if m.OrgID != primary {
				out = append(out, directory.Membership{OrgID: m.OrgID})
			}
		}
		return &out, nil
	}
	found := primary == 0
	out := make([]directory.Membership, len(listed))
	for i, m := range listed {
		if m.Primary && m.OrgID != primary {
			return nil, directory.Errorf(directory.Invalid, "user_org_relation_list", "org %d has relation_type 1 but the primary org is %d (org_code)", m.OrgID, primary)
		}
		out[i] = directory.Membership{OrgID: m.OrgID, Primary: m.OrgID == primary}
		found = found || m.OrgID == primary
	}
	if !found {
		return nil, directory.Errorf(directory.Invalid, "user_org_relation_list", "must include the primary org %d", primary)
	}
	return &out, nil
}

// checkMobile enforces the dialect's mobile rules: required unless the
// operator made it optional, and unique in the tenant.
func (a api) checkMobile(ctx context.Context, p directory.Principal, mobile *string, userID int64, create bool) error {
	if !a.cfg.MobileOptional && (create && mobile == nil || mobile != nil && *mobile == "") {
		return directory.Errorf(directory.Invalid, "mobile", "is required")
	}
	if mobile == nil {
		return nil
	}
	taken, err := a.d.Service.PhoneInUse(ctx, p, *mobile, userID)
	if err != nil {
		return err
	}
	if taken {
		e := directory.Violation(directory.Taken, "phone", nil)
		e.Message = strconv.Quote(*mobile) + " is taken by another user"
		return e
	}
	return nil
}

// createUser answers POST /api/v2/tenant/users: 201 {"user_id"}.
func (a api) createUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var body createUserRequest
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	if body.UserName == nil || *body.UserName == "" {
		return directory.Errorf(directory.Invalid, "user_name", "is required")
	}
	patch, err := body.patch()
	if err != nil {
		return err
	}
	if body.Name == nil || *body.Name == "" {
		patch.Name = body.UserName
	}
	if body.PwdMustModify == nil {
		yes := true
		patch.MustChangePassword = &yes
	}
	patch.Password = body.Password
	if err := a.checkMobile(r.Context(), p, body.Mobile, 0, true); err != nil {
		return err
	}
	if patch.Orgs, err = a.memberships(r.Context(), p, &body.userFields, nil, true); err != nil {
		return err
	}
	u, err := a.d.Service.CreateUser(r.Context(), p, directory.OriginAPI, patch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, userIDOf(u))
}

// updateUser answers PUT /api/v2/tenant/users/{user_id}: the fields given
// change (never the password), 200 {"user_id"}.
func (a api) updateUser(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseUserID(r.PathValue("user_id"))
	if err != nil {
		return err
	}
	var body userFields
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	patch, err := body.patch()
	if err != nil {
		return err
	}
	if body.UserName != nil && *body.UserName == "" {
		return directory.Errorf(directory.Invalid, "user_name", "must not be empty")
	}
	// The user is read first: another tenant's answers 404 before any
	// other check.
	u, err := a.d.Service.UpdateUserWith(r.Context(), p, id, func(u directory.User) (directory.UserPatch, error) {
		if err := a.checkMobile(r.Context(), p, body.Mobile, id, false); err != nil {
			return directory.UserPatch{}, err
		}
		orgs, err := a.memberships(r.Context(), p, &body, u.Orgs, false)
		patch.Orgs = orgs
		return patch, err
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, userIDOf(u))
}
