package directorytest

import (
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testUpdateUserWithoutOrgs checks that Service.UpdateUserWithoutOrgs
// stores and answers what UpdateUser does, less the memberships in the
// answer: a patch that leaves the memberships alone keeps them stored,
// bumps the version once and lists exactly the changed fields; one that
// changes nothing leaves the version; a stale version is refused; a patch
// that sets memberships still has them checked and stored.
func testUpdateUserWithoutOrgs(t *testing.T, f *fixture) {
	svc := directory.NewService(f.s, nil)
	p := directory.System(f.a)
	mgr := f.createUser(t, user(f.a, "grace"))
	eng := f.createOrg(t, f.a, "Engineering", "eng", 0)
	ops := f.createOrg(t, f.a, "Operations", "ops", 0)
	orgs := []directory.Membership{{OrgID: eng.ID, Primary: true}}
	ada := user(f.a, "ada")
	ada.Name, ada.ManagerID, ada.Orgs = "Ada", mgr.ID, orgs
	u := f.createUser(t, ada)

	city := "Paris"
	got, err := svc.UpdateUserWithoutOrgs(f.ctx, p, u.ID, u.Version, directory.UserPatch{City: &city, Name: &u.Name})
	if err != nil {
		t.Fatalf("UpdateUserWithoutOrgs: %v", err)
	}
	stored := f.readUser(t, f.a, u.ID)
	if !slices.Equal(stored.Orgs, orgs) {
		t.Errorf("stored memberships %v, want %v as before", stored.Orgs, orgs)
	}
	if stored.City != city || stored.Version != u.Version+1 {
		t.Errorf("stored city %q version %d, want %q and %d", stored.City, stored.Version, city, u.Version+1)
	}
	want := stored
	want.Orgs = nil
	checkEqual(t, "answer", got, want)
	evs := f.events(t, f.a)
	if last := evs[len(evs)-1]; last.Action != "user.update" || len(last.Fields) != 1 || last.Fields[0] != "city" {
		t.Errorf("last audit event %q with fields %v, want user.update with [city]", last.Action, last.Fields)
	}

	// A patch that changes nothing writes nothing.
	again, err := svc.UpdateUserWithoutOrgs(f.ctx, p, u.ID, 0, directory.UserPatch{City: &city})
	if err != nil {
		t.Fatalf("UpdateUserWithoutOrgs, no change: %v", err)
	}
	if again.Version != stored.Version || again.Orgs != nil {
		t.Errorf("a patch that changes nothing answered version %d with orgs %v, want version %d and no orgs", again.Version, again.Orgs, stored.Version)
	}
	if f.readUser(t, f.a, u.ID).Version != stored.Version {
		t.Errorf("a patch that changes nothing changed the version")
	}

	// A stale version is refused.
	other := "Lyon"
	if _, err := svc.UpdateUserWithoutOrgs(f.ctx, p, u.ID, u.Version, directory.UserPatch{City: &other}); err != directory.ErrVersionMismatch {
		t.Errorf("stale version: got %v, want ErrVersionMismatch", err)
	}

	// Memberships in the patch are still checked and stored.
	missing := []directory.Membership{{OrgID: ops.ID + 1000, Primary: true}}
	if _, err := svc.UpdateUserWithoutOrgs(f.ctx, p, u.ID, 0, directory.UserPatch{Orgs: &missing}); directory.KindOf(err) != directory.Invalid {
		t.Errorf("a patch naming a missing org: got %v, want Invalid", err)
	}
	moved := []directory.Membership{{OrgID: ops.ID, Primary: true}}
	if _, err := svc.UpdateUserWithoutOrgs(f.ctx, p, u.ID, 0, directory.UserPatch{Orgs: &moved}); err != nil {
		t.Fatalf("UpdateUserWithoutOrgs with orgs: %v", err)
	}
	if after := f.readUser(t, f.a, u.ID).Orgs; !slices.Equal(after, moved) {
		t.Errorf("stored memberships after a patch of orgs %v, want %v", after, moved)
	}
}
