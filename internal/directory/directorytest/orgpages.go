package directorytest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// orgModel is a tenant's org tree read whole, to work out what every page
// of OrgsByPage must hold.
type orgModel struct {
	orgs     []directory.Org // in id order
	children map[int64][]int64
}

// orgModel reads every org of tenant.
func (f *fixture) orgModel(t *testing.T, tenant int64) orgModel {
	t.Helper()
	m := orgModel{children: map[int64][]int64{}}
	for {
		page, err := f.s.ListOrgs(f.ctx, tenant, directory.OrgFilter{AfterID: lastOrgID(m.orgs), Limit: directory.MaxPageSize})
		if err != nil {
			t.Fatalf("ListOrgs: %v", err)
		}
		m.orgs = append(m.orgs, page...)
		if len(page) < directory.MaxPageSize {
			break
		}
	}
	for _, o := range m.orgs {
		m.children[o.ParentID] = append(m.children[o.ParentID], o.ID)
	}
	return m
}

func lastOrgID(orgs []directory.Org) int64 {
	if len(orgs) == 0 {
		return 0
	}
	return orgs[len(orgs)-1].ID
}

// want returns the ids f selects, in order, as docs/api/tenant-v2.md
// words the four cases: the roots, or every org but the roots, in id
// order; or the org, then its children, or every level below it, each
// level in id order. ok is false when the tenant has no org f.OrgID.
func (m orgModel) want(f directory.OrgPage) (ids []int64, ok bool) {
	ids = []int64{}
	if f.OrgID == 0 {
		for _, o := range m.orgs {
			if (o.ParentID == 0) != f.AllChild {
				ids = append(ids, o.ID)
			}
		}
		return ids, true
	}
	if !slices.ContainsFunc(m.orgs, func(o directory.Org) bool { return o.ID == f.OrgID }) {
		return nil, false
	}
	ids = append(ids, f.OrgID)
	for level := []int64{f.OrgID}; len(level) > 0; {
		var next []int64
		for _, id := range level {
			next = append(next, m.children[id]...)
		}
		slices.Sort(next)
		ids = append(ids, next...)
		if !f.AllChild {
			break
		}
		level = next
	}
	return ids, true
}

// checkOrgPages walks every page of every case of OrgsByPage in tenant
// f.a, at each limit, and compares the pages and totals with the model;
// an org of tenant f.b, or of no tenant, is NotFound.
func (f *fixture) checkOrgPages(t *testing.T, svc *directory.Service, foreign int64, limits ...int) {
	t.Helper()
	m := f.orgModel(t, f.a)
	p := directory.System(f.a)
	tops := []int64{0, foreign, lastOrgID(m.orgs) + 1000}
	for _, o := range m.orgs {
		tops = append(tops, o.ID)
	}
	for _, top := range tops {
		for _, allChild := range []bool{false, true} {
			for _, limit := range limits {
				page := directory.OrgPage{OrgID: top, AllChild: allChild, Limit: limit}
				want, ok := m.want(page)
				what := fmt.Sprintf("OrgsByPage(org %d, all_child %t, limit %d)", top, allChild, limit)
				var got []int64
				for ; ; page.Page++ {
					orgs, total, err := svc.OrgsByPage(f.ctx, p, page)
					if !ok {
						checkError(t, what, err, directory.NotFound, "")
						break
					}
					if err != nil {
						t.Fatalf("%s page %d: %v", what, page.Page, err)
					}
					if total != int64(len(want)) {
						t.Fatalf("%s page %d: total %d, want %d", what, page.Page, total, len(want))
					}
					for _, o := range orgs {
						if o.TenantID != f.a {
							t.Fatalf("%s: org %d of tenant %d", what, o.ID, o.TenantID)
						}
						got = append(got, o.ID)
					}
					if len(orgs) < limit {
						break
					}
				}
				if ok && !slices.Equal(got, want) {
					t.Fatalf("%s: got %v, want %v", what, got, want)
				}
			}
		}
	}
}

