package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzListQuery sends arbitrary query strings, cursors included, to the
// real list endpoints over a real store. Property: the answer is a page
// (200) or a problem naming what is wrong (400), never anything else.
func FuzzListQuery(f *testing.F) {
	for _, s := range []string{
		"", "limit=2", "limit=1000", "limit=1001", "limit=0", "limit=-1", "limit=9999999999999999999",
		"username=ad", "email=ADA%40", "q=%00", "q=%zz", "cursor=AQAAAAAAAAAB", "cursor=" + strings.Repeat("A", 56),
		"limit=1&limit=2", "unknown=1", "parent_id=1", "parent_id=x", "cursor=%25",
	} {
		f.Add("/admin/v1/users", s)
		f.Add("/admin/v1/orgs", s)
	}
	e, h := newEnv(f)
	bearer := "Bearer " + e.Credentials["all"]
	f.Fuzz(func(t *testing.T, path, rawQuery string) {
		if path != "/admin/v1/users" && path != "/admin/v1/orgs" {
			return
		}
		req := httptest.NewRequest("GET", "/", nil)
		req.URL.Path, req.URL.RawQuery = path, rawQuery
		req.Header.Set("Authorization", bearer)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK:
			var page map[string]json.RawMessage
			if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil || page["next_cursor"] == nil {
				t.Fatalf("GET %s?%s: 200 with a body that is not a page: %s", path, rawQuery, rec.Body)
			}
		case http.StatusBadRequest:
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("GET %s?%s: 400 as %q, want application/problem+json", path, rawQuery, ct)
			}
		default:
			t.Fatalf("GET %s?%s: got %d %s, want 200 or 400", path, rawQuery, rec.Code, rec.Body)
		}
	})
}
