package scim_test

import (
	"context"
	"flag"
	"net/http"
	"regexp"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim"
)

var update = flag.Bool("update", false, "rewrite golden files")

func handler(e *dialecttest.Env) http.Handler {
	mux := http.NewServeMux()
	scim.Routes(mux, e.Deps())
	return mux
}

// newEnv is a dialecttest.Env with the credential a provisioning client
// is given: "scim" holds users:read, users:write and admin (organizations,
// which SCIM Groups are, are changed by admins).
func newEnv(t testing.TB) *dialecttest.Env {
	t.Helper()
	e := dialecttest.New(t)
	_, secret, err := e.Service.CreateAPIToken(context.Background(), e.Principal(), "scim",
		directory.Scopes{directory.ScopeUsersRead, directory.ScopeUsersWrite, directory.ScopeAdmin}, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.Credentials["scim"] = secret.Reveal()
	return e
}

var times = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)

// maskTimes hides the times the Service's clock sets.
func maskTimes(s string) string { return times.ReplaceAllString(s, `"<time>"`) }

// replay sends the exchanges in order on one Env: a client's sequence.
func replay(t *testing.T, e *dialecttest.Env, xs []dialecttest.Exchange) {
	t.Helper()
	h := handler(e)
	for _, x := range xs {
		if len(x.Header) == 0 {
			x.Header = []string{"Authorization: Bearer {{scim}}"}
			if x.Body != "" {
				x.Header = append(x.Header, "Content-Type: application/scim+json")
			}
		}
		t.Run(x.Name, func(t *testing.T) { e.Golden(t, h, x, *update, maskTimes) })
	}
}

// TestEntraID replays the requests Microsoft Entra ID sends, word for
// word as Microsoft documents them ("Develop a SCIM endpoint": user and
// group operations), ids replaced by the ones userd gives.
func TestEntraID(t *testing.T) {
	e := newEnv(t)
	replay(t, e, []dialecttest.Exchange{
		{Name: "entra_01_find_missing_user", Method: "GET", Target: `/scim/v2/Users?filter=userName+eq+%22Test_User_dfeef4c5-5681-4387-b016-bdf221e82081%22`},
		{Name: "entra_02_create_user", Method: "POST", Target: "/scim/v2/Users", Body: `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
	"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
	"userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
	"active": true,
	"emails": [{
		"primary": true,
		"type": "work",
		"value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
	}],
	"meta": {
		"resourceType": "User"
	},
	"name": {
		"formatted": "givenName familyName",
		"familyName": "familyName",
		"givenName": "givenName"
	},
	"roles": []
}`},
		{Name: "entra_03_find_user_by_username", Method: "GET", Target: `/scim/v2/Users?filter=userName+eq+%22Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1%22`},
		{Name: "entra_04_find_user_by_external_id", Method: "GET", Target: `/scim/v2/Users?filter=externalId+eq+%220a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef%22`},
		{Name: "entra_05_get_user", Method: "GET", Target: "/scim/v2/Users/4"},
		{Name: "entra_06_update_multivalued", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [
		{
			"op": "Replace",
			"path": "emails[type eq \"work\"].value",
			"value": "updatedEmail@microsoft.com"
		},
		{
			"op": "Replace",
			"path": "name.familyName",
			"value": "updatedFamilyName"
		}
	]
}`},
		{Name: "entra_07_update_single_valued", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Replace",
		"path": "userName",
		"value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
	}]
}`},
		{Name: "entra_08_add_manager", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Add",
		"path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
		"value": "1"
	}]
}`},
		{Name: "entra_09_pathless_replace_dotted_keys", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Replace",
		"value": {
			"name.givenName": "Grace",
			"displayName": "Grace H.",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Research"
		}
	}]
}`},
		{Name: "entra_10_disable_user_string_boolean", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Replace",
		"path": "active",
		"value": "False"
	}]
}`},
		{Name: "entra_11_disable_user_flagged", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "replace",
		"path": "active",
		"value": false
	}]
}`},
		{Name: "entra_12_create_group", Method: "POST", Target: "/scim/v2/Groups", Body: `{
	"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
	"externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
	"displayName": "displayName",
	"meta": {
		"resourceType": "Group"
	}
}`},
		{Name: "entra_13_find_group", Method: "GET", Target: `/scim/v2/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22`},
		{Name: "entra_14_update_group_name", Method: "PATCH", Target: "/scim/v2/Groups/3", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Replace",
		"path": "displayName",
		"value": "1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName"
	}]
}`},
		{Name: "entra_15_add_member", Method: "PATCH", Target: "/scim/v2/Groups/3", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Add",
		"path": "members",
		"value": [{
			"$ref": null,
			"value": "4"
		}]
	}]
}`},
		{Name: "entra_16_get_group", Method: "GET", Target: "/scim/v2/Groups/3"},
		{Name: "entra_17_user_lists_group", Method: "GET", Target: "/scim/v2/Users/4?attributes=groups"},
		{Name: "entra_18_remove_member", Method: "PATCH", Target: "/scim/v2/Groups/3", Body: `{
	"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
	"Operations": [{
		"op": "Remove",
		"path": "members",
		"value": [{
			"$ref": null,
			"value": "4"
		}]
	}]
}`},
		{Name: "entra_19_delete_group", Method: "DELETE", Target: "/scim/v2/Groups/3"},
		{Name: "entra_20_delete_user", Method: "DELETE", Target: "/scim/v2/Users/4"},
		{Name: "entra_21_get_deleted_user", Method: "GET", Target: "/scim/v2/Users/4"},
	})
}

