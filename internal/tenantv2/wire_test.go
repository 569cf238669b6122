package tenantv2

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

func TestNewUserDetailTimes(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatalf("load zone: %v", err)
	}
	created := time.Date(2022, 4, 13, 8, 57, 36, 532_999_000, time.UTC)
	u := directory.User{ID: 7, Username: "zhangsan", CreatedAt: created, UpdatedAt: created.Add(time.Hour), Extension: map[string]any{}}
	tests := []struct {
		name string
		loc  *time.Location
		user directory.User
		want string
	}{
		{"utc", time.UTC, u,
			`{"user_id":"7","org_id":null,"user_name":"zhangsan","name":"","mobile":"","email":"","pwd_must_modify":false,"pwd_change_at":null,"created_at":"2022-04-13 08:57:36.532","updated_at":"2022-04-13 09:57:36.532","disabled":true,"grade":0,"locked":false,"extension":{},"user_org_relation_list":[],"employee_id":"","first_name":"","middle_name":"","last_name":"","attr_gender":"","attr_birthday":"","attr_nick_name":"","attr_identity_type":"","attr_identity_number":"","attr_area":"","attr_city":"","attr_manager_id":null,"attr_user_type":"","attr_hire_date":"","attr_work_place":""}`},
		{"shanghai with password and orgs", shanghai, func() directory.User {
			v := u
			v.Active = true
			v.PasswordChangedAt = created.Add(2 * time.Hour)
			v.Orgs = []directory.Membership{{OrgID: 5}, {OrgID: 3, Primary: true}}
			return v
		}(),
			`{"user_id":"7","org_id":"3","user_name":"zhangsan","name":"","mobile":"","email":"","pwd_must_modify":false,"pwd_change_at":"2022-04-13 18:57:36.532","created_at":"2022-04-13 16:57:36.532","updated_at":"2022-04-13 17:57:36.532","disabled":false,"grade":0,"locked":false,"extension":{},"user_org_relation_list":[{"org_id":"5","relation_type":0},{"org_id":"3","relation_type":1}],"employee_id":"","first_name":"","middle_name":"","last_name":"","attr_gender":"","attr_birthday":"","attr_nick_name":"","attr_identity_type":"","attr_identity_number":"","attr_area":"","attr_city":"","attr_manager_id":null,"attr_user_type":"","attr_hire_date":"","attr_work_place":""}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(newUserDetail(tt.user, tt.loc))
			if err != nil {
				t.Fatalf("marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
