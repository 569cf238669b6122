package console_test

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// userForm is the user page's form as a browser would send it back
// unchanged, read from the page.
func userForm(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range inputValue.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range textareaValue.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	for _, m := range checkedBox.FindAllStringSubmatch(body, -1) {
		v.Set(m[1], "on")
	}
	return v
}

// TestUserEditConflict checks that two admins who edit one user never
// overwrite each other silently: the second save is refused, the page
// shows the other admin's values with the refused admin's beside them, and
// saving again applies them.
func TestUserEditConflict(t *testing.T) {
	e := newEnv(t, false)
	alice, bob := e.browser(t), e.browser(t)
	alice.signInRoot()
	bob.signInRoot()
	path := "/console/users/" + itoa(e.Ada.ID)
	resp, aliceBody := alice.get(path)
	if got := resp.Header.Get("ETag"); got != `"1"` {
		t.Errorf("user page ETag %q, want \"1\"", got)
	}
	_, bobBody := bob.get(path)
	aliceForm := formOf(t, aliceBody)
	aliceForm.Set("city", "Paris")
	resp, _ = alice.post(path, aliceForm)
	wantStatus(t, "alice saves", resp, http.StatusSeeOther)

	bobForm := formOf(t, bobBody)
	bobForm.Set("city", "Oxford")
	bobForm.Set("country", "FR")
	resp, body := bob.post(path, bobForm)
	wantStatus(t, "bob saves an old version", resp, http.StatusPreconditionFailed)
	for _, want := range []string{`id="conflict"`, `value="Paris"`, `<q>Oxford</q>`, `<q>FR</q>`} {
		if !strings.Contains(body, want) {
			t.Errorf("conflict page lacks %s", want)
		}
	}
	u, _ := e.Service.User(t.Context(), e.Principal(), e.Ada.ID)
	if u.City != "Paris" || u.Country != "GB" {
		t.Fatalf("after the refused save: city %q country %q, want Alice's Paris and the old GB", u.City, u.Country)
	}
	again := formOf(t, body)
	again.Set("city", "Oxford")
	resp, body = bob.post(path, again)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("bob saves again over Alice's version: status %d, want 303; page:\n%s", resp.StatusCode, body)
	}
	u, _ = e.Service.User(t.Context(), e.Principal(), e.Ada.ID)
	if u.City != "Oxford" {
		t.Fatalf("city %q after saving again, want Oxford", u.City)
	}
}

// TestUserEditInvalid checks that a rejected edit keeps the admin's input
// and changes nothing: bad extension JSON, a taken username.
func TestUserEditInvalid(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signInRoot()
	path := "/console/users/" + itoa(e.Ada.ID)
	for _, tc := range []struct{ field, value, want string }{
		{"extension", `{"team": `, "extension: must be a JSON object"},
		{"extension", `[1, 2]`, "extension: must be a JSON object"},
		{"username", "bob", `&#34;bob&#34; is taken by another user`},
		{"grade", "high", "grade: must be a number"},
	} {
		_, page := b.get(path)
		form := formOf(t, page)
		form.Set(tc.field, tc.value)
		resp, body := b.post(path, form)
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusConflict {
			t.Errorf("%s=%q: status %d, want 400 or 409", tc.field, tc.value, resp.StatusCode)
		}
		if !strings.Contains(body, tc.want) {
			t.Errorf("%s=%q: the page does not say %q", tc.field, tc.value, tc.want)
		}
		if strings.Contains(body, "constraint failed") || strings.Contains(body, "UNIQUE") {
			t.Errorf("%s=%q: the page shows the database's words", tc.field, tc.value)
		}
	}
	u, _ := e.Service.User(t.Context(), e.Principal(), e.Ada.ID)
	if u.Version != e.Ada.Version {
		t.Fatalf("rejected edits changed the user to version %d", u.Version)
	}
}

// TestImportPart checks the import endpoint the page's script calls for
// each part of a file: line numbers count from the part's place in the
// file, bad lines are reported and good ones kept.
func TestImportPart(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signInRoot()
	b.get("/console/import")
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf", b.csrf)
	_ = mw.WriteField("format", "csv")
	_ = mw.WriteField("offset", "40")
	_ = mw.WriteField("data", "username,email\nzoe,zoe@example.com\nada,\nyan,not-an-email\n")
	mw.Close()
	req, _ := http.NewRequest("POST", e.srv.URL+"/console/import", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Accept", "application/json")
	resp, out := b.do(req)
	wantStatus(t, "import", resp, http.StatusOK)
	var res struct {
		Imported, Failed int
		Errors           []struct {
			Line  int
			Error string
		}
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Imported != 1 || res.Failed != 2 || len(res.Errors) != 2 || res.Errors[0].Line != 43 || res.Errors[1].Line != 44 {
		t.Fatalf("got %+v, want zoe (line 42) imported and lines 43 (ada taken) and 44 (bad email) reported", res)
	}
	if !strings.Contains(res.Errors[0].Error, "taken") || strings.Contains(res.Errors[0].Error, "UNIQUE") {
		t.Errorf("line 43: %q", res.Errors[0].Error)
	}
}

// TestAuditFilter checks the audit page's filters: a user's history is
// the events whose object is the user.
func TestAuditFilter(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signInRoot()
	_, page := b.get("/console/users/" + itoa(e.Ada.ID))
	form := formOf(t, page)
	form.Set("city", "Paris")
	if resp, _ := b.post("/console/users/"+itoa(e.Ada.ID), form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	if !strings.Contains(page, `href="/console/audit?object=`+itoa(e.Ada.ID)+`"`) {
		t.Error("the user page does not link to the user's history")
	}
	resp, body := b.get("/console/audit?object=" + itoa(e.Ada.ID) + "&action=user.update")
	wantStatus(t, "audit", resp, http.StatusOK)
	rows := strings.Count(body, "<td>user.update</td>")
	if rows != 1 || !strings.Contains(body, "<td>user:"+itoa(e.root.ID)+"</td>") || strings.Contains(body, "<td>user.create</td>") {
		t.Errorf("audit filtered by object and action: %d user.update rows, want 1 by root and no others:\n%s", rows, body)
	}
	resp, _ = b.get("/console/audit?since=yesterday")
	wantStatus(t, "a bad time", resp, http.StatusBadRequest)
}

// TestOrgMembers checks an org's page: its members a page at a time.
func TestOrgMembers(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signInRoot()
	resp, body := b.get("/console/orgs/" + itoa(e.Research.ID))
	wantStatus(t, "org page", resp, http.StatusOK)
	for _, want := range []string{">ada</a>", ">bob</a>"} {
		if !strings.Contains(body, want) {
			t.Errorf("Research's page lacks member %s", want)
		}
	}
	_, body = b.get("/console/orgs/" + itoa(e.Eng.ID))
	if !strings.Contains(body, ">ada</a>") || strings.Contains(body, ">bob</a>") {
		t.Errorf("Engineering's page: want ada and not bob")
	}
}
