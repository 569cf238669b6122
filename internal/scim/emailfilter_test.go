package scim_test

import (
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestEmailFilters checks that a filter on emails tests every email of a
// user, not only the primary one: Grace's second email is found by
// emails.value eq, sw, co and ew, by emails.type, and by a value path
// that asks two things of the same email, and emails.primary tells the
// primary one from the others. Ada (1) and Bob (2) have one email each.
func TestEmailFilters(t *testing.T) {
	e := newEnv(t)
	replay(t, e, []dialecttest.Exchange{
		{Name: "emails_create_with_three", Method: "POST", Target: "/scim/v2/Users", Body: `{
  "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
  "userName": "grace",
  "emails": [
    {"value": "grace@example.com", "type": "work", "primary": true},
    {"value": "Grace.Hopper@Home.example", "type": "home"},
    {"value": "admiral@navy.example"}
  ]
}`},
		{Name: "emails_filter_secondary_eq", Method: "GET", Target: `/scim/v2/Users?filter=emails.value+eq+%22grace.hopper@home.EXAMPLE%22&attributes=userName`},
		{Name: "emails_filter_secondary_bare_eq", Method: "GET", Target: `/scim/v2/Users?filter=emails+eq+%22ADMIRAL@navy.example%22&attributes=userName`},
		{Name: "emails_filter_secondary_sw", Method: "GET", Target: `/scim/v2/Users?filter=emails.value+sw+%22adm%22&attributes=userName`},
		{Name: "emails_filter_secondary_co_ew", Method: "GET", Target: `/scim/v2/Users?filter=emails.value+co+%22@home.%22+and+emails.value+ew+%22.example%22&attributes=userName`},
		{Name: "emails_filter_type", Method: "GET", Target: `/scim/v2/Users?filter=emails.type+eq+%22home%22&attributes=userName`},
		{Name: "emails_filter_value_path_one_email", Method: "GET", Target: `/scim/v2/Users?filter=emails%5Btype+eq+%22home%22+and+value+co+%22hopper%22%5D&attributes=userName,emails`},
		{Name: "emails_filter_value_path_not_one_email", Method: "GET", Target: `/scim/v2/Users?filter=emails%5Btype+eq+%22work%22+and+value+co+%22hopper%22%5D&attributes=userName`},
		{Name: "emails_filter_value_path_not_primary", Method: "GET", Target: `/scim/v2/Users?filter=emails%5Bnot+(primary+eq+true)+and+value+sw+%22admiral%22%5D&attributes=userName`},
		{Name: "emails_filter_primary_secondary_none", Method: "GET", Target: `/scim/v2/Users?filter=emails%5Bprimary+eq+true+and+value+eq+%22admiral@navy.example%22%5D&attributes=userName`},
		{Name: "emails_filter_none_equal", Method: "GET", Target: `/scim/v2/Users?filter=not+(emails.value+eq+%22admiral@navy.example%22)&attributes=userName`},
		{Name: "emails_filter_primary_not_boolean", Method: "GET", Target: `/scim/v2/Users?filter=emails.primary+eq+%22yes%22`},
		{Name: "emails_filter_unknown_sub_attribute", Method: "GET", Target: `/scim/v2/Users?filter=emails.display+eq+%22x%22`},
		// The secondary email leaves with the change that drops it.
		{Name: "emails_replace_drops_secondary", Method: "PATCH", Target: "/scim/v2/Users/4", Body: `{
  "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
  "Operations": [{"op": "remove", "path": "emails[value eq \"admiral@navy.example\"]"}]
}`},
		{Name: "emails_filter_dropped_secondary", Method: "GET", Target: `/scim/v2/Users?filter=emails.value+eq+%22admiral@navy.example%22&attributes=userName`},
	})
}
