package directorytest

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// benchOrgLevels is the shape of the tenant BenchOrgPages reads: 10 root
// orgs, 20 children each, 20 grandchildren each, and the rest of its
// 20,000 orgs spread over the fourth level.
var benchOrgLevels = []int{10, 200, 4000, 15790}

// BenchOrgPages measures OneAccess's ListOrganizations (Service.OrgsByPage)
// on a tenant of 20,000 orgs, each case on its first page and on a deep
// one, 10 orgs a page.
func BenchOrgPages(b *testing.B, s directory.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "orgs", CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	var level []int64
	var root int64
	for depth, n := range benchOrgLevels {
		next := make([]int64, n)
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := range 4 {
			wg.Go(func() {
				for i := w; i < n; i += 4 {
					o := directory.Org{TenantID: tn.ID, Name: "o" + strconv.Itoa(depth) + "." + strconv.Itoa(i), CreatedAt: now, UpdatedAt: now}
					if depth > 0 {
						o.ParentID = level[i%len(level)]
					}
					created, err := s.CreateOrg(ctx, o, directory.Event{TenantID: tn.ID, Time: now, Action: "org.create"})
					if err != nil {
						errs <- err
						return
					}
					next[i] = created.ID
				}
			})
		}
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
		if depth == 0 {
			root = next[0]
		}
		level = next
	}
	svc := directory.NewService(s, nil)
	p := directory.System(tn.ID)
	for _, c := range []struct {
		name string
		page directory.OrgPage
	}{
		{"roots", directory.OrgPage{Limit: 10}},
		{"all-but-roots/first", directory.OrgPage{AllChild: true, Limit: 10}},
		{"all-but-roots/last", directory.OrgPage{AllChild: true, Page: 1998, Limit: 10}},
		{"org-children", directory.OrgPage{OrgID: root, Limit: 10}},
		{"org-subtree/first", directory.OrgPage{OrgID: root, AllChild: true, Limit: 10}},
		{"org-subtree/last", directory.OrgPage{OrgID: root, AllChild: true, Page: 199, Limit: 10}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				orgs, _, err := svc.OrgsByPage(ctx, p, c.page)
				if err != nil || len(orgs) == 0 {
					b.Fatalf("OrgsByPage(%+v): %d orgs, %v", c.page, len(orgs), err)
				}
			}
		})
	}
}
