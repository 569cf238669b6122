package console_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// postForm finds a form that posts, and where to.
var postForm = regexp.MustCompile(`<form method="post" action="([^"]*)"`)

// TestViewerSeesNoWriteForm checks that a viewer (read-only role) is
// shown no form that changes the directory on any page, only signing out,
// and that a write it forges anyway, with a valid CSRF token, is refused
// by the Service and changes nothing.
func TestViewerSeesNoWriteForm(t *testing.T) {
	e := newEnv(t, false)
	e.consoleUser(t, "viewer", "viewer password 1", directory.RoleViewer, false)
	b := e.browser(t)
	if resp, body := b.signIn("viewer", "viewer password 1"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in as viewer: status %d; page:\n%s", resp.StatusCode, body)
	}
	ada, eng := itoa(e.Ada.ID), itoa(e.Eng.ID)
	pages := []string{"/console/users", "/console/users?q=a", "/console/users/" + ada, "/console/users/new", "/console/users/" + ada + "/delete",
		"/console/orgs", "/console/orgs/" + eng, "/console/clients", "/console/audit", "/console/import", "/console/webhooks"}
	for _, path := range pages {
		resp, body := b.get(path)
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusForbidden {
			t.Errorf("GET %s as viewer: status %d, want 200 (or 403 where the Service refuses a viewer the page)", path, resp.StatusCode)
		}
		for _, m := range postForm.FindAllStringSubmatch(body, -1) {
			if m[1] != "/console/signout" {
				t.Errorf("GET %s as viewer: the page has a form posting to %s", path, m[1])
			}
		}
	}

	before, _ := e.Service.User(t.Context(), e.Principal(), e.Ada.ID)
	b.get("/console/users") // a fresh CSRF token
	writes := []struct {
		path string
		form url.Values
	}{
		{"/console/users/" + ada, url.Values{"version": {itoa(before.Version)}, "username": {"taken-over"}}},
		{"/console/users/" + ada + "/flag", url.Values{"flag": {"active"}}},
		{"/console/users/" + ada + "/password", url.Values{"password": {"forged password 1"}}},
		{"/console/users/" + ada + "/delete", url.Values{"version": {itoa(before.Version)}}},
		{"/console/users/new", url.Values{"username": {"forged"}}},
		{"/console/orgs/new", url.Values{"name": {"Forged"}}},
		{"/console/orgs/" + eng + "/delete", url.Values{}},
		{"/console/clients/new", url.Values{"name": {"forged"}, "scope": {"users:read"}}},
		{"/console/tokens/new", url.Values{"name": {"forged"}, "scope": {"users:read"}}},
		{"/console/webhooks/new", url.Values{"url": {"https://93.184.215.14/hook"}}},
	}
	for _, w := range writes {
		resp, _ := b.post(w.path, w.form)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s as viewer: status %d, want 403", w.path, resp.StatusCode)
		}
	}
	after, _ := e.Service.User(t.Context(), e.Principal(), e.Ada.ID)
	if after.Version != before.Version || after.Username != before.Username || !after.Active {
		t.Errorf("after the viewer's forged writes Ada is at version %d (%q, active %v), want unchanged version %d", after.Version, after.Username, after.Active, before.Version)
	}
	if _, err := e.Service.UserByUsername(t.Context(), e.Principal(), "forged", directory.WholeUser); directory.KindOf(err) != directory.NotFound {
		t.Errorf("the viewer's forged create made a user: %v", err)
	}
}
