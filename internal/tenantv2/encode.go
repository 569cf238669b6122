package tenantv2

import (
	"slices"
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/jsonappend"
)

// appendUserList appends the 200 body of GET /api/v2/tenant/users,
// {"total":N,"users":[...]} with each user as the GET answers it, as
// encoding/json writes it (encode_test.go checks). A page of 100 users
// spent a tenth of its CPU encoding them through reflection.
func appendUserList(b []byte, total int64, users []directory.User, loc *time.Location) ([]byte, error) {
	// About a kilobyte a user: one allocation rather than the doubling
	// appends would do.
	b = slices.Grow(b, 1024*len(users))
	b = strconv.AppendInt(append(b, `{"total":`...), total, 10)
	b = append(b, `,"users":[`...)
	for i := range users {
		if i > 0 {
			b = append(b, ',')
		}
		d := newUserDetail(users[i], loc)
		var err error
		if b, err = d.appendJSON(b); err != nil {
			return b, err
		}
	}
	return append(b, "]}"...), nil
}

// appendJSON appends d as a json.Encoder that does not escape HTML
// (server.WriteJSON's) writes it, without the newline; encode_test.go
// checks it byte for byte. Only an extension encoding/json cannot encode
// fails. A GET is mostly this answer, and encoding it through reflection
// was a good part of its CPU.
func (d *userDetail) appendJSON(b []byte) ([]byte, error) {
	b = jsonappend.Member(b, `{"user_id":`, d.UserID, false)
	b = jsonappend.NullableMember(b, `,"org_id":`, d.OrgID, false)
	b = jsonappend.Member(b, `,"user_name":`, d.UserName, false)
	b = jsonappend.Member(b, `,"name":`, d.Name, false)
	b = jsonappend.Member(b, `,"mobile":`, d.Mobile, false)
	b = jsonappend.Member(b, `,"email":`, d.Email, false)
	b = strconv.AppendBool(append(b, `,"pwd_must_modify":`...), d.PwdMustModify)
	b = jsonappend.NullableMember(b, `,"pwd_change_at":`, d.PwdChangeAt, false)
	b = jsonappend.Member(b, `,"created_at":`, d.CreatedAt, false)
	b = jsonappend.Member(b, `,"updated_at":`, d.UpdatedAt, false)
	b = strconv.AppendBool(append(b, `,"disabled":`...), d.Disabled)
	b = strconv.AppendInt(append(b, `,"grade":`...), int64(d.Grade), 10)
	b = strconv.AppendBool(append(b, `,"locked":`...), d.Locked)
	b, err := jsonappend.Object(append(b, `,"extension":`...), d.Extension, false)
	if err != nil {
		return b, err
	}
	if d.UserOrgRelationList == nil {
		b = append(b, `,"user_org_relation_list":null`...)
	} else {
		b = append(b, `,"user_org_relation_list":[`...)
		for i, rel := range d.UserOrgRelationList {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonappend.Member(b, `{"org_id":`, rel.OrgID, false)
			b = strconv.AppendInt(append(b, `,"relation_type":`...), int64(rel.RelationType), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = jsonappend.Member(b, `,"employee_id":`, d.EmployeeID, false)
	b = jsonappend.Member(b, `,"first_name":`, d.FirstName, false)
	b = jsonappend.Member(b, `,"middle_name":`, d.MiddleName, false)
	b = jsonappend.Member(b, `,"last_name":`, d.LastName, false)
	b = jsonappend.Member(b, `,"attr_gender":`, d.AttrGender, false)
	b = jsonappend.Member(b, `,"attr_birthday":`, d.AttrBirthday, false)
	b = jsonappend.Member(b, `,"attr_nick_name":`, d.AttrNickName, false)
	b = jsonappend.Member(b, `,"attr_identity_type":`, d.AttrIdentityType, false)
	b = jsonappend.Member(b, `,"attr_identity_number":`, d.AttrIdentityNumber, false)
	b = jsonappend.Member(b, `,"attr_area":`, d.AttrArea, false)
	b = jsonappend.Member(b, `,"attr_city":`, d.AttrCity, false)
	b = jsonappend.NullableMember(b, `,"attr_manager_id":`, d.AttrManagerID, false)
	b = jsonappend.Member(b, `,"attr_user_type":`, d.AttrUserType, false)
	b = jsonappend.Member(b, `,"attr_hire_date":`, d.AttrHireDate, false)
	b = jsonappend.Member(b, `,"attr_work_place":`, d.AttrWorkPlace, false)
	return append(b, '}'), nil
}
