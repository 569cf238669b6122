package dialecttest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/openapiv1"
	"github.com/userd/userd/internal/tenantv2"
	"github.com/userd/userd/internal/userinfov1"
)

// server mounts the three dialects and the native admin API over one
// Service, as cmd/userd does.
func server(e *dialecttest.Env) http.Handler {
	mux := http.NewServeMux()
	openapiv1.Routes(mux, e.Service, e.Authn, openapiv1.Config{})
	tenantv2.Routes(mux, e.Service, e.Authn, tenantv2.Config{})
	userinfov1.Routes(mux, e.Service, e.Authn, userinfov1.Config{})
	admin.Routes(mux, e.Service, e.Authn, admin.Config{})
	return mux
}

// call sends a request and decodes the JSON answer, failing unless the
// status is 200.
func call(t *testing.T, h http.Handler, method, target string, header map[string]string, body string) map[string]any {
	t.Helper()
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	for k, v := range header {
		req.Header.Set(k, v)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("%s %s: got status %d, want 200; body %s", method, target, rec.Code, rec.Body)
	}
	var out map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: decode answer: %v", method, target, err)
	}
	return out
}

// want checks that got[key] equals value (numbers as float64, JSON-style).
func want(t *testing.T, where string, got map[string]any, key string, value any) {
	t.Helper()
	if !reflect.DeepEqual(got[key], value) {
		t.Errorf("%s: %s: got %#v, want %#v", where, key, got[key], value)
	}
}

// onlyItem returns the one item of a user-info v1 answer's data.
func onlyItem(t *testing.T, info map[string]any) map[string]any {
	t.Helper()
	items, _ := info["data"].([]any)
	if len(items) != 1 {
		t.Fatalf("user-info v1: got data %v, want one item", info["data"])
	}
	item, _ := items[0].(map[string]any)
	return item
}

func TestOpenAPIPutSeenByEveryDialect(t *testing.T) {
	e := dialecttest.New(t)
	h := server(e)
	rw := e.Credentials["rw"]
	id := e.Ada.ID

	put := call(t, h, "PUT", fmt.Sprintf("/openapi/v1/users/%d", id),
		map[string]string{"Authorization": "Bearer " + rw, "Content-Type": "application/json"},
		`{"password":"a brand new password","enterprise_id":"ent-9","email":"countess@example.org","phone":"5550199","is_active":false}`)
	if _, ok := put["password"]; ok {
		t.Errorf("openapi v1 PUT: the answer carries a password")
	}

	u, err := e.Service.User(context.Background(), e.Principal(), id)
	if err != nil {
		t.Fatalf("Service.User: %v", err)
	}
	if u.Email != "countess@example.org" || u.Phone != "5550199" || u.Active || u.EnterpriseID != "ent-9" {
		t.Errorf("Service: got email %q phone %q active %v enterprise %q, want the PUT's values", u.Email, u.Phone, u.Active, u.EnterpriseID)
	}
	if u.PasswordHash == e.Ada.PasswordHash || !strings.HasPrefix(u.PasswordHash, "$argon2id$") {
		t.Errorf("Service: got password hash %q, want a new argon2id hash", u.PasswordHash)
	}
	if !u.PasswordChangedAt.After(e.Ada.PasswordChangedAt) {
		t.Errorf("Service: got password changed at %v, want after %v", u.PasswordChangedAt, e.Ada.PasswordChangedAt)
	}

	evs, _, err := e.Service.AuditEvents(context.Background(), e.Principal(), 0, 0)
	if err != nil {
		t.Fatalf("Service.AuditEvents: %v", err)
	}
	if last := evs[len(evs)-1]; last.Action != "user.update" || last.ClientIP != "192.0.2.1" {
		t.Errorf("audit: got last event %s from %q, want user.update from the caller's address 192.0.2.1", last.Action, last.ClientIP)
	}

	get := call(t, h, "GET", fmt.Sprintf("/openapi/v1/users/%d", id), map[string]string{"Authorization": "Bearer " + rw}, "")
	for k, v := range map[string]any{"email": "countess@example.org", "phone": "5550199", "is_active": false, "enterprise_id": "ent-9"} {
		want(t, "openapi v1 GET", get, k, v)
	}

	tv2 := call(t, h, "GET", fmt.Sprintf("/api/v2/tenant/users/%d", id), map[string]string{"Authorization": "Bearer " + e.Credentials["access"]}, "")
	for k, v := range map[string]any{"email": "countess@example.org", "mobile": "5550199", "disabled": true} {
		want(t, "tenant v2", tv2, k, v)
	}
	want(t, "tenant v2", tv2, "pwd_change_at", u.PasswordChangedAt.UTC().Format("2006-01-02 15:04:05.000"))
	want(t, "tenant v2", tv2, "updated_at", u.UpdatedAt.UTC().Format("2006-01-02 15:04:05.000"))

	info := call(t, h, "GET", fmt.Sprintf("/v1/api/user/info?userIds=%d", id),
		map[string]string{"x-api-tenantId": fmt.Sprint(e.Tenant.ID), "x-api-token": rw}, "")
	item := onlyItem(t, info)
	want(t, "user-info v1", item, "email", "countess@example.org")
	want(t, "user-info v1", item, "phone", map[string]any{"countryCode": "+44", "phone": "5550199"})

	native := call(t, h, "GET", fmt.Sprintf("/admin/v1/users/%d", id), map[string]string{"Authorization": "Bearer " + rw}, "")
	for k, v := range map[string]any{"email": "countess@example.org", "phone": "5550199", "active": false, "enterprise_id": "ent-9"} {
		want(t, "admin", native, k, v)
	}
}

