package directorytest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func testOrgRoundTrip(t *testing.T, f *fixture) {
	root := directory.Org{TenantID: f.a, Name: "Headquarters", Code: "HQ", CreatedAt: at(1), UpdatedAt: at(2)}
	ev := event(f.a, "org.create", "", "name", "code")
	got, err := f.s.CreateOrg(f.ctx, root, ev)
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	checkID(t, "org", got.ID)
	root.ID, root.Version = got.ID, 1
	checkEqual(t, "CreateOrg", got, root)
	checkEqual(t, "Org", f.readOrg(t, f.a, root.ID), root)
	ev.ObjectID = strconv.FormatInt(root.ID, 10)
	f.checkLastEvent(t, f.a, ev)

	child := f.createOrg(t, f.a, "Sales — Zoë's team", "", root.ID)
	want := directory.Org{ID: child.ID, TenantID: f.a, Name: "Sales — Zoë's team", ParentID: root.ID, CreatedAt: t0, UpdatedAt: t0, Version: 1}
	checkEqual(t, "child Org", f.readOrg(t, f.a, child.ID), want)

	byID, err := f.s.OrgsByID(f.ctx, f.a, []int64{child.ID, root.ID})
	if err != nil {
		t.Fatalf("OrgsByID: %v", err)
	}
	if got, want := sortedIDs(byID, orgID), []int64{root.ID, child.ID}; !slices.Equal(got, want) {
		t.Fatalf("OrgsByID: got ids %v, want %v", got, want)
	}

	t.Run("ids never reused", func(t *testing.T) {
		gone := f.createOrg(t, f.a, "Short-lived", "", 0)
		if err := f.s.DeleteOrg(f.ctx, f.a, gone.ID, gone.Version, event(f.a, "org.delete", strconv.FormatInt(gone.ID, 10))); err != nil {
			t.Fatalf("DeleteOrg: %v", err)
		}
		again := f.createOrg(t, f.a, "Short-lived", "", 0)
		if again.ID <= gone.ID {
			t.Errorf("recreated org id: got %d, want more than the deleted %d", again.ID, gone.ID)
		}
	})

	t.Run("another tenant", func(t *testing.T) {
		_, err := f.s.Org(f.ctx, f.b, root.ID)
		checkError(t, "Org of another tenant", err, directory.NotFound, "")
		got, err := f.s.OrgsByID(f.ctx, f.b, []int64{root.ID, child.ID})
		if err != nil || len(got) != 0 {
			t.Errorf("OrgsByID of another tenant: got %d orgs, %v; want none", len(got), err)
		}
		got, err = f.s.ListOrgs(f.ctx, f.b, directory.OrgFilter{Limit: directory.MaxPageSize})
		if err != nil || len(got) != 0 {
			t.Errorf("ListOrgs of another tenant: got %d orgs, %v; want none", len(got), err)
		}
		_, err = f.s.Org(f.ctx, f.a, root.ID+1000)
		checkError(t, "Org that does not exist", err, directory.NotFound, "")
	})

	t.Run("parent must be in the tenant", func(t *testing.T) {
		lastEv := f.lastEventID(t, f.b)
		_, err := f.s.CreateOrg(f.ctx, directory.Org{TenantID: f.b, Name: "Stray", ParentID: root.ID, CreatedAt: t0, UpdatedAt: t0}, event(f.b, "org.create", ""))
		checkError(t, "CreateOrg with another tenant's parent", err, directory.Conflict, "")
		_, err = f.s.CreateOrg(f.ctx, directory.Org{TenantID: f.b, Name: "Stray", ParentID: root.ID + 1000, CreatedAt: t0, UpdatedAt: t0}, event(f.b, "org.create", ""))
		checkError(t, "CreateOrg with a missing parent", err, directory.Conflict, "")
		f.checkNoEventsAfter(t, f.b, lastEv)
	})
}

