package tenantv2

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
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

// TestAccountViewSameBytes checks that ListUsers and the by-username call,
// which read users as a directory.AccountView, answer the same bytes as
// from the whole user, on awkward and random users.
func TestAccountViewSameBytes(t *testing.T) {
	users := dialecttest.AwkwardUsers()
	r := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		users = append(users, dialecttest.RandomUser(r))
	}
	loc := time.FixedZone("CST", 8*3600)
	narrow := make([]directory.User, len(users))
	for i, u := range users {
		narrow[i] = directory.AccountView.Of(u)
		d, n := newUserDetail(u, loc), newUserDetail(narrow[i], loc)
		want, err := d.appendJSON(nil)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := n.appendJSON(nil); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("user %d: from the account view\n%s (%v)\nfrom the whole user\n%s", u.ID, got, err, want)
		}
	}
	want, err := appendUserList(nil, 7, users, loc)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := appendUserList(nil, 7, narrow, loc); err != nil || !bytes.Equal(got, want) {
		t.Errorf("a page from the account view differs from the page from whole users (%v)", err)
	}
}
