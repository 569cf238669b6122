package directory_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestPasswordChangeAudited checks that setting a password is audited as
// the field name "password" and nothing of its value.
func TestPasswordChangeAudited(t *testing.T) {
	f := newFixture(t)
	const pw = "a secret passphrase"
	u, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr("ann"), Password: ptr(pw)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, directory.UserPatch{Password: ptr(pw + "2"), Name: ptr("Ann")}); err != nil {
		t.Fatal(err)
	}
	evs, _, err := f.svc.AuditEvents(f.ctx, f.a, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("got %d events, want create and update", len(evs))
	}
	for _, ev := range evs {
		if !slices.Contains(ev.Fields, "password") {
			t.Errorf("%s: got fields %v, want password among them", ev.Action, ev.Fields)
		}
		if all := strings.Join(append(ev.Fields, ev.Actor, ev.ObjectID, ev.Action), " "); strings.Contains(all, pw) || strings.Contains(all, "argon2") {
			t.Errorf("%s: event %+v holds the password or its hash", ev.Action, ev)
		}
	}
}
