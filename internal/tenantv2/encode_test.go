package tenantv2

import (
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
