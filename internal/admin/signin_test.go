package admin_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// newSignInEnv is newEnv with a credential "check" holding only
// users:authenticate.
func newSignInEnv(t *testing.T) (*dialecttest.Env, http.Handler) {
	t.Helper()
	e, h := newEnv(t)
	_, secret, err := e.Service.CreateAPIToken(context.Background(), directory.System(e.Tenant.ID), "check", directory.Scopes{directory.ScopeUsersAuthenticate}, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.Credentials["check"] = secret.Reveal()
	return e, h
}

func TestSignInGolden(t *testing.T) {
	e, h := newSignInEnv(t)
	ada := id(e.Ada.ID)
	auth := func(cred string) string { return "Authorization: Bearer {{" + cred + "}}" }
	const asJSON = "Content-Type: application/json"
	exchanges := []dialecttest.Exchange{
		{Name: "authenticate", Method: "POST", Target: "/admin/v1/users/authenticate", Header: []string{auth("check"), asJSON},
			Body: `{"login":"ADA@example.com","password":"correct horse battery","remote_ip":"198.51.100.7"}`},
		{Name: "authenticate-wrong-password", Method: "POST", Target: "/admin/v1/users/authenticate", Header: []string{auth("check"), asJSON},
			Body: `{"login":"ada","password":"wrong horse"}`},
		{Name: "authenticate-missing-password", Method: "POST", Target: "/admin/v1/users/authenticate", Header: []string{auth("check"), asJSON},
			Body: `{"login":"ada"}`},
		{Name: "authenticate-bad-client-ip", Method: "POST", Target: "/admin/v1/users/authenticate", Header: []string{auth("check"), asJSON},
			Body: `{"login":"ada","password":"x","remote_ip":"somewhere"}`},
		{Name: "authenticate-missing-scope", Method: "POST", Target: "/admin/v1/users/authenticate", Header: []string{auth("rw"), asJSON},
			Body: `{"login":"ada","password":"correct horse battery"}`},
		{Name: "role-get", Method: "GET", Target: "/admin/v1/users/" + ada + "/role", Header: []string{auth("ro")}},
		{Name: "role-put", Method: "PUT", Target: "/admin/v1/users/" + ada + "/role", Header: []string{auth("all"), asJSON},
			Body: `{"console_role":"admin"}`},
		{Name: "role-put-unknown", Method: "PUT", Target: "/admin/v1/users/" + ada + "/role", Header: []string{auth("all"), asJSON},
			Body: `{"console_role":"owner"}`},
		{Name: "role-put-missing-scope", Method: "PUT", Target: "/admin/v1/users/" + ada + "/role", Header: []string{auth("rw"), asJSON},
			Body: `{"console_role":"viewer"}`},
		{Name: "role-get-other-tenant", Method: "GET", Target: "/admin/v1/users/" + id(e.Carol.ID) + "/role", Header: []string{auth("ro")}},
	}
	for _, x := range exchanges {
		t.Run(x.Name, func(t *testing.T) {
			e.Golden(t, h, x, *update, mask)
		})
	}
}

// TestAuthenticateUniformFailure checks that every reason a password check
// fails gets the same answer, and that every attempt is in the audit log
// without the password.
func TestAuthenticateUniformFailure(t *testing.T) {
	e, h := newSignInEnv(t)
	ctx := context.Background()
	sys := directory.System(e.Tenant.ID)
	pw := "a fine password"
	// dave is disabled, erin locked, frank has no password; carol is of
	// another tenant; bob has no password and is locked and disabled.
	for _, patch := range []directory.UserPatch{
		{Username: ptr("dave"), Password: &pw, Active: ptr(false)},
		{Username: ptr("erin"), Password: &pw, Locked: ptr(true)},
		{Username: ptr("frank")},
	} {
		if _, err := e.Service.CreateUser(ctx, sys, directory.OriginAPI, patch); err != nil {
			t.Fatal(err)
		}
	}
	before, err := directory.Collect(func(after int64) ([]directory.Event, int64, error) {
		return e.Service.AuditEvents(ctx, sys, after, 1000)
	})
	if err != nil {
		t.Fatal(err)
	}
	var first string
	cases := []struct{ name, login, password string }{
		{"unknown user", "nobody", pw},
		{"wrong password", "ada", pw},
		{"disabled", "dave", pw},
		{"locked", "erin", pw},
		{"no password", "frank", pw},
		{"other tenant", "carol", pw},
		{"locked and disabled", "bob", pw},
	}
	for _, tc := range cases {
		rec := send(t, e, h, "POST", "/admin/v1/users/authenticate", "check", `{"login":"`+tc.login+`","password":"`+tc.password+`"}`)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: got status %d, want 400; body %s", tc.name, rec.Code, rec.Body)
		}
		if first == "" {
			first = rec.Body.String()
		} else if rec.Body.String() != first {
			t.Errorf("%s: got body %s, want the same as the first failure: %s", tc.name, rec.Body, first)
		}
		if rec.Header().Get("WWW-Authenticate") != "" {
			t.Errorf("%s: a WWW-Authenticate header says the caller's credential failed", tc.name)
		}
	}
	all, err := directory.Collect(func(after int64) ([]directory.Event, int64, error) {
		return e.Service.AuditEvents(ctx, sys, after, 1000)
	})
	if err != nil {
		t.Fatal(err)
	}
	recorded := 0
	for _, ev := range all[len(before):] {
		if ev.Action == "user.authenticate.failed" {
			recorded++
		}
		if strings.Contains(strings.Join(ev.Fields, " ")+ev.ObjectID+ev.Actor, pw) {
			t.Errorf("audit event %+v holds the password", ev)
		}
	}
	if recorded != len(cases) {
		t.Errorf("failed checks in the audit log: got %d, want %d", recorded, len(cases))
	}
}

// TestAuthenticateLockout checks that the password check counts toward the
// account lockout and the per-address limit, as console sign-in does.
func TestAuthenticateLockout(t *testing.T) {
	e, h := newSignInEnv(t)
	e.Service.SetSignInLimits(directory.SignInLimits{MaxAccountFailures: 3, MaxAddressFailures: 5})
	for range 3 {
		send(t, e, h, "POST", "/admin/v1/users/authenticate", "check", `{"login":"ada","password":"wrong horse"}`)
	}
	u, err := e.Service.User(context.Background(), e.Principal(), e.Ada.ID)
	if err != nil || !u.Locked {
		t.Fatalf("after 3 failures: locked %v (%v), want locked", u.Locked, err)
	}
	rec := send(t, e, h, "POST", "/admin/v1/users/authenticate", "check", `{"login":"ada","password":"correct horse battery"}`)
	want(t, rec, http.StatusBadRequest)
	// The address has 3 failures (a right password is none): two more,
	// then it must wait.
	for range 2 {
		send(t, e, h, "POST", "/admin/v1/users/authenticate", "check", `{"login":"ada","password":"x"}`)
	}
	rec = send(t, e, h, "POST", "/admin/v1/users/authenticate", "check", `{"login":"ada","password":"x"}`)
	want(t, rec, http.StatusTooManyRequests)
	if rec.Header().Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	// Another end-user address, passed by the caller, is not held up.
	rec = send(t, e, h, "POST", "/admin/v1/users/authenticate", "check", `{"login":"bob","password":"x","remote_ip":"198.51.100.8"}`)
	want(t, rec, http.StatusBadRequest)
}

func ptr[T any](v T) *T { return &v }
