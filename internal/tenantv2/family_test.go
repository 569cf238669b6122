package tenantv2_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/tenantv2"
)

// family is the Env of the family's golden tests: dialecttest's, plus orgs
// Platform (under Engineering) and Infra (under Platform) in tenant acme
// and Globex HQ in tenant globex. Ids: Engineering 1, Research 2, Platform
// 3, Infra 4, Globex HQ 5; users Ada 1, Bob 2, Carol 3 (globex).
func family(t *testing.T) *dialecttest.Env {
	t.Helper()
	e := dialecttest.New(t)
	ctx := context.Background()
	mk := func(p directory.Principal, name, code string, parent int64) directory.Org {
		o, err := e.Service.CreateOrg(ctx, p, directory.OrgPatch{Name: &name, Code: &code, ParentID: &parent})
		if err != nil {
			t.Fatalf("create org %s: %v", name, err)
		}
		return o
	}
	platform := mk(e.Principal(), "Platform", "platform", e.Eng.ID)
	mk(e.Principal(), "Infra", "infra", platform.ID)
	mk(directory.System(e.Other.ID), "Globex HQ", "hq", 0)
	return e
}

// snapshot is everything a call of the family could change: every user
// and org of both tenants.
func snapshot(t *testing.T, e *dialecttest.Env) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, tenant := range []int64{e.Tenant.ID, e.Other.ID} {
		p := directory.System(tenant)
		users, _, err := e.Service.ListUsers(ctx, p, directory.UserFilter{Limit: 100})
		if err != nil {
			t.Fatalf("list users: %v", err)
		}
		orgs, _, err := e.Service.ListOrgs(ctx, p, directory.OrgFilter{Limit: 100})
		if err != nil {
			t.Fatalf("list orgs: %v", err)
		}
		for _, v := range []any{users, orgs} {
			j, _ := json.Marshal(v)
			b.Write(j)
		}
	}
	return b.String()
}

func bearer(name string) []string { return []string{"Authorization: Bearer {{" + name + "}}"} }

func bearerJSON(name string) []string {
	return []string{"Authorization: Bearer {{" + name + "}}", "Content-Type: application/json"}
}