func testOrgCodes(t *testing.T, f *fixture) {
	f.createOrg(t, f.a, "Finance", "fin", 0)
	f.createOrg(t, f.b, "Finance", "taken-in-b", 0)
	tests := []struct {
		name      string
		tenant    int64
		code      string
		wantField string // "" when allowed
	}{
		{"same code", f.a, "fin", "code"},
		{"same code in another tenant", f.b, "fin", ""},
		{"code of another tenant", f.a, "taken-in-b", ""},
		{"no code", f.a, "", ""},
		{"no code again", f.a, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lastEv := f.lastEventID(t, tc.tenant)
			_, err := f.s.CreateOrg(f.ctx, directory.Org{TenantID: tc.tenant, Name: "Other", Code: tc.code, CreatedAt: t0, UpdatedAt: t0}, event(tc.tenant, "org.create", ""))
			if tc.wantField == "" {
				if err != nil {
					t.Errorf("CreateOrg: got %v, want nil", err)
				}
				return
			}
			checkError(t, "CreateOrg", err, directory.Conflict, tc.wantField)
			f.checkNoEventsAfter(t, tc.tenant, lastEv)
		})
	}

	t.Run("update to a taken code", func(t *testing.T) {
		o := f.createOrg(t, f.a, "Legal", "legal", 0)
		lastEv := f.lastEventID(t, f.a)
		changed := o
		changed.Code = "fin"
		_, err := f.s.UpdateOrg(f.ctx, changed, event(f.a, "org.update", strconv.FormatInt(o.ID, 10), "code"))
		checkError(t, "UpdateOrg", err, directory.Conflict, "code")
		checkEqual(t, "org after a failed update", f.readOrg(t, f.a, o.ID), o)
		f.checkNoEventsAfter(t, f.a, lastEv)
	})
}

func testListOrgs(t *testing.T, f *fixture) {
	root := f.createOrg(t, f.a, "Root", "R", 0)
	eng := f.createOrg(t, f.a, "Engineering", "ENG-1", root.ID)
	ops := f.createOrg(t, f.a, "Operations", "eng-ops", root.ID)
	web := f.createOrg(t, f.a, "Web", "", eng.ID)
	other := f.createOrg(t, f.a, "engagement", "", 0)
	f.createOrg(t, f.b, "Engineering B", "ENG-B", 0)

	tests := []struct {
		name   string
		filter directory.OrgFilter
		want   []int64
	}{
		{"everything", directory.OrgFilter{}, []int64{root.ID, eng.ID, ops.ID, web.ID, other.ID}},
		{"children of root", directory.OrgFilter{ParentID: root.ID}, []int64{eng.ID, ops.ID}},
		{"children of a leaf", directory.OrgFilter{ParentID: web.ID}, nil},
		{"roots", directory.OrgFilter{Roots: true}, []int64{root.ID, other.ID}},
		{"roots by query", directory.OrgFilter{Roots: true, Query: "ENGA"}, []int64{other.ID}},
		{"query by name or code ignoring case", directory.OrgFilter{Query: "eng"}, []int64{eng.ID, ops.ID, other.ID}},
		{"query is a prefix", directory.OrgFilter{Query: "ops"}, nil},
		{"query and parent", directory.OrgFilter{ParentID: root.ID, Query: "OPER"}, []int64{ops.ID}},
		{"after id", directory.OrgFilter{AfterID: ops.ID}, []int64{web.ID, other.ID}},
		{"limit", directory.OrgFilter{Query: "e", Limit: 2}, []int64{eng.ID, ops.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.filter.Limit == 0 {
				tc.filter.Limit = directory.MaxPageSize
			}
			got, err := f.s.ListOrgs(f.ctx, f.a, tc.filter)
			if err != nil {
				t.Fatalf("ListOrgs: %v", err)
			}
			if g := ids(got, orgID); !slices.Equal(g, tc.want) {
				t.Errorf("ListOrgs(%+v): got ids %v, want %v", tc.filter, g, tc.want)
			}
		})
	}
}

