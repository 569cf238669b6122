package openapiv1

import (
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/jsonappend"
)

// appendUserInfo appends u as the UserInfo model of seed 000, as a
// json.Encoder that does not escape HTML (server.WriteJSON's) writes it,
// without the newline; encode_test.go checks it byte for byte against
// encoding/json. The key "origion" is spelled as in the seed's example
// because existing clients read that key; the fields the seed marks
// nullable are null when empty. A GET is mostly this answer, so it is
// written straight from the user, with no wire struct, pointer or time
// string allocated between.
func appendUserInfo(b []byte, u *directory.Brief) []byte {
	b = strconv.AppendInt(append(b, `{"user_id":`...), u.ID, 10)
	b = nullableMember(b, `,"email":`, u.Email)
	b = jsonappend.Member(b, `,"nick_name":`, u.NickName, false)
	b = nullableMember(b, `,"phone":`, u.Phone)
	b = strconv.AppendBool(append(b, `,"is_active":`...), u.Active)
	b = nullableMember(b, `,"origion":`, u.Origin)
	// A time in RFC 3339 is digits, '-', '+', ':', 'T' and 'Z': nothing
	// JSON escapes.
	b = u.CreatedAt.UTC().AppendFormat(append(b, `,"create_time":"`...), time.RFC3339)
	b = nullableMember(append(b, '"'), `,"client_ip":`, u.ClientIP)
	b = jsonappend.Member(b, `,"enterprise_id":`, u.EnterpriseID, false)
	return append(b, '}')
}

// nullableMember appends name and s as jsonappend.Member does, or name and
// null when s is empty.
func nullableMember(b []byte, name, s string) []byte {
	if s == "" {
		return append(append(b, name...), "null"...)
	}
	return jsonappend.Member(b, name, s, false)
}
