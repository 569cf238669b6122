package admin_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
)

// TestListIsStreamed reads a page of 1000 of the largest users userd
// stores, some 20 MB, from a real server and checks that the handler sent
// it in small pieces as it encoded them, never gathering the page's answer
// in memory: the largest single write stays near one user.
func TestListIsStreamed(t *testing.T) {
	e, h := newEnv(t)
	e.LargeUsers(t, 1000)
	sized, largest := dialecttest.LargestWrite(h)
	srv := httptest.NewServer(sized)
	defer srv.Close()

	resp, body := dialecttest.Get(t, srv, "/admin/v1/users?limit=1000", "Authorization: Bearer "+e.Credentials["ro"])
	var page struct {
		Users      []json.RawMessage `json:"users"`
		NextCursor *string           `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &page); resp.StatusCode != 200 || err != nil || len(page.Users) != 1000 || page.NextCursor == nil {
		t.Fatalf("got %d, %d users, %v; want 200 with 1000 users and a next cursor", resp.StatusCode, len(page.Users), err)
	}
	const limit = 64 << 10
	if got := largest(); got > limit {
		t.Errorf("largest write of a %d-byte page: got %d bytes, want at most %d", len(body), got, limit)
	}
}
