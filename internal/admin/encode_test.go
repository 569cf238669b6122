package admin

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// userEncoder is the GET's and the list's encoder against what
// encoding/json wrote before.
var userEncoder = dialecttest.Encoder{
	Wire: func(u directory.User) any { return toUserJSON(u) },
	Append: func(b []byte, u directory.User) ([]byte, error) {
		return userWire(u).(jsonAppender).appendJSON(b)
	},
}

// TestUserJSONMatchesEncodingJSON checks the hand-written encoder against
// encoding/json, which wrote this answer before.
func TestUserJSONMatchesEncodingJSON(t *testing.T) {
	dialecttest.CheckEncoderOnUsers(t, userEncoder)
	var u userJSON // every list and pointer nil
	want := `{"id":0,"tenant_id":0,"username":"","name":"","nick_name":"","email":null,"phone":"","phone_country_code":"","active":false,"locked":false,"must_change_password":false,"password_changed_at":null,"origin":"","client_ip":"","enterprise_id":"","grade":0,"employee_number":"","manager_id":null,"address":"","city":"","province":"","country":"","comment":"","external_id":null,"given_name":"","middle_name":"","family_name":"","honorific_prefix":"","honorific_suffix":"","display_name":"","title":"","user_type":"","preferred_language":"","locale":"","timezone":"","profile_url":"","email_type":"","phone_type":"","other_emails":null,"other_phones":null,"postal_code":"","address_type":"","organization":"","division":"","department":"","cost_center":"","gender":"","birthday":null,"identity_type":"","identity_number":"","area":"","hire_date":null,"work_place":"","extension":{},"orgs":null,"created_at":"","updated_at":"","version":0}`
	if got, err := u.appendJSON(nil); err != nil || string(got) != want {
		t.Errorf("empty userJSON: got %s (%v), want %s", got, err, want)
	}
}

func FuzzUserJSON(f *testing.F) { dialecttest.FuzzEncoder(f, userEncoder) }
