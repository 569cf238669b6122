package tenantv2

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// userDetailEncoder is the GET's encoder, with times in loc, against
// what encoding/json wrote before.
func userDetailEncoder(loc *time.Location) dialecttest.Encoder {
	return dialecttest.Encoder{
		Wire: func(u directory.User) any { return newUserDetail(u, loc) },
		Append: func(b []byte, u directory.User) ([]byte, error) {
			d := newUserDetail(u, loc)
			return d.appendJSON(b)
		},
	}
}

// TestUserDetailMatchesEncodingJSON checks the hand-written encoder against
// encoding/json, which wrote this answer before.
func TestUserDetailMatchesEncodingJSON(t *testing.T) {
	for _, loc := range []*time.Location{time.UTC, time.FixedZone("CST", 8*3600)} {
		dialecttest.CheckEncoderOnUsers(t, userDetailEncoder(loc))
	}
	d := userDetail{} // every list and pointer nil
	want := `{"user_id":"","org_id":null,"user_name":"","name":"","mobile":"","email":"","pwd_must_modify":false,"pwd_change_at":null,"created_at":"","updated_at":"","disabled":false,"grade":0,"locked":false,"extension":{},"user_org_relation_list":null,"employee_id":"","first_name":"","middle_name":"","last_name":"","attr_gender":"","attr_birthday":"","attr_nick_name":"","attr_identity_type":"","attr_identity_number":"","attr_area":"","attr_city":"","attr_manager_id":null,"attr_user_type":"","attr_hire_date":"","attr_work_place":""}`
	if got, err := d.appendJSON(nil); err != nil || string(got) != want {
		t.Errorf("empty userDetail: got %s (%v), want %s", got, err, want)
	}
}

func FuzzUserDetail(f *testing.F) { dialecttest.FuzzEncoder(f, userDetailEncoder(time.UTC)) }

// TestUserListMatchesEncodingJSON checks ListUsers' encoder against
// encoding/json's encoding of the body it wrote before, on an empty page,
// a page of one user and pages of many awkward ones.
func TestUserListMatchesEncodingJSON(t *testing.T) {
	type userList struct {
		Total int64        `json:"total"`
		Users []userDetail `json:"users"`
	}
	all := dialecttest.AwkwardUsers()
	for _, users := range [][]directory.User{{}, all[:1], all[:100], all} {
		loc := time.FixedZone("CST", 8*3600)
		wire := userList{Total: int64(len(all)) * 7, Users: make([]userDetail, len(users))}
		for i, u := range users {
			wire.Users[i] = newUserDetail(u, loc)
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(wire); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		got, err := appendUserList([]byte("prefix"), wire.Total, users, loc)
		if err != nil || !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("page of %d users: the encoder wrote\n%s (%v)\nencoding/json writes\n%s", len(users), got, err, want)
		}
	}
}
