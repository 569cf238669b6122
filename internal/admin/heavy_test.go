package admin_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/dialecttest"
)

// TestListIsStreamed reads a page of 200 of the largest users userd stores,
// some 6 MB, from a real server and checks that the handler sent it in
// small pieces as it encoded them, never gathering the page's answer in
// memory: the largest single write stays near one user, whatever the page
// size.
func TestListIsStreamed(t *testing.T) {
	e, h := newEnv(t)
	e.LargeUsers(t, 200)
	sized, largest := dialecttest.LargestWrite(h)
	srv := httptest.NewServer(sized)
	defer srv.Close()

	resp, body := dialecttest.Get(t, srv, "/admin/v1/users?limit=200", "Authorization: Bearer "+e.Credentials["ro"])
	var page struct {
		Users      []json.RawMessage `json:"users"`
		NextCursor *string           `json:"next_cursor"`
	}
	if err := json.Unmarshal(body, &page); resp.StatusCode != 200 || err != nil || len(page.Users) != 200 || page.NextCursor == nil {
		t.Fatalf("got %d, %d users, %v; want 200 with 200 users and a next cursor", resp.StatusCode, len(page.Users), err)
	}
	const limit = 64 << 10
	if got := largest(); got > limit {
		t.Errorf("largest write of a %d-byte page: got %d bytes, want at most %d", len(body), got, limit)
	}
}

// TestHeavyReadsAdmitted holds list answers in flight on a real server and
// checks both bounds: a credential past its own gets 429 while another
// credential of its tenant is served, and past the node's bound every
// credential gets 503, each a problem with Retry-After. Reads of one object
// are never refused, and once the held answers finish the bounds admit
// again.
func TestHeavyReadsAdmitted(t *testing.T) {
	e, _ := newEnv(t)
	gate := dialecttest.NewGate(t, e)
	heavy := admission.New(admission.Limits{Total: 300, PerPrincipal: 200}) // items: three default pages, two
	mux := http.NewServeMux()
	d := e.Deps()
	d.Service, d.HeavyReads = gate.Service, heavy
	admin.Routes(mux, d)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	bearer := func(cred string) string { return "Authorization: Bearer " + e.Credentials[cred] }
	held := "/admin/v1/users?username=" + dialecttest.HeldUsername
	done := make(chan int, 3)
	expect := func(target, cred string, status int, problemType string) {
		t.Helper()
		resp, body := dialecttest.Get(t, srv, target, bearer(cred))
		if resp.StatusCode != status {
			t.Errorf("GET %s as %s: got %d %s, want %d", target, cred, resp.StatusCode, body, status)
			return
		}
		if problemType == "" {
			return
		}
		var p struct{ Type string }
		if json.Unmarshal(body, &p) != nil || !strings.HasSuffix(p.Type, "#"+problemType) || resp.Header.Get("Retry-After") != "1" {
			t.Errorf("GET %s as %s: got %s with Retry-After %q, want a %s problem with Retry-After 1", target, cred, body, resp.Header.Get("Retry-After"), problemType)
		}
	}

	gate.Hold(t, srv, held, done, bearer("ro")) // 100 users, the default page
	expect("/admin/v1/users?limit=101", "ro", 429, "too-many-requests")
	expect("/admin/v1/users?limit=100", "ro", 200, "")
	gate.Hold(t, srv, held, done, bearer("ro"))
	expect("/admin/v1/users?limit=1", "ro", 429, "too-many-requests")
	expect("/admin/v1/orgs", "ro", 429, "too-many-requests")
	expect("/admin/v1/users/"+id(e.Ada.ID), "ro", 200, "")
	expect("/admin/v1/users", "rw", 200, "")

	gate.Hold(t, srv, held, done, bearer("rw"))
	expect("/admin/v1/users", "rw", 503, "overloaded")
	expect("/admin/v1/audit-events", "all", 503, "overloaded")
	expect("/admin/v1/users", "other", 503, "overloaded")
	expect("/admin/v1/users", "ro", 429, "too-many-requests")

	gate.Drain(t, done, 3, heavy)
	expect("/admin/v1/users", "ro", 200, "")
}

// TestHeavyReadLimitGolden pins the 429 and 503 answers of a list.
func TestHeavyReadLimitGolden(t *testing.T) {
	e, _ := newEnv(t)
	heavy := admission.New(admission.Limits{Total: 200, PerPrincipal: 100})
	mux := http.NewServeMux()
	d := e.Deps()
	d.HeavyReads = heavy
	admin.Routes(mux, d)
	for _, x := range []struct {
		holder string
		x      dialecttest.Exchange
	}{
		{"ro", dialecttest.Exchange{Name: "users-list-too-many", Target: "/admin/v1/users", Header: []string{"Authorization: Bearer {{ro}}"}}},
		{"rw", dialecttest.Exchange{Name: "users-list-overloaded", Target: "/admin/v1/users", Header: []string{"Authorization: Bearer {{all}}"}}},
	} {
		e.Occupy(t, heavy, x.holder, 100)
		x.x.Method = "GET"
		t.Run(x.x.Name, func(t *testing.T) { e.Golden(t, mux, x.x, *update, nil) })
	}
}
