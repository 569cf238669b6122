package scim_test

import (
	"context"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

func auth(token string) []string { return []string{"Authorization: Bearer {{" + token + "}}"} }

func withBody(token string) []string {
	return append(auth(token), "Content-Type: application/scim+json")
}

// TestProtocol checks discovery, errors, queries, paging, projection,
// entity tags, Bulk and tenant isolation against RFC 7643 and RFC 7644,
// whose examples it uses where they fit userd's attributes. Users Ada (1)
// and Bob (2) and orgs Engineering (1) and Research (2) are tenant acme's;
// Carol (3) and the org Sales (3) are tenant globex's.
func TestProtocol(t *testing.T) {
	e := newEnv(t)
	if _, err := e.Service.CreateOrg(context.Background(), directory.System(e.Other.ID), directory.OrgPatch{Name: ptr("Sales")}); err != nil {
		t.Fatal(err)
	}
	tooMany := `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[` +
		strings.TrimSuffix(strings.Repeat(`{"method":"DELETE","path":"/Users/999"},`, 1001), ",") + `]}`
	replay(t, e, []dialecttest.Exchange{
		// Discovery (RFC 7644 §4), without a credential.
		{Name: "discovery_service_provider_config", Method: "GET", Target: "/scim/v2/ServiceProviderConfig", Header: []string{"Accept: application/scim+json"}},
		{Name: "discovery_resource_types", Method: "GET", Target: "/scim/v2/ResourceTypes", Header: []string{"Accept: application/scim+json"}},
		{Name: "discovery_resource_type_user", Method: "GET", Target: "/scim/v2/ResourceTypes/User", Header: []string{"Accept: application/scim+json"}},
		{Name: "discovery_schemas", Method: "GET", Target: "/scim/v2/Schemas", Header: []string{"Accept: application/scim+json"}},
		{Name: "discovery_schema_unknown", Method: "GET", Target: "/scim/v2/Schemas/urn:example:nothing", Header: []string{"Accept: application/scim+json"}},

		// Credentials and scopes.
		{Name: "auth_none", Method: "GET", Target: "/scim/v2/Users", Header: []string{"Accept: application/scim+json"}},
		{Name: "auth_revoked", Method: "GET", Target: "/scim/v2/Users", Header: auth("revoked")},
		{Name: "auth_read_only_cannot_create", Method: "POST", Target: "/scim/v2/Users", Header: withBody("ro"), Body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x"}`},
		{Name: "auth_users_write_cannot_create_group", Method: "POST", Target: "/scim/v2/Groups", Header: withBody("rw"), Body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"x"}`},

		// Queries (RFC 7644 §3.4.2.2), compiled to SQL.
		{Name: "filter_sw_and_active", Method: "GET", Target: `/scim/v2/Users?filter=userName+sw+%22A%22+and+active+eq+true&attributes=userName`},
		{Name: "filter_value_path", Method: "GET", Target: `/scim/v2/Users?filter=emails%5Btype+eq+%22work%22+or+value+co+%22@example.com%22%5D&attributes=userName,emails`},
		{Name: "filter_not_and_pr", Method: "GET", Target: `/scim/v2/Users?filter=not+(emails+pr)&attributes=userName`},
		{Name: "filter_last_modified", Method: "GET", Target: `/scim/v2/Users?filter=meta.lastModified+gt+%222011-05-13T04:42:34Z%22&attributes=userName`},
		{Name: "filter_enterprise_employee_number", Method: "GET", Target: `/scim/v2/Users?filter=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber+eq+%22SO8T%22&attributes=userName`},
		{Name: "filter_group_membership", Method: "GET", Target: `/scim/v2/Users?filter=groups+eq+%222%22&attributes=userName`},
		{Name: "filter_case_insensitive_names", Method: "GET", Target: `/scim/v2/Users?filter=USERNAME+EQ+%22ADA%22&attributes=userName`},
		{Name: "filter_invalid", Method: "GET", Target: `/scim/v2/Users?filter=userName+eq`},
		{Name: "filter_unknown_attribute", Method: "GET", Target: `/scim/v2/Users?filter=nickName+eq+%22x%22`},
		{Name: "filter_password_sensitive", Method: "GET", Target: `/scim/v2/Users?filter=password+eq+%22hunter22%22`},

		// A search across resource types (RFC 7644 §3.4.3): Users, then
		// Groups, paged by index over both.
		{Name: "search_root_users_then_groups", Method: "POST", Target: "/scim/v2/.search", Header: withBody("scim"), Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
  "attributes": ["userName", "displayName"],
  "excludedAttributes": ["members"],
  "startIndex": 2,
  "count": 2
}`},
		{Name: "search_root_filter_fits_groups", Method: "POST", Target: "/scim/v2/.search", Header: withBody("scim"), Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
  "filter": "displayName eq \"Research\"",
  "attributes": ["displayName"]
}`},
		{Name: "search_root_filter_fits_neither", Method: "POST", Target: "/scim/v2/.search", Header: withBody("scim"), Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
  "filter": "nickName eq \"x\""
}`},
		{Name: "search_root_cursor", Method: "POST", Target: "/scim/v2/.search", Header: withBody("scim"), Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
  "cursor": ""
}`},

		// Sorting (RFC 7644 §3.4.2.3), compiled to SQL, ties by id.
		{Name: "sort_username_descending", Method: "GET", Target: `/scim/v2/Users?sortBy=USERNAME&sortOrder=descending&attributes=userName`},
		{Name: "sort_search_created_page", Method: "POST", Target: "/scim/v2/Users/.search", Header: withBody("scim"), Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
  "attributes": ["userName"],
  "sortBy": "meta.created",
  "sortOrder": "descending",
  "startIndex": 2,
  "count": 1
}`},
		{Name: "sort_absent_first_descending", Method: "GET", Target: `/scim/v2/Users?sortOrder=descending&sortBy=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber&attributes=userName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber`},
		{Name: "sort_with_cursor", Method: "GET", Target: `/scim/v2/Users?sortBy=userName&cursor`},
		{Name: "sort_unknown_attribute", Method: "GET", Target: `/scim/v2/Users?sortBy=groups`},
		{Name: "sort_order_invalid", Method: "GET", Target: `/scim/v2/Users?sortBy=userName&sortOrder=up`},
		{Name: "sort_groups_by_name", Method: "GET", Target: `/scim/v2/Groups?sortBy=displayName`},
		{Name: "search_post", Method: "POST", Target: "/scim/v2/Users/.search", Header: withBody("scim"), Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
  "attributes": ["userName", "name.formatted"],
  "filter": "userName sw \"b\"",
  "startIndex": 1,
  "count": 10
}`},

		// Paging: index (RFC 7644 §3.4.2.4) and cursor (RFC 9865).
		{Name: "paging_index", Method: "GET", Target: `/scim/v2/Users?startIndex=2&count=1&attributes=userName`},
		{Name: "paging_count_zero", Method: "GET", Target: `/scim/v2/Users?count=0`},
		{Name: "paging_cursor_first", Method: "GET", Target: `/scim/v2/Users?cursor&count=1&attributes=userName`},
		{Name: "paging_cursor_next", Method: "GET", Target: `/scim/v2/Users?cursor=1&count=1&attributes=userName`},
		{Name: "paging_cursor_bad", Method: "GET", Target: `/scim/v2/Users?cursor=xyz`},

		// Projection (RFC 7644 §3.4.2.5).
		{Name: "projection_excluded", Method: "GET", Target: `/scim/v2/Users/1?excludedAttributes=emails,meta,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User,groups,addresses,phoneNumbers`},
		{Name: "projection_enterprise_sub", Method: "GET", Target: `/scim/v2/Users/2?attributes=urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`},

		// Entity tags (RFC 7644 §3.14).
		{Name: "etag_not_modified", Method: "GET", Target: "/scim/v2/Users/1", Header: append(auth("scim"), `If-None-Match: W/"1"`)},
		{Name: "etag_put_stale", Method: "PUT", Target: "/scim/v2/Users/2", Header: append(withBody("scim"), `If-Match: W/"7"`), Body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bob"}`},
		{Name: "etag_patch_current", Method: "PATCH", Target: "/scim/v2/Users/2", Header: append(withBody("scim"), `If-Match: W/"1"`), Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"Tour Guide"}]}`},
		{Name: "etag_delete_stale", Method: "DELETE", Target: "/scim/v2/Users/2", Header: append(auth("scim"), `If-Match: W/"1"`)},

		// Bulk (RFC 7644 §3.7), before any failed creation (which uses
		// up an id on PostgreSQL), after §3.7.2's example of a bulkId
		// reference from a group to a user created before it.
		{Name: "bulk_bulk_id_references", Method: "POST", Target: "/scim/v2/Bulk", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
  "Operations": [
    {
      "method": "POST",
      "path": "/Users",
      "bulkId": "qwerty",
      "data": {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "Alice"
      }
    },
    {
      "method": "POST",
      "path": "/Groups",
      "bulkId": "ytrewq",
      "data": {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Tour Guides",
        "members": [{"type": "User", "value": "bulkId:qwerty"}]
      }
    },
    {
      "method": "PATCH",
      "path": "/Users/bulkId:qwerty",
      "version": "W/\"2\"",
      "data": {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "title", "value": "Guide"}]
      }
    },
    {
      "method": "DELETE",
      "path": "/Users/bulkId:nowhere"
    }
  ]
}`},
		// Errors with their scimType (RFC 7644 §3.12).
		{Name: "error_uniqueness", Method: "POST", Target: "/scim/v2/Users", Body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ADA"}`},
		{Name: "error_invalid_syntax", Method: "POST", Target: "/scim/v2/Users", Body: `{"schemas":`},
		{Name: "error_unkept_attribute", Method: "POST", Target: "/scim/v2/Users", Body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"x","x509Certificates":[{"value":"MIIDQzCCA"}]}`},
		{Name: "error_invalid_value", Method: "POST", Target: "/scim/v2/Users", Body: `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"has space"}`},
		{Name: "error_media_type", Method: "POST", Target: "/scim/v2/Users", Header: append(auth("scim"), "Content-Type: text/plain"), Body: `{"userName":"x"}`},
		{Name: "error_patch_no_target", Method: "PATCH", Target: "/scim/v2/Users/1", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}`},
		{Name: "error_patch_mutability", Method: "PATCH", Target: "/scim/v2/Users/1", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"id","value":"7"}]}`},
		{Name: "error_patch_invalid_path", Method: "PATCH", Target: "/scim/v2/Users/1", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"emails[type eq","value":"x"}]}`},

		// Tenant isolation: globex's user and org are answered exactly as
		// missing ones, in reads, filters, members and Bulk.
		{Name: "tenant_other_user", Method: "GET", Target: "/scim/v2/Users/3"},
		{Name: "tenant_missing_user", Method: "GET", Target: "/scim/v2/Users/999"},
		{Name: "tenant_other_group", Method: "GET", Target: "/scim/v2/Groups/3"},
		{Name: "tenant_other_user_in_filter", Method: "GET", Target: `/scim/v2/Users?filter=userName+eq+%22carol%22+or+id+eq+%223%22`},
		{Name: "tenant_other_user_as_member", Method: "PATCH", Target: "/scim/v2/Groups/1", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"3"}]}]}`},
		{Name: "tenant_missing_user_as_member", Method: "PATCH", Target: "/scim/v2/Groups/1", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"members","value":[{"value":"999"}]}]}`},
		{Name: "tenant_other_in_bulk", Method: "POST", Target: "/scim/v2/Bulk", Body: `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
  {"method":"PATCH","path":"/Users/3","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}},
  {"method":"DELETE","path":"/Groups/3"}
]}`},

		{Name: "bulk_fail_on_errors", Method: "POST", Target: "/scim/v2/Bulk", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
  "failOnErrors": 1,
  "Operations": [
    {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "ada"}},
    {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "never.made"}}
  ]
}`},
		{Name: "bulk_too_many_operations", Method: "POST", Target: "/scim/v2/Bulk", Body: tooMany},
	})
}

func ptr[T any](v T) *T { return &v }
