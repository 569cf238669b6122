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

// OrgInserter inserts a level of orgs of a tenant, the i-th named
// names[i] below parents[i] (0: a root), in one statement, and returns
// their ids; for seeding a benchmark where an org at a time is slow.
type OrgInserter func(ctx context.Context, tenantID int64, names []string, parents []int64) ([]int64, error)

// BenchOrgPages measures OneAccess's ListOrganizations (Service.OrgsByPage)
// on a tenant of 20,000 orgs, each case on its first page and on a deep
// one, 10 orgs a page. cpu-ns/op is the CPU time of this process per page,
// which a loaded machine inflates less than ns/op: all of a page's work on
// SQLite, the client's share of it on PostgreSQL. The orgs are created
// through s, or by insert when it is not nil.
func BenchOrgPages(b *testing.B, s directory.Store, insert OrgInserter) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "orgs", CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	if insert == nil {
		insert = func(ctx context.Context, tenantID int64, names []string, parents []int64) ([]int64, error) {
			return createOrgs(ctx, s, directory.Org{TenantID: tenantID, CreatedAt: now, UpdatedAt: now}, names, parents)
		}
	}
	var level []int64
	var root int64
	for depth, n := range benchOrgLevels {
		names, parents := make([]string, n), make([]int64, n)
		for i := range n {
			names[i] = "o" + strconv.Itoa(depth) + "." + strconv.Itoa(i)
			if depth > 0 {
				parents[i] = level[i%len(level)]
			}
		}
		if level, err = insert(ctx, tn.ID, names, parents); err != nil {
			b.Fatal(err)
		}
		if depth == 0 {
			root = level[0]
		}
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
			cpu := processCPU()
			for b.Loop() {
				orgs, _, err := svc.OrgsByPage(ctx, p, c.page)
				if err != nil || len(orgs) == 0 {
					b.Fatalf("OrgsByPage(%+v): %d orgs, %v", c.page, len(orgs), err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
}

// createOrgs creates orgs like o named names[i] below parents[i] through s,
// four at a time, and returns their ids.
func createOrgs(ctx context.Context, s directory.Store, o directory.Org, names []string, parents []int64) ([]int64, error) {
	ids := make([]int64, len(names))
	errs := make(chan error, 4)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := w; i < len(names); i += 4 {
				o := o
				o.Name, o.ParentID = names[i], parents[i]
				created, err := s.CreateOrg(ctx, o, directory.Event{TenantID: o.TenantID, Time: o.CreatedAt, Action: "org.create"})
				if err != nil {
					errs <- err
					return
				}
				ids[i] = created.ID
			}
		})
	}
	wg.Wait()
	close(errs)
	return ids, <-errs
}
