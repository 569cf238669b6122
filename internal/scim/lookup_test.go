package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestExternalIDLookup checks that a filter by externalId, which the
// Service reads as a lookup (directory.UserQuery.Lookup), answers byte for
// byte what the page path answers for the same filter written as an or
// of itself, which is no lookup: for none, one, several and more than a
// page of matches, alone and with another condition, with every kind of
// paging; that externalId compares exactly (caseExact, RFC 7643 §3.1);
// and that another tenant's users with the same externalId never appear.
func TestExternalIDLookup(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var patches, others []directory.UserPatch
	add := func(to *[]directory.UserPatch, n int, ext string) {
		for i := range n {
			name := fmt.Sprintf("%s-%03d-%d", strings.ToLower(ext), i, len(*to))
			*to = append(*to, directory.UserPatch{Username: &name, Active: ptr(i%3 != 1), ProfilePatch: directory.ProfilePatch{ExternalID: ptr(ext)}})
		}
	}
	add(&patches, 1, "one")
	add(&patches, 3, "three")
	add(&patches, 1, "THREE")
	add(&patches, 150, "many") // more than the default page of 100
	add(&others, 2, "three")
	if _, err := e.Service.ImportUsers(ctx, e.Principal(), patches); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.ImportUsers(ctx, directory.System(e.Other.ID), others); err != nil {
		t.Fatal(err)
	}
	h := handler(e)
	get := func(query string) string {
		t.Helper()
		r := httptest.NewRequest("GET", "/scim/v2/Users?"+query, nil)
		r.Header.Set("Authorization", "Bearer "+e.Credentials["scim"])
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", query, w.Code, w.Body)
		}
		return w.Body.String()
	}
	total := func(body string) int {
		var page struct{ TotalResults int }
		if err := json.Unmarshal([]byte(body), &page); err != nil {
			t.Fatal(err)
		}
		return page.TotalResults
	}
	wantTotals := map[string]int{"none": 0, "one": 1, "three": 3, "THREE": 1, "Three": 0, "many": 150}
	for ext, want := range wantTotals {
		for _, filter := range []string{`externalId eq "%s"`, `externalId eq "%s" and active eq true`, `active eq true and externalId eq "%s"`} {
			filter = fmt.Sprintf(filter, ext)
			for _, paging := range []string{"", "count=1&", "startIndex=2&count=2&", "startIndex=4&", "startIndex=100&count=60&",
				"startIndex=200&", "count=0&", "cursor=&count=2&", "attributes=userName,externalId&"} {
				got := get(paging + "filter=" + url.QueryEscape(filter))
				if want := get(paging + "filter=" + url.QueryEscape("("+filter+") or ("+filter+")")); got != want {
					t.Errorf("%sfilter=%s:\n got %s\nwant %s (the page path)", paging, filter, got, want)
				}
				if paging == "" && !strings.Contains(filter, "active") && total(got) != want {
					t.Errorf("filter=%s: totalResults %d, want %d", filter, total(got), want)
				}
			}
		}
	}
}
