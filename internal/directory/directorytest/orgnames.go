package directorytest

import (
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testOrgSiblingNames checks that sibling orgs have distinct names,
// ignoring case, on create, rename and move, and that only one of two
// racing writes of a name gets it.
func testOrgSiblingNames(t *testing.T, f *fixture) {
	svc := directory.NewService(f.s, nil)
	p := directory.System(f.a)
	create := func(name string, parent int64) (directory.Org, error) {
		return svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: &name, ParentID: &parent})
	}
	mustCreate := func(name string, parent int64) directory.Org {
		t.Helper()
		o, err := create(name, parent)
		if err != nil {
			t.Fatalf("create %q below %d: %v", name, parent, err)
		}
		return o
	}
	wantTaken := func(what string, err error) {
		t.Helper()
		e := directory.AsError(err)
		if err == nil || e.Kind != directory.Conflict || e.Constraint != directory.Taken || e.Field != "name" {
			t.Errorf("%s: got %v, want the name taken", what, err)
		}
	}
	sales := mustCreate("Sales", 0)
	wantTaken("a second root org named sales", func() error { _, err := create("sales", 0); return err }())
	emea := mustCreate("EMEA", sales.ID)
	emeaSales := mustCreate("Sales", emea.ID) // another parent: allowed
	wantTaken("a second SALES below EMEA", func() error { _, err := create("SALES", emea.ID); return err }())
	if _, err := svc.CreateOrg(f.ctx, directory.System(f.b), directory.OrgPatch{Name: ptr("Sales")}); err != nil {
		t.Errorf("the same root name in another tenant: %v", err)
	}

	rename := func(id int64, name string) error {
		_, err := svc.UpdateOrg(f.ctx, p, id, 0, directory.OrgPatch{Name: &name})
		return err
	}
	move := func(id, parent int64) error {
		_, err := svc.UpdateOrg(f.ctx, p, id, 0, directory.OrgPatch{ParentID: &parent})
		return err
	}
	apac := mustCreate("APAC", sales.ID)
	wantTaken("renaming APAC to emea", rename(apac.ID, "emea"))
	wantTaken("moving EMEA's Sales to the roots", move(emeaSales.ID, 0))
	if err := rename(emeaSales.ID, "sales"); err != nil {
		t.Errorf("changing the case of an org's own name: %v", err)
	}
	if err := move(emeaSales.ID, apac.ID); err != nil {
		t.Errorf("moving Sales below APAC, which has none: %v", err)
	}
	if got := f.readOrg(t, f.a, emeaSales.ID); got.Name != "sales" || got.ParentID != apac.ID {
		t.Errorf("after rename and move: %+v", got)
	}
	if got := f.readOrg(t, f.a, apac.ID); got.Name != "APAC" {
		t.Errorf("a refused rename changed the org: %+v", got)
	}

	// Two writes of one sibling name at the same moment: exactly one wins.
	for round := range concurrentRounds {
		name := "Race " + strconv.Itoa(round)
		parent := int64(0)
		if round%2 == 1 {
			parent = sales.ID
		}
		var other func() error
		if round%3 == 2 {
			o := mustCreate("Loser "+strconv.Itoa(round), parent)
			other = func() error { return rename(o.ID, name) }
		} else {
			other = func() error { _, err := create(name, parent); return err }
		}
		errA, errB := race(func() error { _, err := create(name, parent); return err }, other)
		if (errA == nil) == (errB == nil) {
			t.Fatalf("round %d: racing writes of %q below %d: %v and %v, want exactly one to win", round, name, parent, errA, errB)
		}
		if errA != nil {
			wantTaken("the losing write", errA)
		} else {
			wantTaken("the losing write", errB)
		}
	}
}
