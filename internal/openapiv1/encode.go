package openapiv1

import (
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/jsonappend"
	"github.com/userd/userd/internal/server"
)

// writeUserInfo answers 200 with u, byte for byte what writeJSON writes
// for it (encode_test.go checks), without reflection: a GET is mostly this
// answer, and encoding it through encoding/json was a good part of its CPU.
func writeUserInfo(w http.ResponseWriter, u *userInfo) error {
	return server.WriteAppended(w, http.StatusOK, "application/json", u.appendJSON)
}

// appendJSON appends u as a json.Encoder that does not escape HTML
// (server.WriteJSON's) writes it, without the newline. It never fails.
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