// testOrgPages checks every case of OrgsByPage, every page of it, on a
// tree whose levels are not in the order of their parents (so level by
// level differs from parent by parent), after creates, moves and deletes.
func testOrgPages(t *testing.T, f *fixture) {
	svc, p := f.service()
	rnd := rand.New(rand.NewPCG(14, 15))
	var ids []int64
	create := func(name string, parent int64) int64 {
		t.Helper()
		o, err := svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: &name, ParentID: &parent})
		if err != nil {
			t.Fatalf("CreateOrg(%q under %d): %v", name, parent, err)
		}
		ids = append(ids, o.ID)
		return o.ID
	}
	r1 := create("r1", 0)
	create("r2", 0)
	a := create("a", r1)
	b := create("b", r1)
	create("c", b)
	create("d", a) // after c: level 3 by parent is d, c; by id c, d
	for i := range 30 {
		parent := int64(0)
		if rnd.IntN(6) > 0 {
			parent = ids[rnd.IntN(len(ids))]
		}
		create("o"+strconv.Itoa(i), parent)
	}
	other := f.createOrg(t, f.b, "Elsewhere", "", 0)
	f.createOrg(t, f.b, "Elsewhere below", "", other.ID)
	limits := []int{2, directory.MaxPageSize}
	t.Run("created", func(t *testing.T) { f.checkOrgPages(t, svc, other.ID, limits...) })

	moves := 0
	for moves < 12 {
		id := ids[rnd.IntN(len(ids))]
		parent := int64(0)
		if moves%4 != 0 {
			parent = ids[rnd.IntN(len(ids))]
		}
		_, err := svc.UpdateOrg(f.ctx, p, id, 0, directory.OrgPatch{ParentID: &parent})
		if directory.KindOf(err) == directory.Invalid || directory.KindOf(err) == directory.Conflict {
			continue // below itself, or a sibling has its name
		}
		if err != nil {
			t.Fatalf("move org %d under %d: %v", id, parent, err)
		}
		moves++
	}
	t.Run("moved", func(t *testing.T) { f.checkOrgPages(t, svc, other.ID, limits...) })

	m := f.orgModel(t, f.a)
	deleted := 0
	for _, o := range m.orgs {
		if len(m.children[o.ID]) == 0 && deleted < 8 {
			if err := svc.DeleteOrg(f.ctx, p, o.ID, 0); err != nil {
				t.Fatalf("DeleteOrg(%d): %v", o.ID, err)
			}
			deleted++
		}
	}
	create("after", a)
	create("after root", 0)
	t.Run("deleted", func(t *testing.T) { f.checkOrgPages(t, svc, other.ID, limits...) })

	t.Run("past the end", func(t *testing.T) {
		for _, page := range []directory.OrgPage{
			{Page: directory.MaxPageNumber, Limit: directory.MaxPageSize},
			{OrgID: r1, AllChild: true, Page: 1000, Limit: 1},
		} {
			orgs, total, err := svc.OrgsByPage(f.ctx, p, page)
			if err != nil || len(orgs) != 0 || total == 0 {
				t.Errorf("OrgsByPage(%+v) = %d orgs, total %d, %v; want none of a total above 0", page, len(orgs), total, err)
			}
		}
	})
}

// testOrgPagesDeep checks OrgsByPage where the counts' blocks matter: a
// tree of more orgs than a block of ids holds, with gaps left by deletes,
// read at offsets on both sides of the blocks' edges, for each case.
func testOrgPagesDeep(t *testing.T, f *fixture) {
	svc, p := f.service()
	root := f.createOrg(t, f.a, "Root", "", 0)
	var mids []int64
	for i := range 64 {
		mid := f.createOrg(t, f.a, "m"+strconv.Itoa(i), "", root.ID)
		mids = append(mids, mid.ID)
	}
	// Four writers, as an engine whose creates run side by side fills the
	// tree faster.
	leaves := make([]int64, 1100)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(leaves); i += 4 {
				name := "l" + strconv.Itoa(i)
				leaf, err := f.s.CreateOrg(f.ctx, directory.Org{TenantID: f.a, Name: name, ParentID: mids[i%len(mids)], CreatedAt: t0, UpdatedAt: t0}, event(f.a, "org.create", ""))
				if err != nil {
					t.Errorf("CreateOrg(%q): %v", name, err)
					return
				}
				leaves[i] = leaf.ID
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	slices.Sort(leaves)
	for i := range 40 {
		f.createOrg(t, f.a, "r"+strconv.Itoa(i), "", 0)
	}
	for _, i := range []int{0, 1, 2, 1022, 1023, 1024, 1025} {
		if err := svc.DeleteOrg(f.ctx, p, leaves[i], 0); err != nil {
			t.Fatalf("DeleteOrg: %v", err)
		}
	}
	// A move, so the counts of a whole subtree shift between ancestors.
	if _, err := svc.UpdateOrg(f.ctx, p, mids[1], 0, directory.OrgPatch{ParentID: &mids[0]}); err != nil {
		t.Fatalf("UpdateOrg: %v", err)
	}
	m := f.orgModel(t, f.a)
	for _, sel := range []directory.OrgPage{{}, {AllChild: true}, {OrgID: root.ID}, {OrgID: root.ID, AllChild: true}, {OrgID: mids[0], AllChild: true}} {
		all, _ := m.want(sel)
		var offsets []int
		for _, edge := range []int{0, 1, 64, 65, 1000, 1024, 2048, len(all) - 1, len(all)} {
			for _, o := range []int{edge - 1, edge, edge + 1} {
				if o >= 0 && o <= len(all)+1 {
					offsets = append(offsets, o)
				}
			}
		}
		for _, off := range offsets {
			sel.Limit, sel.Page = 1, off
			orgs, total, err := svc.OrgsByPage(f.ctx, p, sel)
			if err != nil {
				t.Fatalf("OrgsByPage(%+v): %v", sel, err)
			}
			want := all[min(off, len(all)):min(off+1, len(all))]
			if got := sortedIDs(orgs, orgID); total != int64(len(all)) || !slices.Equal(got, want) {
				t.Fatalf("OrgsByPage(%+v) = %v of %d, want %v of %d", sel, got, total, want, len(all))
			}
		}
		// Whole pages of the largest size, walked to the end.
		var got []int64
		for sel.Page, sel.Limit = 0, directory.MaxPageSize; ; sel.Page++ {
			orgs, _, err := svc.OrgsByPage(f.ctx, p, sel)
			if err != nil {
				t.Fatalf("OrgsByPage(%+v): %v", sel, err)
			}
			for _, o := range orgs {
				got = append(got, o.ID)
			}
			if len(orgs) < sel.Limit {
				break
			}
		}
		if !slices.Equal(got, all) {
			t.Fatalf("OrgsByPage(org %d, all_child %t) by pages of %d: %d orgs, want %d in order", sel.OrgID, sel.AllChild, sel.Limit, len(got), len(all))
		}
	}
}
