package apidoctest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestDocumentIsValidOpenAPI31(t *testing.T) {
	if _, err := Load(context.Background()); err != nil {
		t.Fatal(err)
	}
}

const org = `{"id":1,"tenant_id":1,"name":"Eng","code":null,"parent_id":null,"created_at":"2026-01-02T03:04:05.678901Z","updated_at":"2026-01-02T03:04:05.678901Z","version":1}`

// TestCheck shows what the check accepts and what it catches: the cases a
// drifting API or document would produce.
func TestCheck(t *testing.T) {
	jsonHeader := http.Header{"Content-Type": {"application/json"}, "Etag": {`"1"`}, "Cache-Control": {"no-store"}}
	tests := []struct {
		name, method, target string
		reqHeader            http.Header
		reqBody              string
		status               int
		header               http.Header
		body                 string
		wantErr              string // "" means the exchange matches
	}{
		{name: "documented", method: "GET", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 200, header: jsonHeader, body: org},
		{name: "undocumented field", method: "GET", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 200, header: jsonHeader, body: strings.Replace(org, `"version":1`, `"version":1,"secret":"x"`, 1), wantErr: `"secret" is unsupported`},
		{name: "null where not nullable", method: "GET", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 200, header: jsonHeader, body: strings.Replace(org, `"name":"Eng"`, `"name":null`, 1), wantErr: "name"},
		{name: "undocumented status", method: "GET", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 418, header: jsonHeader, body: org, wantErr: "status 418 is not documented"},
		{name: "undocumented media type", method: "GET", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 200, header: http.Header{"Content-Type": {"text/plain"}, "Etag": {`"1"`}}, body: "Eng", wantErr: "text/plain"},
		{name: "missing required header", method: "GET", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 200, header: http.Header{"Content-Type": {"application/json"}}, body: org, wantErr: "ETag"},
		{name: "body where none is documented", method: "DELETE", target: "/admin/v1/orgs/1", reqHeader: http.Header{"Authorization": {"Bearer x"}},
			status: 204, header: http.Header{}, body: "gone", wantErr: "without a body"},
		{name: "unknown path", method: "GET", target: "/admin/v2/orgs", status: 200, header: jsonHeader, body: "{}", wantErr: "find the operation"},
		{name: "unknown path answered by the router", method: "GET", target: "/admin/v2/orgs", status: 404,
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, body: "404 page not found\n"},
		{name: "unsupported method answered by the router", method: "PUT", target: "/admin/v1/orgs/1", status: 405,
			header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "Allow": {"GET, PATCH, DELETE"}}, body: "Method Not Allowed\n"},
		{name: "rejected request answered with success", method: "GET", target: "/admin/v1/orgs/1",
			status: 200, header: jsonHeader, body: org, wantErr: "the request does not match"},
		{name: "rejected request answered with an error", method: "GET", target: "/admin/v1/orgs/1", status: 401,
			header: http.Header{"Content-Type": {"application/problem+json"}, "Www-Authenticate": {`Bearer realm="userd"`}},
			body:   `{"type":"https://github.com/userd/userd/blob/main/docs/api/admin.md#unauthenticated","title":"Unauthenticated","status":401,"detail":"send a token"}`},
		{name: "wrong problem for the status", method: "GET", target: "/admin/v1/orgs/1", status: 401,
			header:  http.Header{"Content-Type": {"application/problem+json"}, "Www-Authenticate": {`Bearer realm="userd"`}},
			body:    `{"type":"https://github.com/userd/userd/blob/main/docs/api/admin.md#forbidden","title":"Forbidden","status":403,"detail":"no"}`,
			wantErr: "status"},
		{name: "errors as 200", method: "GET", target: "/v1/api/user/info", status: 200,
			header: http.Header{"Content-Type": {"application/json"}, "Content-Language": {"en-US"}},
			body:   `{"result":false,"mcode":"BW_API_0000001","errorMessage":"token is empty"}`},
		{name: "errors as 200 answered with success", method: "GET", target: "/v1/api/user/info", status: 200,
			header:  http.Header{"Content-Type": {"application/json"}, "Content-Language": {"en-US"}},
			body:    `{"result":true,"mcode":"m0000000","data":[]}`,
			wantErr: "without an error body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, nil)
			for k, v := range tt.reqHeader {
				r.Header[k] = v
			}
			err := check(r, []byte(tt.reqBody), tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got error %v, want none", err)
			case tt.wantErr != "" && err == nil:
				t.Errorf("got no error, want one mentioning %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("got error %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}
