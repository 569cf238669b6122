package admin_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// FuzzChangesQuery sends arbitrary query strings to GET /admin/v1/changes
// over a real store. Property: the answer is a page with next_after (200)
// or a problem naming what is wrong (400), never anything else. Each
// request's deadline is a second away, so a wait ends at once (the wait
// stops a second before the deadline).
func FuzzChangesQuery(f *testing.F) {
	for _, s := range []string{
		"", "after=0", "after=3", "after=now", "after=-1", "after=x", "after=9223372036854775807", "after=99999999999999999999",
		"limit=2", "limit=1001", "wait=30s", "wait=31s", "wait=30", "wait=-1s", "wait=1e9", "wait=99999999999999999",
		"wait=1h", "after=now&wait=1s", "after=1&after=2", "cursor=x", "wait=%zz",
	} {
		f.Add(s)
	}
	e, h := newEnv(f)
	bearer := "Bearer " + e.Credentials["all"]
	f.Fuzz(func(t *testing.T, rawQuery string) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		req := httptest.NewRequestWithContext(ctx, "GET", "/admin/v1/changes", nil)
		req.URL.RawQuery = rawQuery
		req.Header.Set("Authorization", bearer)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var page map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page["next_after"] == nil || page["changes"] == nil {
				t.Fatalf("GET ?%s: 200 with a body that is not a page: %s", rawQuery, rec.Body)
			}
		case http.StatusBadRequest:
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("GET ?%s: 400 as %q, want application/problem+json", rawQuery, ct)
			}
		default:
			t.Fatalf("GET ?%s: got %d %s, want 200 or 400", rawQuery, rec.Code, rec.Body)
		}
	})
}
