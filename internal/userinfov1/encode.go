package userinfov1

import (
	"io"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/jsonappend"
)

// flushBytes is how much of an answer writeSuccess gathers before writing
// it: a few large writes, and a small part of an answer of MaxUserIDs large
// users, which is megabytes.
const flushBytes = 32 << 10

// writeSuccess writes to w the 200 answer listing users,
// {"result":true,"mcode":"<mcodeSuccess>","data":[...]} with the userItem
// of each user, and a newline: byte for byte what json.Encoder writes for
// that object (wire_test.go checks it). It encodes into buf, writing it out
// whenever it holds flushBytes, so it holds about one item beyond that
// however large the answer; it returns buf, grown, for reuse, and the first
// error of w. A batch answer holds up to MaxUserIDs items, and encoding them
// through reflection cost a good part of what reading them did.
func writeSuccess(w io.Writer, buf []byte, users []directory.User) ([]byte, error) {
	b := append(buf[:0], `{"result":true,"mcode":"`+mcodeSuccess+`","data":[`...)
	var it userItem
	for i := range users {
		if i > 0 {
			b = append(b, ',')
		}
		it.fill(&users[i])
		b = it.appendJSON(b)
		if len(b) >= flushBytes {
			if _, err := w.Write(b); err != nil {
				return b, err
			}
			b = b[:0]
		}
	}
	b = append(b, "]}\n"...)
	_, err := w.Write(b)
	return b, err
}

// appendJSON appends it as json.Marshal would: the fields in order, those
// tagged omitempty left out when nil.
func (it *userItem) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, it.ID, 10)
	b = jsonappend.Member(b, `,"email":`, it.Email, true)
	b = appendIntField(b, `,"roleId":`, it.RoleID)
	b = appendIntField(b, `,"levelId":`, it.LevelID)
	b = appendIntField(b, `,"parentId":`, it.ParentID)
	b = jsonappend.Member(b, `,"entityNo":`, it.EntityNo, true)
	b = jsonappend.Member(b, `,"name":`, it.Name, true)
	b = jsonappend.Member(b, `,"address":`, it.Address, true)
	b = jsonappend.Member(b, `,"phone":{"countryCode":`, it.Phone.CountryCode, true)
	b = jsonappend.Member(b, `,"phone":`, it.Phone.Phone, true)
	b = append(b, '}')
	b = jsonappend.Member(b, `,"country":`, it.Country, true)
	b = jsonappend.Member(b, `,"province":`, it.Province, true)
	b = jsonappend.Member(b, `,"city":`, it.City, true)
	b = jsonappend.Member(b, `,"comment":`, it.Comment, true)
	b = appendIntField(b, `,"serverId":`, it.ServerID)
	b = appendIntField(b, `,"login":`, it.Login)
	if it.SendEmail != nil {
		b = append(b, `,"sendEmail":`...)
		b = strconv.AppendBool(b, *it.SendEmail)
	}
	return append(b, '}')
}

// appendIntField appends name and *n, or nothing when n is nil.
func appendIntField(b []byte, name string, n *int64) []byte {
	if n == nil {
		return b
	}
	return strconv.AppendInt(append(b, name...), *n, 10)
}
