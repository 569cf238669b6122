package apidoc

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestReadAfterDocumented checks that the Userd-Read-After header
// (internal/readafter, which wraps every API) is in the document where it
// applies: the request header of every GET, and the response header of
// every success of a call that may write. The POSTs that only read are
// named here.
func TestReadAfterDocumented(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(document, &doc); err != nil {
		t.Fatal(err)
	}
	readOnly := map[string]bool{
		"POST /api/v2/tenant/users/user-by-username": true,
		"POST /scim/v2/Users/.search":                true,
		"POST /scim/v2/Groups/.search":               true,
		"POST /scim/v2/.search":                      true,
	}
	type ref struct {
		Ref string `json:"$ref"`
	}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			name := strings.ToUpper(method) + " " + path
			var op struct {
				Parameters []ref `json:"parameters"`
				Responses  map[string]struct {
					Ref     string         `json:"$ref"`
					Headers map[string]ref `json:"headers"`
				} `json:"responses"`
			}
			switch method {
			case "get":
				if err := json.Unmarshal(raw, &op); err != nil {
					t.Fatal(err)
				}
				found := false
				for _, p := range op.Parameters {
					found = found || p.Ref == "#/components/parameters/UserdReadAfter"
				}
				if !found {
					t.Errorf("%s does not document the Userd-Read-After request header", name)
				}
			case "put", "post", "patch", "delete":
				if readOnly[name] {
					continue
				}
				if err := json.Unmarshal(raw, &op); err != nil {
					t.Fatal(err)
				}
				for code, r := range op.Responses {
					if strings.HasPrefix(code, "2") && r.Ref == "" && r.Headers["Userd-Read-After"].Ref != "#/components/headers/UserdReadAfter" {
						t.Errorf("%s %s does not document the Userd-Read-After response header", name, code)
					}
				}
			}
		}
	}
}