// TestOkta replays the requests Okta sends (Okta's "SCIM 2.0 protocol"
// reference), ids replaced by the ones userd gives.
func TestOkta(t *testing.T) {
	e := newEnv(t)
	replay(t, e, []dialecttest.Exchange{
		{Name: "okta_01_find_missing_user", Method: "GET", Target: `/scim/v2/Users?filter=userName%20eq%20%22test.user@okta.local%22&startIndex=1&count=100`},
		{Name: "okta_02_create_user", Method: "POST", Target: "/scim/v2/Users", Body: `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "test.user@okta.local",
  "name": {
    "givenName": "Test",
    "familyName": "User"
  },
  "emails": [{
    "primary": true,
    "value": "test.user@okta.local",
    "type": "work"
  }],
  "displayName": "Test User",
  "locale": "en-US",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "groups": [],
  "password": "1mz050nq",
  "active": true
}`},
		{Name: "okta_03_get_user", Method: "GET", Target: "/scim/v2/Users/4"},
		{Name: "okta_04_find_user", Method: "GET", Target: `/scim/v2/Users?filter=userName%20eq%20%22test.user@okta.local%22&startIndex=1&count=100`},
		{Name: "okta_05_replace_user", Method: "PUT", Target: "/scim/v2/Users/4", Body: `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "id": "4",
  "userName": "test.user@okta.local",
  "name": {
    "givenName": "Another",
    "familyName": "User"
  },
  "emails": [{
    "primary": true,
    "value": "test.user@okta.local",
    "type": "work"
  }],
  "displayName": "Another User",
  "locale": "en-US",
  "externalId": "00ujl29u0le5T6Aj10h7",
  "groups": [],
  "active": true,
  "meta": {
    "resourceType": "User"
  }
}`},
		{Name: "okta_06_deactivate_user", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [{
    "op": "replace",
    "value": {
      "active": false
    }
  }]
}`},
		{Name: "okta_07_create_group", Method: "POST", Target: "/scim/v2/Groups", Body: `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
  "displayName": "Test SCIMv2",
  "members": []
}`},
		{Name: "okta_08_rename_group", Method: "PATCH", Target: "/scim/v2/Groups/3", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [{
    "op": "replace",
    "value": {
      "id": "3",
      "displayName": "Test SCIMv2 Updated"
    }
  }]
}`},
		{Name: "okta_09_add_member", Method: "PATCH", Target: "/scim/v2/Groups/3", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [{
    "op": "add",
    "path": "members",
    "value": [{
      "value": "4",
      "display": "test.user@okta.local"
    }]
  }]
}`},
		{Name: "okta_10_remove_member", Method: "PATCH", Target: "/scim/v2/Groups/3", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [{
    "op": "remove",
    "path": "members[value eq \"4\"]"
  }]
}`},
		{Name: "okta_11_list_groups", Method: "GET", Target: "/scim/v2/Groups?startIndex=1&count=100"},
		{Name: "okta_12_delete_group", Method: "DELETE", Target: "/scim/v2/Groups/3"},
		{Name: "okta_13_missing_user", Method: "GET", Target: "/scim/v2/Users/010101001010101"},
	})
}

// TestEngines runs the client sequences on PostgreSQL too: the same bytes.
func TestOnPostgres(t *testing.T) {
	dialecttest.OnPostgres(t, TestEntraID, TestOkta, TestProtocol, TestEmailFilters, TestExternalIDLookup)
}
