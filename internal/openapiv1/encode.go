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
func writeUserInfo(w http.ResponseWriter, u *userInfo) {
	b := u.appendJSON(make([]byte, 0, 512))
	server.WriteBody(w, http.StatusOK, "application/json", append(b, '\n'))
}

// appendJSON appends u as a json.Encoder that does not escape HTML
// (server.WriteJSON's) writes it, without the newline.
func (u *userInfo) appendJSON(b []byte) []byte {
	b = strconv.AppendInt(append(b, `{"user_id":`...), u.UserID, 10)
	b = appendNullable(append(b, `,"email":`...), u.Email)
	b = jsonappend.String(append(b, `,"nick_name":`...), u.NickName, false)
	b = appendNullable(append(b, `,"phone":`...), u.Phone)
	b = strconv.AppendBool(append(b, `,"is_active":`...), u.IsActive)
	b = appendNullable(append(b, `,"origion":`...), u.Origion)
	b = jsonappend.String(append(b, `,"create_time":`...), u.CreateTime, false)
	b = appendNullable(append(b, `,"client_ip":`...), u.ClientIP)
	b = jsonappend.String(append(b, `,"enterprise_id":`...), u.EnterpriseID, false)
	return append(b, '}')
}

// appendNullable appends *s, or null when s is nil.
func appendNullable(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return jsonappend.String(b, *s, false)
}