func TestNativeChangeSeenByEveryDialect(t *testing.T) {
	e := dialecttest.New(t)
	h := server(e)
	rw := e.Credentials["rw"]
	id := e.Bob.ID

	call(t, h, "PATCH", fmt.Sprintf("/admin/v1/users/%d", id),
		map[string]string{"Authorization": "Bearer " + rw, "Content-Type": "application/merge-patch+json"},
		fmt.Sprintf(`{"name":"Bob Babbage","email":"bob@example.com","phone":"5550123","phone_country_code":"+1","active":true,"grade":2,
			"employee_number":"E-2","extension":{"role_id":4,"level_id":"5","server_id":9,"login":77,"send_email":false},
			"orgs":[{"org_id":%d,"relation_type":1}]}`, e.Eng.ID))

	info := call(t, h, "GET", fmt.Sprintf("/v1/api/user/info?userIds=%d", id),
		map[string]string{"x-api-tenantId": fmt.Sprint(e.Tenant.ID), "x-api-token": rw}, "")
	item := onlyItem(t, info)
	for k, v := range map[string]any{
		"name": "Bob Babbage", "email": "bob@example.com", "entityNo": "E-2", "parentId": float64(e.Ada.ID),
		"roleId": float64(4), "levelId": float64(5), "serverId": float64(9), "login": float64(77), "sendEmail": false,
		"phone": map[string]any{"countryCode": "+1", "phone": "5550123"},
	} {
		want(t, "user-info v1", item, k, v)
	}

	tv2 := call(t, h, "GET", fmt.Sprintf("/api/v2/tenant/users/%d", id), map[string]string{"Authorization": "Bearer " + rw}, "")
	eng := fmt.Sprint(e.Eng.ID)
	for k, v := range map[string]any{
		"name": "Bob Babbage", "email": "bob@example.com", "mobile": "5550123", "disabled": false, "grade": float64(2), "org_id": eng,
		"user_org_relation_list": []any{map[string]any{"org_id": eng, "relation_type": float64(1)}},
	} {
		want(t, "tenant v2", tv2, k, v)
	}
	ext, _ := tv2["extension"].(map[string]any)
	want(t, "tenant v2 extension", ext, "role_id", float64(4))
	want(t, "tenant v2 extension", ext, "team", map[string]any{"name": "blue", "size": float64(4)})

	get := call(t, h, "GET", fmt.Sprintf("/openapi/v1/users/%d", id), map[string]string{"Authorization": "Bearer " + rw}, "")
	for k, v := range map[string]any{"email": "bob@example.com", "phone": "5550123", "is_active": true} {
		want(t, "openapi v1", get, k, v)
	}
}
