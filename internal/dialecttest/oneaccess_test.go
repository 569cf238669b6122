package dialecttest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestOneAccessCreateSeenByEveryDialect creates a user through the tenant
// v2 CreateUser with every field it takes and reads each back through the
// native admin API, openapi v1 and user-info v1; then changes it through
// the native API and reads the change through tenant v2's GET, list and
// by-username.
func TestOneAccessCreateSeenByEveryDialect(t *testing.T) {
	e := dialecttest.New(t)
	h := server(e)
	rw := e.Credentials["rw"]
	bearer := map[string]string{"Authorization": "Bearer " + rw, "Content-Type": "application/json"}

	req := httptest.NewRequest("POST", "/api/v2/tenant/users", strings.NewReader(fmt.Sprintf(`{"user_name":"zhangsan","mobile":"12345678901",
		"org_code":"research","name":"Zhang San","email":"zhangsan@example.com","employee_id":"E100","first_name":"San","middle_name":"M",
		"last_name":"Zhang","pwd_must_modify":false,"attr_gender":"male","attr_birthday":"1990-04-30","attr_nick_name":"zs",
		"attr_identity_type":"passport","attr_identity_number":"E12345678","attr_area":"CN","attr_city":"Shenzhen","attr_manager_id":"%d",
		"attr_user_type":"regular","attr_hire_date":"2020-07-01","attr_work_place":"Bantian",
		"user_org_relation_list":[{"org_id":"%d","relation_type":1},{"org_id":"%d"}],"extension":{"role_id":2}}`, e.Ada.ID, e.Research.ID, e.Eng.ID)))
	for k, v := range bearer {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		t.Fatalf("create: got %d %s, want 201", rec.Code, rec.Body)
	}
	id := strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(rec.Body.String()), `{"user_id":"`), `"}`)

	native := call(t, h, "GET", "/admin/v1/users/"+id, bearer, "")
	for k, v := range map[string]any{
		"username": "zhangsan", "name": "Zhang San", "phone": "12345678901", "email": "zhangsan@example.com",
		"employee_number": "E100", "given_name": "San", "middle_name": "M", "family_name": "Zhang", "must_change_password": false,
		"gender": "male", "birthday": "1990-04-30", "nick_name": "zs", "identity_type": "passport", "identity_number": "E12345678",
		"area": "CN", "city": "Shenzhen", "manager_id": float64(e.Ada.ID), "user_type": "regular", "hire_date": "2020-07-01",
		"work_place": "Bantian", "extension": map[string]any{"role_id": float64(2)},
	} {
		want(t, "admin", native, k, v)
	}
	orgs, _ := native["orgs"].([]any)
	if len(orgs) != 2 {
		t.Errorf("admin: orgs = %v, want research (primary) and eng", native["orgs"])
	}

	get := call(t, h, "GET", "/openapi/v1/users/"+id, bearer, "")
	for k, v := range map[string]any{"email": "zhangsan@example.com", "phone": "12345678901"} {
		want(t, "openapi v1", get, k, v)
	}
	info := call(t, h, "GET", "/v1/api/user/info?userIds="+id, map[string]string{"x-api-tenantId": fmt.Sprint(e.Tenant.ID), "x-api-token": rw}, "")
	item := onlyItem(t, info)
	want(t, "user-info v1", item, "name", "Zhang San")
	want(t, "user-info v1", item, "entityNo", "E100")

	call(t, h, "PATCH", "/admin/v1/users/"+id, map[string]string{"Authorization": "Bearer " + rw, "Content-Type": "application/merge-patch+json"},
		`{"given_name":"Sam","work_place":"Xi'an","hire_date":"2021-01-04","phone":"12345678902"}`)
	changed := map[string]any{"first_name": "Sam", "attr_work_place": "Xi'an", "attr_hire_date": "2021-01-04", "mobile": "12345678902", "user_name": "zhangsan"}
	byID := call(t, h, "GET", "/api/v2/tenant/users/"+id, bearer, "")
	byName := call(t, h, "POST", "/api/v2/tenant/users/user-by-username", bearer, `{"user_name":"zhangsan"}`)
	list := call(t, h, "GET", fmt.Sprintf("/api/v2/tenant/users?org_id=%d&offset=0&limit=10", e.Research.ID), bearer, "")
	users, _ := list["users"].([]any)
	var listed map[string]any
	for _, u := range users {
		if m, _ := u.(map[string]any); m["user_id"] == id {
			listed = m
		}
	}
	if listed == nil {
		t.Fatalf("tenant v2 list of research: user %s missing from %v", id, users)
	}
	for where, got := range map[string]map[string]any{"tenant v2 GET": byID, "tenant v2 by-username": byName, "tenant v2 list": listed} {
		for k, v := range changed {
			want(t, where, got, k, v)
		}
	}
}