// TestFamilyReadGolden covers the calls that change nothing, on one Env.
func TestFamilyReadGolden(t *testing.T) {
	e := family(t)
	h := handler(e, e.Authn, tenantv2.Config{})
	tests := []dialecttest.Exchange{
		{Name: "list_users_ok", Method: "GET", Target: "/api/v2/tenant/users?org_id=&offset=0&limit=10", Header: bearer("ro")},
		{Name: "list_users_ok_defaults", Method: "GET", Target: "/api/v2/tenant/users", Header: bearer("access")},
		{Name: "list_users_ok_second_page", Method: "GET", Target: "/api/v2/tenant/users?offset=1&limit=1", Header: bearer("ro")},
		{Name: "list_users_ok_org", Method: "GET", Target: "/api/v2/tenant/users?org_id=1&offset=0&limit=10", Header: bearer("ro")},
		{Name: "list_users_ok_past_end", Method: "GET", Target: "/api/v2/tenant/users?offset=5&limit=10", Header: bearer("ro")},
		{Name: "list_users_ok_other_tenant", Method: "GET", Target: "/api/v2/tenant/users?offset=0&limit=10", Header: bearer("other")},
		{Name: "list_users_400_limit_zero", Method: "GET", Target: "/api/v2/tenant/users?offset=0&limit=0", Header: bearer("ro")},
		{Name: "list_users_400_limit_101", Method: "GET", Target: "/api/v2/tenant/users?offset=0&limit=101", Header: bearer("ro")},
		{Name: "list_users_400_offset_negative", Method: "GET", Target: "/api/v2/tenant/users?offset=-1&limit=10", Header: bearer("ro")},
		{Name: "list_users_400_offset_text", Method: "GET", Target: "/api/v2/tenant/users?offset=first&limit=10", Header: bearer("ro")},
		{Name: "list_users_400_offset_too_deep", Method: "GET", Target: "/api/v2/tenant/users?offset=1000001&limit=10", Header: bearer("ro")},
		{Name: "list_users_400_unknown_parameter", Method: "GET", Target: "/api/v2/tenant/users?page=1", Header: bearer("ro")},
		{Name: "list_users_400_repeated_parameter", Method: "GET", Target: "/api/v2/tenant/users?limit=10&limit=20", Header: bearer("ro")},
		{Name: "list_users_400_org_id", Method: "GET", Target: "/api/v2/tenant/users?org_id=eng", Header: bearer("ro")},
		{Name: "list_users_404_org_missing", Method: "GET", Target: "/api/v2/tenant/users?org_id=999", Header: bearer("ro")},
		{Name: "list_users_404_org_other_tenant", Method: "GET", Target: "/api/v2/tenant/users?org_id=5", Header: bearer("ro")},
		{Name: "list_users_401", Method: "GET", Target: "/api/v2/tenant/users"},
		{Name: "list_users_403", Method: "GET", Target: "/api/v2/tenant/users", Header: bearer("admin")},

		{Name: "by_username_ok", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"ada"}`},
		{Name: "by_username_ok_case", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"BOB"}`},
		{Name: "by_username_404", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"ad"}`},
		{Name: "by_username_404_other_tenant", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"carol"}`},
		{Name: "by_username_404_not_a_username", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"a%"}`},
		{Name: "by_username_400_missing", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{}`},
		{Name: "by_username_400_empty", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":""}`},
		{Name: "by_username_400_unknown_field", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"ada","mobile":"5550100"}`},
		{Name: "by_username_400_type", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":1}`},
		{Name: "by_username_400_not_json", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `user_name=ada`},
		{Name: "by_username_401", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Body: `{"user_name":"ada"}`},
		{Name: "by_username_403", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("admin"), Body: `{"user_name":"ada"}`},

		{Name: "org_get_ok", Method: "GET", Target: "/api/v2/tenant/organizations/3", Header: bearer("ro")},
		{Name: "org_get_ok_root_admin", Method: "GET", Target: "/api/v2/tenant/organizations/1", Header: bearer("admin")},
		{Name: "org_get_404_missing", Method: "GET", Target: "/api/v2/tenant/organizations/999", Header: bearer("ro")},
		{Name: "org_get_404_other_tenant", Method: "GET", Target: "/api/v2/tenant/organizations/5", Header: bearer("ro")},
		{Name: "org_get_400_not_numeric", Method: "GET", Target: "/api/v2/tenant/organizations/eng", Header: bearer("ro")},
		{Name: "org_get_401", Method: "GET", Target: "/api/v2/tenant/organizations/1", Header: bearer("revoked")},

		{Name: "orgs_list_roots", Method: "GET", Target: "/api/v2/tenant/organizations?org_id=&all_child=false&offset=0&limit=10", Header: bearer("ro")},
		{Name: "orgs_list_all_but_roots", Method: "GET", Target: "/api/v2/tenant/organizations?org_id=&all_child=true&offset=0&limit=10", Header: bearer("ro")},
		{Name: "orgs_list_org_and_children", Method: "GET", Target: "/api/v2/tenant/organizations?org_id=1&all_child=false&offset=0&limit=10", Header: bearer("ro")},
		{Name: "orgs_list_org_and_all_below", Method: "GET", Target: "/api/v2/tenant/organizations?org_id=1&all_child=true&offset=0&limit=10", Header: bearer("admin")},
		{Name: "orgs_list_second_page", Method: "GET", Target: "/api/v2/tenant/organizations?org_id=1&all_child=true&offset=1&limit=2", Header: bearer("ro")},
		{Name: "orgs_list_defaults", Method: "GET", Target: "/api/v2/tenant/organizations", Header: bearer("ro")},
		{Name: "orgs_list_400_all_child", Method: "GET", Target: "/api/v2/tenant/organizations?all_child=yes", Header: bearer("ro")},
		{Name: "orgs_list_400_limit", Method: "GET", Target: "/api/v2/tenant/organizations?limit=1000", Header: bearer("ro")},
		{Name: "orgs_list_400_unknown_parameter", Method: "GET", Target: "/api/v2/tenant/organizations?updated_at_greater=2024-01-01", Header: bearer("ro")},
		{Name: "orgs_list_404_other_tenant", Method: "GET", Target: "/api/v2/tenant/organizations?org_id=5&all_child=true", Header: bearer("ro")},
		{Name: "orgs_list_401", Method: "GET", Target: "/api/v2/tenant/organizations", Header: bearer("expired")},
	}
	before := snapshot(t, e)
	for _, x := range tests {
		t.Run(x.Name, func(t *testing.T) {
			e.Golden(t, h, x, *update, maskTimes(time.UTC))
		})
	}
	if after := snapshot(t, e); after != before {
		t.Errorf("the read calls changed the directory:\nbefore %s\nafter  %s", before, after)
	}
	t.Run("by_username_413", func(t *testing.T) {
		d := e.Deps()
		d.MaxBodyBytes = 32
		mux := http.NewServeMux()
		tenantv2.Routes(mux, d, tenantv2.Config{})
		x := dialecttest.Exchange{Name: "by_username_413", Method: "POST", Target: "/api/v2/tenant/users/user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"` + strings.Repeat("a", 40) + `"}`}
		e.Golden(t, mux, x, *update, nil)
	})
}

