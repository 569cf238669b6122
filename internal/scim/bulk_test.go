package scim_test

import (
	"context"
	"encoding/json"
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

// TestBulkRefersToWhatItCreated checks the answers of creations made one
// by one (a path without its leading slash, a group) and that later
// operations reach them through their bulkIds.
func TestBulkRefersToWhatItCreated(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	scim.Routes(mux, e.Deps())
	r := httptest.NewRequest("POST", "/scim/v2/Bulk", strings.NewReader(`{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[
	{"method":"POST","path":"Users","bulkId":"u","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"solo"}},
	{"method":"post","path":"/Groups","bulkId":"g","data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"Solo","members":[{"value":"bulkId:u"}]}},
	{"method":"PATCH","path":"/Groups/bulkId:g","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"displayName","value":"Solos"}]}},
	{"method":"DELETE","path":"Users/bulkId:u"}]}`))
	r.Header.Set("Authorization", "Bearer "+e.Credentials["scim"])
	r.Header.Set("Content-Type", "application/scim+json")
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, r)
	var out struct {
		Operations []struct{ Method, Status, Location, Version string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil || len(out.Operations) != 4 {
		t.Fatalf("%d %s: %v", rec.Code, rec.Body, err)
	}
	ops := out.Operations
	base := "http://example.com/scim/v2/"
	for i, want := range []string{"201", "201", "200", "204"} {
		if ops[i].Status != want {
			t.Fatalf("operation %d: status %s, want %s: %s", i, ops[i].Status, want, rec.Body)
		}
	}
	if !strings.HasPrefix(ops[0].Location, base+"Users/") || ops[0].Version != `W/"1"` {
		t.Errorf("user created at %q, version %q", ops[0].Location, ops[0].Version)
	}
	if !strings.HasPrefix(ops[1].Location, base+"Groups/") || ops[2].Location != ops[1].Location {
		t.Errorf("group created at %q, patched at %q", ops[1].Location, ops[2].Location)
	}
	if ops[1].Method != "post" || ops[3].Location != "" {
		t.Errorf("method %q, location of the deletion %q", ops[1].Method, ops[3].Location)
	}
}
