package admin

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// TestWriteListMatchesWriteJSON checks that a list streamed by writeList is
// byte for byte the object writeJSON writes whole, for pages that fit in
// one write and pages that take many, with and without a cursor.
func TestWriteListMatchesWriteJSON(t *testing.T) {
	cursor := "AQ-_<&>"
	for _, n := range []int{0, 1, 2, 3 * flushBytes / 1000} {
		users := make([]directory.User, n)
		want := make([]userJSON, n)
		for i := range users {
			users[i] = dialecttest.SampleUser()
			users[i].ID += int64(i)
			users[i].Comment = strings.Repeat("<é&>", 250)
			want[i] = toUserJSON(users[i])
		}
		check := func(name string, tail, whole any) {
			t.Helper()
			got := httptest.NewRecorder()
			if err := writeList(got, httptest.NewRequest("GET", "/", nil), "users", append([]directory.User(nil), users...), userWire, tail); err != nil {
				t.Fatalf("%d users, %s: %v", n, name, err)
			}
			ref := httptest.NewRecorder()
			if err := writeJSON(ref, 200, whole); err != nil {
				t.Fatal(err)
			}
			if got.Body.String() != ref.Body.String() || got.Code != 200 || got.Header().Get("Content-Type") != ref.Header().Get("Content-Type") {
				t.Errorf("%d users, %s: writeList wrote %d %q\n%.300s\nwriteJSON writes\n%.300s", n, name, got.Code, got.Header().Get("Content-Type"), got.Body, ref.Body)
			}
		}
		type paged struct {
			Users      []userJSON `json:"users"`
			NextCursor *string    `json:"next_cursor"`
		}
		type unpaged struct {
			Users []userJSON `json:"users"`
		}
		check("last page", pageTail{}, paged{Users: want})
		check("cursor", pageTail{NextCursor: &cursor}, paged{Users: want, NextCursor: &cursor})
		check("no tail", struct{}{}, unpaged{Users: want})
	}
}
