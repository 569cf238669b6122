package openapiv1

import (
	"strconv"

	"github.com/userd/userd/internal/jsonappend"
)

// appendJSON appends u as a json.Encoder that does not escape HTML
// (server.WriteJSON's) writes it, without the newline; encode_test.go
// checks it byte for byte. It never fails. A GET is mostly this answer,
// and encoding it through reflection was a good part of its CPU.
func (u *userInfo) appendJSON(b []byte) ([]byte, error) {
	b = strconv.AppendInt(append(b, `{"user_id":`...), u.UserID, 10)
	b = jsonappend.NullableMember(b, `,"email":`, u.Email, false)
	b = jsonappend.Member(b, `,"nick_name":`, u.NickName, false)
	b = jsonappend.NullableMember(b, `,"phone":`, u.Phone, false)
	b = strconv.AppendBool(append(b, `,"is_active":`...), u.IsActive)
	b = jsonappend.NullableMember(b, `,"origion":`, u.Origion, false)
	b = jsonappend.Member(b, `,"create_time":`, u.CreateTime, false)
	b = jsonappend.NullableMember(b, `,"client_ip":`, u.ClientIP, false)
	b = jsonappend.Member(b, `,"enterprise_id":`, u.EnterpriseID, false)
	return append(b, '}'), nil
}