// change is a golden exchange that may change the directory, run on an
// Env of its own. An exchange answered with an error must change nothing;
// check, if set, looks at what a success changed.
type change struct {
	x     dialecttest.Exchange
	check func(t *testing.T, e *dialecttest.Env)
	// then, if set, is a second golden exchange that reads the result.
	then *dialecttest.Exchange
}

// fullUser is a CreateUser body with every field set.
const fullUser = `{"user_name":"zhangsan","password":"correct horse battery","mobile":"12345678901","org_code":"research",` +
	`"name":"Zhang San","email":"zhangsan@example.com","employee_id":"E100","first_name":"San","middle_name":"M","last_name":"Zhang",` +
	`"pwd_must_modify":false,"attr_gender":"male","attr_birthday":"1990-04-30","attr_nick_name":"zs","attr_identity_type":"passport",` +
	`"attr_identity_number":"E12345678","attr_area":"CN","attr_city":"Shenzhen","attr_manager_id":"1","attr_user_type":"regular",` +
	`"attr_hire_date":"2020-07-01","attr_work_place":"Bantian","user_org_relation_list":[{"org_id":"2","relation_type":1},{"org_id":"3","relation_type":0}],` +
	`"extension":{"role_id":2,"tags":["a","b"]}}`

// TestFamilyWriteGolden covers the calls that change the directory, each
// on a fresh Env.
func TestFamilyWriteGolden(t *testing.T) {
	ctx := context.Background()
	userGone := func(id int64) func(t *testing.T, e *dialecttest.Env) {
		return func(t *testing.T, e *dialecttest.Env) {
			if _, err := e.Service.User(ctx, e.Principal(), id); directory.KindOf(err) != directory.NotFound {
				t.Errorf("user %d after delete: %v, want not found", id, err)
			}
		}
	}
	active := func(id int64, want bool) func(t *testing.T, e *dialecttest.Env) {
		return func(t *testing.T, e *dialecttest.Env) {
			u, err := e.Service.User(ctx, e.Principal(), id)
			if err != nil || u.Active != want {
				t.Errorf("user %d active = %v (%v), want %v", id, u.Active, err, want)
			}
		}
	}
	password := func(id int64, pw string, mustChange bool) func(t *testing.T, e *dialecttest.Env) {
		return func(t *testing.T, e *dialecttest.Env) {
			u, err := e.Service.User(ctx, e.Principal(), id)
			if err != nil {
				t.Fatalf("read user: %v", err)
			}
			h, _ := auth.NewHasher(auth.HashParams{}, 0)
			if ok, err := h.VerifyPassword(ctx, pw, u.PasswordHash); !ok || err != nil {
				t.Errorf("password %q does not verify after the change (%v)", pw, err)
			}
			if u.MustChangePassword != mustChange {
				t.Errorf("must change password = %v, want %v", u.MustChangePassword, mustChange)
			}
		}
	}
	org := func(id int64, want string) func(t *testing.T, e *dialecttest.Env) {
		return func(t *testing.T, e *dialecttest.Env) {
			o, err := e.Service.Org(ctx, e.Principal(), id)
			got := fmt.Sprintf("%s %s %d", o.Name, o.Code, o.ParentID)
			if err != nil || got != want {
				t.Errorf("org %d = %q (%v), want %q", id, got, err, want)
			}
		}
	}
	orgGone := func(id int64) func(t *testing.T, e *dialecttest.Env) {
		return func(t *testing.T, e *dialecttest.Env) {
			if _, err := e.Service.Org(ctx, e.Principal(), id); directory.KindOf(err) != directory.NotFound {
				t.Errorf("org %d after delete: %v, want not found", id, err)
			}
		}
	}
	const (
		users = "/api/v2/tenant/users/"
		orgs  = "/api/v2/tenant/organizations"
	)
	tests := []change{
		{x: dialecttest.Exchange{Name: "delete_user_ok", Method: "DELETE", Target: users + "2", Header: bearer("rw")}, check: userGone(2)},
		{x: dialecttest.Exchange{Name: "delete_user_404_missing", Method: "DELETE", Target: users + "999", Header: bearer("rw")}},
		{x: dialecttest.Exchange{Name: "delete_user_404_other_tenant", Method: "DELETE", Target: users + "3", Header: bearer("rw")}},
		{x: dialecttest.Exchange{Name: "delete_user_400_id", Method: "DELETE", Target: users + "0", Header: bearer("rw")}},
		{x: dialecttest.Exchange{Name: "delete_user_401", Method: "DELETE", Target: users + "2"}},
		{x: dialecttest.Exchange{Name: "delete_user_403", Method: "DELETE", Target: users + "2", Header: bearer("ro")}},

		{x: dialecttest.Exchange{Name: "disable_ok", Method: "PUT", Target: users + "1/disable", Header: bearer("rw")}, check: active(1, false)},
		{x: dialecttest.Exchange{Name: "enable_ok", Method: "PUT", Target: users + "2/enable", Header: bearerJSON("rw"), Body: `{}`}, check: active(2, true)},
		{x: dialecttest.Exchange{Name: "enable_ok_already", Method: "PUT", Target: users + "1/enable", Header: bearer("rw")}, check: active(1, true)},
		{x: dialecttest.Exchange{Name: "disable_400_body", Method: "PUT", Target: users + "1/disable", Header: bearerJSON("rw"), Body: `{"disabled":true}`}},
		{x: dialecttest.Exchange{Name: "disable_404_other_tenant", Method: "PUT", Target: users + "3/disable", Header: bearer("rw")}},
		{x: dialecttest.Exchange{Name: "enable_403", Method: "PUT", Target: users + "2/enable", Header: bearer("ro")}},

		{x: dialecttest.Exchange{Name: "change_password_ok", Method: "PUT", Target: users + "2/change-password", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","pwd_must_modify":true}`}, check: password(2, "new horse battery", true)},
		{x: dialecttest.Exchange{Name: "change_password_ok_flag_kept", Method: "PUT", Target: users + "1/change-password", Header: bearerJSON("rw"), Body: `{"password":"new horse battery"}`}, check: password(1, "new horse battery", true)},
		{x: dialecttest.Exchange{Name: "change_password_400_short", Method: "PUT", Target: users + "1/change-password", Header: bearerJSON("rw"), Body: `{"password":"short"}`}},
		{x: dialecttest.Exchange{Name: "change_password_400_missing", Method: "PUT", Target: users + "1/change-password", Header: bearerJSON("rw"), Body: `{"pwd_must_modify":false}`}},
		{x: dialecttest.Exchange{Name: "change_password_400_unknown_field", Method: "PUT", Target: users + "1/change-password", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","old_password":"correct horse battery"}`}},
		{x: dialecttest.Exchange{Name: "change_password_400_type", Method: "PUT", Target: users + "1/change-password", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","pwd_must_modify":"yes"}`}},
		{x: dialecttest.Exchange{Name: "change_password_404_other_tenant", Method: "PUT", Target: users + "3/change-password", Header: bearerJSON("rw"), Body: `{"password":"new horse battery"}`}},
		{x: dialecttest.Exchange{Name: "change_password_403", Method: "PUT", Target: users + "1/change-password", Header: bearerJSON("ro"), Body: `{"password":"new horse battery"}`}},

		{x: dialecttest.Exchange{Name: "verify_ok", Method: "PUT", Target: users + "1/change-password-verify", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","old_password":"correct horse battery"}`}, check: password(1, "new horse battery", true)},
		{x: dialecttest.Exchange{Name: "verify_400_wrong_old_password", Method: "PUT", Target: users + "1/change-password-verify", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","old_password":"wrong horse battery"}`}},
		{x: dialecttest.Exchange{Name: "verify_429_locked", Method: "PUT", Target: users + "2/change-password-verify", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","old_password":""}`}},
		{x: dialecttest.Exchange{Name: "verify_400_missing_old_password", Method: "PUT", Target: users + "1/change-password-verify", Header: bearerJSON("rw"), Body: `{"password":"new horse battery"}`}},
		{x: dialecttest.Exchange{Name: "verify_400_new_password_short", Method: "PUT", Target: users + "1/change-password-verify", Header: bearerJSON("rw"), Body: `{"password":"short","old_password":"correct horse battery"}`}},
		{x: dialecttest.Exchange{Name: "verify_404_other_tenant", Method: "PUT", Target: users + "3/change-password-verify", Header: bearerJSON("rw"), Body: `{"password":"new horse battery","old_password":"x"}`}},

		{x: dialecttest.Exchange{Name: "user_create_ok", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: fullUser},
			then: &dialecttest.Exchange{Name: "user_create_ok_read", Method: "GET", Target: users + "4", Header: bearer("ro")}},
		{x: dialecttest.Exchange{Name: "user_create_ok_minimal", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000"}`},
			then: &dialecttest.Exchange{Name: "user_create_ok_minimal_read", Method: "POST", Target: users + "user-by-username", Header: bearerJSON("ro"), Body: `{"user_name":"lisi"}`}},
		{x: dialecttest.Exchange{Name: "user_create_ok_relation_primary", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","user_org_relation_list":[{"org_id":"3"},{"org_id":"4","relation_type":1}]}`},
			then: &dialecttest.Exchange{Name: "user_create_ok_relation_primary_read", Method: "GET", Target: users + "4", Header: bearer("ro")}},
		{x: dialecttest.Exchange{Name: "user_create_400_user_name_missing", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"mobile":"13800000000"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_mobile_missing", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_user_name_taken", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"ADA","mobile":"13800000000"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_mobile_taken", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"5550100"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_email_taken", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","email":"ada@example.com"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_org_code_missing", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","org_code":"nope"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_org_code_other_tenant", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","org_code":"hq"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_relation_without_primary", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","org_code":"eng","user_org_relation_list":[{"org_id":"2","relation_type":0}]}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_relation_other_primary", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","org_code":"eng","user_org_relation_list":[{"org_id":"1"},{"org_id":"2","relation_type":1}]}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_relation_other_tenant_org", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","user_org_relation_list":[{"org_id":"5","relation_type":1}]}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_relation_type", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","user_org_relation_list":[{"org_id":"1","relation_type":2}]}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_relation_org_id_missing", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","user_org_relation_list":[{"relation_type":1}]}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_bad_date", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","attr_birthday":"1990-02-30"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_name_too_long", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","name":"` + strings.Repeat("n", 257) + `"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_unknown_field", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","nickname":"ls"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_wrong_type", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":13800000000}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_manager_other_tenant", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","attr_manager_id":"3"}`}},
		{x: dialecttest.Exchange{Name: "user_create_400_password_short", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"13800000000","password":"short"}`}},
		{x: dialecttest.Exchange{Name: "user_create_401", Method: "POST", Target: "/api/v2/tenant/users", Header: []string{"Content-Type: application/json"}, Body: `{"user_name":"lisi","mobile":"13800000000"}`}},
		{x: dialecttest.Exchange{Name: "user_create_403", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("ro"), Body: `{"user_name":"lisi","mobile":"13800000000"}`}},

		{x: dialecttest.Exchange{Name: "user_update_ok", Method: "PUT", Target: users + "2", Header: bearerJSON("rw"), Body: `{"mobile":"13900000000","org_code":"eng","first_name":"Bob","attr_work_place":"Remote","attr_hire_date":"2021-03-01","extension":{"team":"red"}}`},
			then: &dialecttest.Exchange{Name: "user_update_ok_read", Method: "GET", Target: users + "2", Header: bearer("ro")}},
		{x: dialecttest.Exchange{Name: "user_update_ok_relations", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"user_org_relation_list":[{"org_id":"2","relation_type":1}]}`},
			then: &dialecttest.Exchange{Name: "user_update_ok_relations_read", Method: "GET", Target: users + "1", Header: bearer("ro")}},
		{x: dialecttest.Exchange{Name: "user_update_ok_own_mobile", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"mobile":"5550100","attr_user_type":"regular","attr_manager_id":""}`},
			then: &dialecttest.Exchange{Name: "user_update_ok_own_mobile_read", Method: "GET", Target: users + "1", Header: bearer("ro")}},
		{x: dialecttest.Exchange{Name: "user_update_400_password", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"password":"new horse battery"}`}},
		{x: dialecttest.Exchange{Name: "user_update_400_mobile_taken", Method: "PUT", Target: users + "2", Header: bearerJSON("rw"), Body: `{"mobile":"5550100"}`}},
		{x: dialecttest.Exchange{Name: "user_update_400_mobile_empty", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"mobile":""}`}},
		{x: dialecttest.Exchange{Name: "user_update_400_user_name_taken", Method: "PUT", Target: users + "2", Header: bearerJSON("rw"), Body: `{"user_name":"ada"}`}},
		{x: dialecttest.Exchange{Name: "user_update_400_relation_without_primary", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"org_code":"research","user_org_relation_list":[{"org_id":"1"}]}`}},
		{x: dialecttest.Exchange{Name: "user_update_400_bad_date", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"attr_hire_date":"2020-13-01"}`}},
		{x: dialecttest.Exchange{Name: "user_update_400_org_code_other_tenant", Method: "PUT", Target: users + "1", Header: bearerJSON("rw"), Body: `{"org_code":"hq"}`}},
		{x: dialecttest.Exchange{Name: "user_update_404_other_tenant", Method: "PUT", Target: users + "3", Header: bearerJSON("rw"), Body: `{"name":"Mallory","mobile":"5550100"}`}},
		{x: dialecttest.Exchange{Name: "user_update_404_missing", Method: "PUT", Target: users + "999", Header: bearerJSON("rw"), Body: `{"name":"Mallory"}`}},
		{x: dialecttest.Exchange{Name: "user_update_403", Method: "PUT", Target: users + "1", Header: bearerJSON("ro"), Body: `{"name":"Mallory"}`}},

		{x: dialecttest.Exchange{Name: "org_create_ok", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"Operations","parent_id":"1","category":"department"}`}, check: org(6, "Operations ops 1")},
		{x: dialecttest.Exchange{Name: "org_create_ok_root", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"R&D"}`}, check: org(6, "R&D ops 0")},
		{x: dialecttest.Exchange{Name: "org_create_400_code_taken", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"eng","name":"Engineering 2"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_name_taken", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"eng2","name":"engineering"}`}},
		{x: dialecttest.Exchange{Name: "org_create_ok_name_under_other_parent", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"infra2","name":"Infra","parent_id":"1"}`}, check: org(6, "Infra infra2 1")},
		{x: dialecttest.Exchange{Name: "org_create_400_code_missing", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"name":"Operations"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_name_missing", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_code_chars", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"o p","name":"Operations"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_name_too_long", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"` + strings.Repeat("n", 257) + `"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_category", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"Operations","category":"company"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_parent_missing", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"Operations","parent_id":"999"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_parent_other_tenant", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"Operations","parent_id":"5"}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_parent_id_number", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"Operations","parent_id":1}`}},
		{x: dialecttest.Exchange{Name: "org_create_400_unknown_field", Method: "POST", Target: orgs, Header: bearerJSON("admin"), Body: `{"code":"ops","name":"Operations","org_code":"ops"}`}},
		{x: dialecttest.Exchange{Name: "org_create_401", Method: "POST", Target: orgs, Header: []string{"Content-Type: application/json"}, Body: `{"code":"ops","name":"Operations"}`}},
		{x: dialecttest.Exchange{Name: "org_create_403", Method: "POST", Target: orgs, Header: bearerJSON("rw"), Body: `{"code":"ops","name":"Operations"}`}},

		{x: dialecttest.Exchange{Name: "org_update_ok", Method: "PUT", Target: orgs + "/4", Header: bearerJSON("admin"), Body: `{"name":"Infrastructure","parent_id":"1"}`}, check: org(4, "Infrastructure infra 1")},
		{x: dialecttest.Exchange{Name: "org_update_ok_code", Method: "PUT", Target: orgs + "/2", Header: bearerJSON("admin"), Body: `{"code":"rnd"}`}, check: org(2, "Research rnd 0")},
		{x: dialecttest.Exchange{Name: "org_update_400_own_ancestor", Method: "PUT", Target: orgs + "/1", Header: bearerJSON("admin"), Body: `{"parent_id":"4"}`}},
		{x: dialecttest.Exchange{Name: "org_update_400_own_parent", Method: "PUT", Target: orgs + "/1", Header: bearerJSON("admin"), Body: `{"parent_id":"1"}`}},
		{x: dialecttest.Exchange{Name: "org_update_400_code_taken", Method: "PUT", Target: orgs + "/1", Header: bearerJSON("admin"), Body: `{"code":"research"}`}},
		{x: dialecttest.Exchange{Name: "org_update_400_name_taken", Method: "PUT", Target: orgs + "/2", Header: bearerJSON("admin"), Body: `{"name":"ENGINEERING"}`}},
		{x: dialecttest.Exchange{Name: "org_update_400_move_name_taken", Method: "PUT", Target: orgs + "/4", Header: bearerJSON("admin"), Body: `{"name":"platform","parent_id":"1"}`}},
		{x: dialecttest.Exchange{Name: "org_update_400_code_empty", Method: "PUT", Target: orgs + "/1", Header: bearerJSON("admin"), Body: `{"code":""}`}},
		{x: dialecttest.Exchange{Name: "org_update_400_parent_other_tenant", Method: "PUT", Target: orgs + "/3", Header: bearerJSON("admin"), Body: `{"parent_id":"5"}`}},
		{x: dialecttest.Exchange{Name: "org_update_404_other_tenant", Method: "PUT", Target: orgs + "/5", Header: bearerJSON("admin"), Body: `{"name":"Mine"}`}},
		{x: dialecttest.Exchange{Name: "org_update_403", Method: "PUT", Target: orgs + "/1", Header: bearerJSON("ro"), Body: `{"name":"Mine"}`}},

		{x: dialecttest.Exchange{Name: "org_delete_ok", Method: "DELETE", Target: orgs + "/4", Header: bearer("admin")}, check: orgGone(4)},
		{x: dialecttest.Exchange{Name: "org_delete_400_children", Method: "DELETE", Target: orgs + "/3", Header: bearer("admin")}},
		{x: dialecttest.Exchange{Name: "org_delete_400_members", Method: "DELETE", Target: orgs + "/2", Header: bearer("admin")}},
		{x: dialecttest.Exchange{Name: "org_delete_404_missing", Method: "DELETE", Target: orgs + "/999", Header: bearer("admin")}},
		{x: dialecttest.Exchange{Name: "org_delete_404_other_tenant", Method: "DELETE", Target: orgs + "/5", Header: bearer("admin")}},
		{x: dialecttest.Exchange{Name: "org_delete_403", Method: "DELETE", Target: orgs + "/4", Header: bearer("rw")}},
	}
	for _, tt := range tests {
		t.Run(tt.x.Name, func(t *testing.T) {
			e := family(t)
			before := snapshot(t, e)
			e.Golden(t, handler(e, e.Authn, tenantv2.Config{}), tt.x, *update, maskTimes(time.UTC))
			if tt.then != nil {
				e.Golden(t, handler(e, e.Authn, tenantv2.Config{}), *tt.then, *update, maskTimes(time.UTC))
			}
			switch after := snapshot(t, e); {
			case tt.check != nil:
				tt.check(t, e)
			case tt.then == nil && after != before:
				t.Errorf("a refused call changed the directory:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

// TestChangePasswordVerifyLimited shows that change-password-verify cannot
// be used to guess a password: its failures count in the one failure
// limiter of sign-in and the password-check API (directory.SignInLimits),
// so wrong old passwords given here and wrong passwords given to
// Authenticate add up to the same account lockout, after which even the
// right old password is refused with 429 and the user cannot sign in.
func TestChangePasswordVerifyLimited(t *testing.T) {
	e := family(t)
	e.Service.SetSignInLimits(directory.SignInLimits{MaxAccountFailures: 3, MaxAddressFailures: 100})
	h := handler(e, e.Authn, tenantv2.Config{})
	put := func(old string) int {
		req := httptest.NewRequest("PUT", "/api/v2/tenant/users/1/change-password-verify", strings.NewReader(`{"password":"new horse battery","old_password":"`+old+`"}`))
		req.Header.Set("Authorization", "Bearer "+e.Credentials["rw"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	for i := range 2 {
		if got := put("wrong horse battery"); got != http.StatusBadRequest {
			t.Fatalf("wrong old password #%d: status %d, want 400", i+1, got)
		}
	}
	ctx := context.Background()
	checker := e.Principal()
	checker.Scopes = directory.Scopes{directory.ScopeUsersAuthenticate}
	if _, err := e.Service.Authenticate(ctx, checker, "ada", "wrong horse battery", "198.51.100.7"); err == nil {
		t.Fatal("Authenticate with a wrong password succeeded")
	}
	u, err := e.Service.User(ctx, e.Principal(), e.Ada.ID)
	if err != nil || !u.Locked {
		t.Fatalf("after 2 wrong old passwords and 1 wrong password check: locked %v (%v), want locked", u.Locked, err)
	}
	x := dialecttest.Exchange{Name: "verify_429", Method: "PUT", Target: "/api/v2/tenant/users/1/change-password-verify", Header: bearerJSON("rw"),
		Body: `{"password":"new horse battery","old_password":"correct horse battery"}`}
	before := snapshot(t, e)
	e.Golden(t, h, x, *update, nil)
	if after := snapshot(t, e); after != before {
		t.Errorf("a refused password change changed the directory")
	}
	if _, err := e.Service.Authenticate(ctx, checker, "ada", "correct horse battery", "198.51.100.7"); !errors.Is(err, directory.ErrSignInFailed) {
		t.Errorf("the right password of the locked account: got %v, want ErrSignInFailed", err)
	}
}

// TestMobileOptional shows the operator setting: with MobileOptional a user
// is created without a mobile, and a mobile given is still unique.
func TestMobileOptional(t *testing.T) {
	for _, x := range []dialecttest.Exchange{
		{Name: "user_create_ok_mobile_optional", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi"}`},
		{Name: "user_create_400_mobile_optional_taken", Method: "POST", Target: "/api/v2/tenant/users", Header: bearerJSON("rw"), Body: `{"user_name":"lisi","mobile":"5550100"}`},
	} {
		t.Run(x.Name, func(t *testing.T) {
			e := family(t)
			e.Golden(t, handler(e, e.Authn, tenantv2.Config{MobileOptional: true}), x, *update, nil)
		})
	}
}
