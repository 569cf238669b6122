package scim_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

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
