package main

import (
	"fmt"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestAuthzTenantV2ReferencesLikeMissing checks that the OneAccess calls
// that name another tenant's user or org in a body or a filter answer
// exactly as when they name one that exists nowhere (but for the id
// itself), and change nothing of acme's.
func TestAuthzTenantV2ReferencesLikeMissing(t *testing.T) {
	e := newAuthzEnv(t)
	globexOrg := e.org(t, directory.System(e.globex.ID), "Globex", "globex")
	reader, _ := bearer(e.creds["users:read"], "")
	admin, _ := bearer(e.creds["admin"], "")
	const missingID int64 = 999999
	tests := []struct {
		name, method, target string
		body                 func(id int64) string
		foreign              any
		header               map[string]string
		want                 string
	}{
		{"user by username", "POST", "/api/v2/tenant/users/user-by-username", func(int64) string { return `{"user_name":"carol"}` }, nil, reader, "404 "},
		{"users of an org", "GET", "", nil, globexOrg.ID, reader, "404 "},
		{"orgs below an org", "GET", "", nil, globexOrg.ID, reader, "404 "},
		{"new org's parent", "POST", "/api/v2/tenant/organizations", func(id int64) string { return fmt.Sprintf(`{"code":"new","name":"New","parent_id":"%d"}`, id) }, globexOrg.ID, admin, "400 "},
		{"moved org's parent", "PUT", fmt.Sprintf("/api/v2/tenant/organizations/%d", e.eng.ID), func(id int64) string { return fmt.Sprintf(`{"parent_id":"%d"}`, id) }, globexOrg.ID, admin, "400 "},
	}
	e.do("GET", "/api/v2/tenant/users", "", "", reader)
	e.do("GET", "/api/v2/tenant/users", "", "", admin)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := func(id int64) string {
				switch tt.name {
				case "users of an org":
					return fmt.Sprintf("/api/v2/tenant/users?org_id=%d", id)
				case "orgs below an org":
					return fmt.Sprintf("/api/v2/tenant/organizations?org_id=%d&all_child=true", id)
				}
				return tt.target
			}
			body := func(id int64) string {
				if tt.body == nil {
					return ""
				}
				return tt.body(id)
			}
			foreignID, _ := tt.foreign.(int64)
			if tt.name == "user by username" {
				// carol is globex's; nobody exists nowhere.
				before := e.objectRows(t)
				foreign := e.measure(tt.method, tt.target, jsonType, `{"user_name":"carol"}`, tt.header)
				missing := e.measure(tt.method, tt.target, jsonType, `{"user_name":"nobody"}`, tt.header)
				sameAnswer(t, foreign, missing)
				if !strings.HasPrefix(foreign.text, tt.want) {
					t.Errorf("got\n%s\nwant %s", foreign.text, tt.want)
				}
				if after := e.objectRows(t); after != before {
					t.Errorf("acme's objects changed")
				}
				return
			}
			before := e.objectRows(t)
			foreign := e.measure(tt.method, target(foreignID), jsonType, body(foreignID), tt.header)
			missing := e.measure(tt.method, target(missingID), jsonType, body(missingID), tt.header)
			foreign.text = maskID(foreign.text, foreignID)
			missing.text = maskID(missing.text, missingID)
			sameAnswer(t, foreign, missing)
			if !strings.HasPrefix(foreign.text, tt.want) {
				t.Errorf("got\n%s\nwant %s", foreign.text, tt.want)
			}
			if after := e.objectRows(t); after != before {
				t.Errorf("acme's objects changed:\n%s\nwant\n%s", after, before)
			}
		})
	}
}
