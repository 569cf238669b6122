package directory_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// queryRecorder records the store's reads of a query's users, by method.
type queryRecorder struct {
	directory.Store
	mu    sync.Mutex
	reads []string
}

func (s *queryRecorder) record(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads = append(s.reads, method)
}

func (s *queryRecorder) take() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := strings.Join(s.reads, ",")
	s.reads = nil
	return r
}

func (s *queryRecorder) QueryUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, sort directory.UserSort, afterID int64, offset, limit int, view directory.UserView) ([]directory.User, error) {
	s.record("QueryUsers")
	return s.Store.QueryUsers(ctx, tenantID, q, sort, afterID, offset, limit, view)
}

func (s *queryRecorder) LookupUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, limit int, view directory.UserView) ([]directory.User, error) {
	s.record("LookupUsers")
	return s.Store.LookupUsers(ctx, tenantID, q, limit, view)
}

func (s *queryRecorder) CountUserQuery(ctx context.Context, tenantID int64, q *directory.UserQuery, max int) (int, error) {
	s.record("CountUserQuery")
	return s.Store.CountUserQuery(ctx, tenantID, q, max)
}

// TestQueryUsersLookup checks that a page of a lookup by externalId, from
// the start and in id order, is one read of the store (Store.LookupUsers)
// that also counts the matches when they end within the page, where the
// page of any other query reads the page and then counts; and that it
// answers what that page path answers: the same users, total and More,
// alone or with other conditions, past the matches, in another tenant.
func TestQueryUsersLookup(t *testing.T) {
	f := newFixture(t)
	rec := &queryRecorder{Store: f.svc.Store()}
	svc := directory.NewService(rec, f.hasher)
	for _, u := range []struct {
		p         directory.Principal
		name, ext string
		active    bool
	}{
		{f.a, "one", "one", true},
		{f.a, "three-a", "three", true}, {f.a, "three-b", "three", false}, {f.a, "three-c", "three", true},
		{f.a, "upper", "THREE", true},
		{f.a, "five-a", "five", true}, {f.a, "five-b", "five", true}, {f.a, "five-c", "five", true}, {f.a, "five-d", "five", true}, {f.a, "five-e", "five", true},
		{f.b, "three-other", "three", true},
	} {
		f.user(t, u.p, directory.UserPatch{Username: ptr(u.name), Active: ptr(u.active), ProfilePatch: directory.ProfilePatch{ExternalID: ptr(u.ext)}})
	}
	ext := func(v string) directory.UserQuery {
		return directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldExternalID, Value: v}
	}
	and := func(args ...directory.UserQuery) *directory.UserQuery {
		return &directory.UserQuery{Op: directory.QueryAnd, Args: args}
	}
	active := directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldActive, Value: true}
	page := func(q directory.UserQuery, offset, limit int) directory.UserQueryPage {
		return directory.UserQueryPage{Query: &q, Offset: offset, Limit: limit, Count: true}
	}
	tests := []struct {
		name  string
		p     directory.Principal
		pg    directory.UserQueryPage
		reads string
		total int
	}{
		{"no match", f.a, page(ext("none"), 0, 100), "LookupUsers", 0},
		{"one match", f.a, page(ext("one"), 0, 100), "LookupUsers", 1},
		{"several matches", f.a, page(ext("three"), 0, 100), "LookupUsers", 3},
		{"exactly a page", f.a, page(ext("three"), 0, 3), "LookupUsers", 3},
		{"a page within the matches", f.a, page(ext("five"), 1, 2), "LookupUsers,CountUserQuery", 5},
		{"the last page", f.a, page(ext("five"), 3, 2), "LookupUsers", 5},
		{"past the matches", f.a, page(ext("three"), 5, 10), "LookupUsers", 3},
		{"compared exactly", f.a, page(ext("THREE"), 0, 100), "LookupUsers", 1},
		{"with another condition", f.a, directory.UserQueryPage{Query: and(ext("three"), active), Limit: 100, Count: true}, "LookupUsers", 2},
		{"another tenant", f.b, page(ext("three"), 0, 100), "LookupUsers", 1},
		{"cursor past the first page", f.a, directory.UserQueryPage{Query: ptr(ext("five")), AfterID: 1, Limit: 2, Count: true}, "QueryUsers,CountUserQuery", 5},
		{"sorted by username", f.a, directory.UserQueryPage{Query: ptr(ext("three")), Sort: directory.UserSort{Field: directory.FieldUsername}, Limit: 100, Count: true}, "QueryUsers", 3},
		{"count only", f.a, page(ext("three"), 0, 0), "CountUserQuery", 3},
		{"a page ending past MaxPageSize", f.a, page(ext("three"), 1, directory.MaxPageSize), "QueryUsers", 3},
		{"with a unique condition", f.a, directory.UserQueryPage{Query: and(ext("three"), directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldUsername, Value: "three-a"}), Limit: 100, Count: true}, "QueryUsers", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec.take()
			got, err := svc.QueryUsers(f.ctx, tt.p, tt.pg)
			if err != nil {
				t.Fatal(err)
			}
			if reads := rec.take(); reads != tt.reads || got.Total != tt.total {
				t.Errorf("read %s and counted %d, want %s and %d", reads, got.Total, tt.reads, tt.total)
			}
			// The same query as an or of itself, which is no lookup:
			// the page path's answer.
			pg := tt.pg
			pg.Query = &directory.UserQuery{Op: directory.QueryOr, Args: []directory.UserQuery{*tt.pg.Query, *tt.pg.Query}}
			want, err := svc.QueryUsers(f.ctx, tt.p, pg)
			if err != nil {
				t.Fatal(err)
			}
			if reads := rec.take(); strings.Contains(reads, "LookupUsers") {
				t.Fatalf("the page path read %s", reads)
			}
			ids := func(us []directory.User) []int64 {
				var out []int64
				for _, u := range us {
					out = append(out, u.ID)
				}
				return out
			}
			if !slices.Equal(ids(got.Users), ids(want.Users)) || got.Total != want.Total || got.More != want.More || got.Capped != want.Capped {
				t.Errorf("got users %v total %d more %v capped %v, the page path %v %d %v %v",
					ids(got.Users), got.Total, got.More, got.Capped, ids(want.Users), want.Total, want.More, want.Capped)
			}
		})
	}
}