func testUpdateOrg(t *testing.T, f *fixture) {
	parent := f.createOrg(t, f.a, "Parent", "", 0)
	o := f.createOrg(t, f.a, "Before", "before", 0)

	want := o
	want.Name, want.Code, want.ParentID, want.UpdatedAt = "After", "after", parent.ID, at(5)
	ev := event(f.a, "org.update", strconv.FormatInt(o.ID, 10), "name", "code", "parent_id")
	got, err := f.s.UpdateOrg(f.ctx, want, ev)
	if err != nil {
		t.Fatalf("UpdateOrg: %v", err)
	}
	want.Version = 2
	checkEqual(t, "UpdateOrg", got, want)
	checkEqual(t, "Org", f.readOrg(t, f.a, o.ID), want)
	f.checkLastEvent(t, f.a, ev)

	t.Run("back to a root without code", func(t *testing.T) {
		want := f.readOrg(t, f.a, o.ID)
		want.Code, want.ParentID = "", 0
		got, err := f.s.UpdateOrg(f.ctx, want, event(f.a, "org.update", strconv.FormatInt(o.ID, 10), "code", "parent_id"))
		if err != nil {
			t.Fatalf("UpdateOrg: %v", err)
		}
		want.Version++
		checkEqual(t, "UpdateOrg", got, want)
		checkEqual(t, "Org", f.readOrg(t, f.a, o.ID), want)
	})

	t.Run("stale version", func(t *testing.T) {
		cur := f.readOrg(t, f.a, o.ID)
		lastEv := f.lastEventID(t, f.a)
		stale := cur
		stale.Version--
		stale.Name = "Should Not Stick"
		_, err := f.s.UpdateOrg(f.ctx, stale, event(f.a, "org.update", strconv.FormatInt(o.ID, 10), "name"))
		checkVersionMismatch(t, "UpdateOrg", err)
		checkEqual(t, "Org", f.readOrg(t, f.a, o.ID), cur)
		f.checkNoEventsAfter(t, f.a, lastEv)
	})

	t.Run("missing org", func(t *testing.T) {
		missing := f.readOrg(t, f.a, o.ID)
		missing.ID += 1000
		_, err := f.s.UpdateOrg(f.ctx, missing, event(f.a, "org.update", strconv.FormatInt(missing.ID, 10), "name"))
		checkError(t, "UpdateOrg", err, directory.NotFound, "")
	})

	t.Run("another tenant's org", func(t *testing.T) {
		foreign := f.createOrg(t, f.b, "Foreign", "foreign", 0)
		hijack := foreign
		hijack.TenantID = f.a
		hijack.Name = "Hijacked"
		_, err := f.s.UpdateOrg(f.ctx, hijack, event(f.a, "org.update", strconv.FormatInt(foreign.ID, 10), "name"))
		checkError(t, "UpdateOrg", err, directory.NotFound, "")
		checkEqual(t, "foreign org", f.readOrg(t, f.b, foreign.ID), foreign)
	})

	t.Run("parent in another tenant", func(t *testing.T) {
		foreign := f.createOrg(t, f.b, "Foreign parent", "", 0)
		cur := f.readOrg(t, f.a, o.ID)
		changed := cur
		changed.ParentID = foreign.ID
		_, err := f.s.UpdateOrg(f.ctx, changed, event(f.a, "org.update", strconv.FormatInt(o.ID, 10), "parent_id"))
		checkError(t, "UpdateOrg", err, directory.Conflict, "")
		checkEqual(t, "Org", f.readOrg(t, f.a, o.ID), cur)
	})
}

func testDeleteOrg(t *testing.T, f *fixture) {
	parent := f.createOrg(t, f.a, "Parent", "p", 0)
	child := f.createOrg(t, f.a, "Child", "c", parent.ID)
	member := user(f.a, "member")
	member.Orgs = []directory.Membership{{OrgID: child.ID}}
	member = f.createUser(t, member)
	foreign := f.createOrg(t, f.b, "Foreign", "", 0)

	del := func(tenant, id, version int64) error {
		return f.s.DeleteOrg(f.ctx, tenant, id, version, event(tenant, "org.delete", strconv.FormatInt(id, 10)))
	}
	tests := []struct {
		name     string
		tenant   int64
		id       int64
		version  int64
		wantKind directory.Kind
	}{
		{"org with a child", f.a, parent.ID, 0, directory.Conflict},
		{"org with a member", f.a, child.ID, child.Version, directory.Conflict},
		{"stale version", f.a, child.ID, child.Version + 1, directory.PreconditionFailed},
		{"missing org", f.a, foreign.ID + 1000, 0, directory.NotFound},
		{"another tenant's org", f.a, foreign.ID, 0, directory.NotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lastEv := f.lastEventID(t, tc.tenant)
			checkError(t, "DeleteOrg", del(tc.tenant, tc.id, tc.version), tc.wantKind, "")
			f.checkNoEventsAfter(t, tc.tenant, lastEv)
			checkEqual(t, "parent", f.readOrg(t, f.a, parent.ID), parent)
			checkEqual(t, "child", f.readOrg(t, f.a, child.ID), child)
			checkEqual(t, "foreign", f.readOrg(t, f.b, foreign.ID), foreign)
			checkEqual(t, "member", f.readUser(t, f.a, member.ID), member)
		})
	}

	t.Run("empty org", func(t *testing.T) {
		moved := member
		moved.Orgs = nil
		if _, err := f.s.UpdateUser(f.ctx, moved, event(f.a, "user.update", strconv.FormatInt(member.ID, 10), "orgs")); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		ev := event(f.a, "org.delete", strconv.FormatInt(child.ID, 10))
		if err := f.s.DeleteOrg(f.ctx, f.a, child.ID, child.Version, ev); err != nil {
			t.Fatalf("DeleteOrg of an empty org: %v", err)
		}
		f.checkLastEvent(t, f.a, ev)
		_, err := f.s.Org(f.ctx, f.a, child.ID)
		checkError(t, "Org after delete", err, directory.NotFound, "")
		if err := del(f.a, parent.ID, 0); err != nil {
			t.Errorf("DeleteOrg of a parent whose child was deleted: got %v, want nil", err)
		}
		checkError(t, "DeleteOrg twice", del(f.a, parent.ID, 0), directory.NotFound, "")
	})
}
