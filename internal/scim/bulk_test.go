package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/scim"
)

// TestBulkCreatesInOneTransaction checks that a Bulk of user creations
// that refer to nothing is made in one transaction (one audit event) with
// an answer per operation, and logs its cost next to single POSTs.
func TestBulkCreatesInOneTransaction(t *testing.T) {
	e := newEnv(t)
	// 1000 creations take some 200 KB: the operator raises
	// --max-body-bytes (maxPayloadSize) for Bulk requests this large.
	d := e.Deps()
	d.MaxBodyBytes = 1 << 20
	mux := http.NewServeMux()
	scim.Routes(mux, d)
	h := http.Handler(mux)
	do := func(method, target, body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(method, target, strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+e.Credentials["scim"])
		r.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	const n = scim.MaxBulkOperations
	ops := make([]string, n)
	for i := range ops {
		ops[i] = fmt.Sprintf(`{"method":"POST","path":"/Users","bulkId":"b%d","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"bulk%d","emails":[{"value":"bulk%d@example.com","primary":true}]}}`, i, i, i)
	}
	before, _, err := e.Service.AuditEvents(context.Background(), e.Principal(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rec := do("POST", "/scim/v2/Bulk", `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[`+strings.Join(ops, ",")+`]}`)
	bulk := time.Since(start)
	if rec.Code != http.StatusOK || strings.Count(rec.Body.String(), `"status":"201"`) != n {
		t.Fatalf("got %d with %d creations, want 200 with %d: %.300s", rec.Code, strings.Count(rec.Body.String(), `"status":"201"`), n, rec.Body)
	}
	after, _, err := e.Service.AuditEvents(context.Background(), e.Principal(), 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(after)-len(before) != 1 {
		t.Errorf("the bulk wrote %d audit events, want 1 (one transaction)", len(after)-len(before))
	}
	start = time.Now()
	for i := range n {
		rec := do("POST", "/scim/v2/Users", fmt.Sprintf(`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"single%d","emails":[{"value":"single%d@example.com","primary":true}]}`, i, i))
		if rec.Code != http.StatusCreated {
			t.Fatalf("POST %d: %d %s", i, rec.Code, rec.Body)
		}
	}
	single := time.Since(start)
	t.Logf("%d creations: one Bulk %v, single POSTs %v (%.1fx)", n, bulk, single, float64(single)/float64(bulk))
}
