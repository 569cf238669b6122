package scim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/scim"
)

// FuzzBulk checks that any Bulk request body gets an answer that is JSON
// and never a server error: every operation either runs or fails with its
// own status, and a request that is not a Bulk request is refused whole.
func FuzzBulk(f *testing.F) {
	for _, s := range []string{
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"a"}},{"method":"POST","path":"/Users","bulkId":"b","data":{"userName":"b"}}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"failOnErrors":1,"Operations":[{"method":"POST","path":"Users","bulkId":"u","data":{"userName":"u","emails":[{"value":"u@example.com"}]}},` +
			`{"method":"POST","path":"/Groups","bulkId":"g","data":{"displayName":"G","members":[{"value":"bulkId:u"}]}},` +
			`{"method":"PATCH","path":"/Users/bulkId:u","version":"W/\"1\"","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"title","value":"T"}]}},` +
			`{"method":"PUT","path":"/Groups/bulkId:g","data":{"displayName":"H"}},{"method":"DELETE","path":"/Users/bulkId:x"}]}`,
		`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":[]},{"method":"GET","path":"/Users"}]}`,
	} {
		f.Add(s)
	}
	e := newEnv(f)
	mux := http.NewServeMux()
	scim.Routes(mux, e.Deps())
	f.Fuzz(func(t *testing.T, body string) {
		r := httptest.NewRequest("POST", "/scim/v2/Bulk", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+e.Credentials["scim"])
		r.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		if rec.Code >= 500 || !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%q: %d %s", body, rec.Code, rec.Body)
		}
	})
}
