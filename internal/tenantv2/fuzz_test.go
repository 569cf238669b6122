package tenantv2

import (
	"net/http/httptest"
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

func FuzzParseUserID(f *testing.F) {
	for _, s := range []string{"1", "42", "007", "0", "-1", "+1", "1e3", "0x10", "9007199254740991", "9007199254740992", "18446744073709551616", "", " 1", "20220413165737132-3BA0-91FCA2CB7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := parseUserID(s)
		if err != nil {
			if k := directory.KindOf(err); k != directory.Invalid {
				t.Fatalf("parseUserID(%q) error kind %v, want invalid", s, k)
			}
			return
		}
		if id < 1 || id > directory.MaxSafeID {
			t.Fatalf("parseUserID(%q) = %d, outside 1..MaxSafeID", s, id)
		}
		if s != strconv.FormatInt(id, 10) {
			t.Fatalf("parseUserID(%q) = %d, which is not the input's canonical form", s, id)
		}
	})
}

// FuzzPageParams checks the list calls' query parsing: any query string
// either is refused as an invalid parameter or gives a page number and a
// limit within their documented ranges.
func FuzzPageParams(f *testing.F) {
	for _, s := range []string{"", "offset=0&limit=10", "offset=-1", "limit=101", "limit=1&limit=2", "org_id=&all_child=true", "page=1", "offset=%zz", "offset=1e3", "limit=+5", "offset=1000000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest("GET", "/api/v2/tenant/users", nil)
		r.URL.RawQuery = raw
		q, err := queryParams(r, "org_id", "offset", "limit")
		if err == nil {
			var page, limit int
			page, limit, err = pageParams(q)
			if err == nil && (page < 0 || page > directory.MaxPageNumber || limit < 1 || limit > maxLimit) {
				t.Fatalf("query %q: page %d, limit %d out of range", raw, page, limit)
			}
		}
		if err != nil && directory.KindOf(err) != directory.Invalid {
			t.Fatalf("query %q: error kind %v, want invalid", raw, directory.KindOf(err))
		}
	})
}

// FuzzDecodeUserBody checks CreateUser's decoding: any body is refused
// with a 400 (strictjson or invalid) or gives a patch, and never panics.
func FuzzDecodeUserBody(f *testing.F) {
	for _, s := range []string{`{}`, `{"user_name":"a","mobile":"1"}`, `{"attr_manager_id":"07"}`, `{"attr_manager_id":""}`,
		`{"user_org_relation_list":[{"org_id":"1","relation_type":1}]}`, `{"extension":{"a":[1,2]}}`, `{"password":1}`, `[]`, `{"USER_NAME":"a"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var body createUserRequest
		err := strictjson.Decode(data, &body)
		if err == nil {
			_, err = body.patch()
		}
		if err == nil {
			return
		}
		if status, _ := errorOf(aUser, err); status != 400 {
			t.Fatalf("body %q: status %d, want 400 (%v)", data, status, err)
		}
	})
}
