package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim"
	"github.com/userd/userd/internal/server"
)

// TestBodyLimit checks that a body past --max-body-bytes is a 413 SCIM
// error, and one exactly at the limit is read.
func TestBodyLimit(t *testing.T) {
	e := newEnv(t)
	h := handler(e)
	send := func(size int) *httptest.ResponseRecorder {
		prefix := `{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"big","displayName":"`
		suffix := `"}`
		body := prefix + strings.Repeat("x", size-len(prefix)-len(suffix)) + suffix
		r := httptest.NewRequest("POST", "/scim/v2/Users", strings.NewReader(body))
		r.Header.Set("Authorization", "Bearer "+e.Credentials["scim"])
		r.Header.Set("Content-Type", "application/scim+json")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	limit := int(server.DefaultMaxBodyBytes)
	if got := send(limit + 1); got.Code != http.StatusRequestEntityTooLarge || !strings.Contains(got.Body.String(), `"status":"413"`) {
		t.Fatalf("one byte over the limit: got %d %s, want a 413 SCIM error", got.Code, got.Body)
	}
	// At the limit the body is read: the display name is too long for
	// userd, which says so, naming it.
	if got := send(limit); got.Code != http.StatusBadRequest || !strings.Contains(got.Body.String(), "displayName") {
		t.Fatalf("at the limit: got %d %s, want 400 naming displayName", got.Code, got.Body)
	}
}

// TestGroupMembersBounded checks that no answer lists more than
// MaxGroupMembers members: a larger group is 400 tooMany unless members are
// excluded, and its members are read through a Users filter instead.
func TestGroupMembersBounded(t *testing.T) {
	e := newEnv(t)
	h := handler(e)
	patches := make([]directory.UserPatch, scim.MaxGroupMembers)
	for i := range patches {
		name := fmt.Sprintf("member%d", i)
		patches[i] = directory.UserPatch{Username: &name, Orgs: &[]directory.Membership{{OrgID: e.Eng.ID}}}
	}
	if _, err := e.Service.ImportUsers(context.Background(), e.Principal(), patches); err != nil {
		t.Fatal(err)
	}
	get := func(target string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", target, nil)
		r.Header.Set("Authorization", "Bearer "+e.Credentials["scim"])
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, r)
		return rec
	}
	eng := fmt.Sprintf("/scim/v2/Groups/%d", e.Eng.ID)
	// Ada and the new members: one more than an answer may list.
	if rec := get(eng); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"scimType":"tooMany"`) {
		t.Fatalf("a group of %d members: got %d %.300s, want 400 tooMany", scim.MaxGroupMembers+1, rec.Code, rec.Body)
	}
	if rec := get(eng + "?excludedAttributes=members"); rec.Code != http.StatusOK {
		t.Fatalf("without members: got %d %.300s, want 200", rec.Code, rec.Body)
	}
	if rec := get(fmt.Sprintf("/scim/v2/Users?count=0&filter=groups+eq+%%22%d%%22", e.Eng.ID)); !strings.Contains(rec.Body.String(), fmt.Sprintf(`"totalResults":%d`, scim.MaxGroupMembers+1)) {
		t.Fatalf("members through a Users filter: got %d %.300s, want totalResults %d", rec.Code, rec.Body, scim.MaxGroupMembers+1)
	}
	// Research (Ada, Bob) fits, Engineering does not: the list says so.
	if rec := get("/scim/v2/Groups"); rec.Code != http.StatusBadRequest {
		t.Fatalf("a list holding the large group: got %d, want 400", rec.Code)
	}
}
