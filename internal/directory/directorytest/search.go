package directorytest

import (
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testSearchUsers checks Service.SearchUsers over the engine: the users
// whose username, email or name starts with a prefix, each once, ordered
// by its smallest matching value then id, and a cursor that pages through
// the merge of the three ranges without a gap or a repeat.
func testSearchUsers(t *testing.T, f *fixture) {
	svc, p := f.service()
	mk := func(tenant int64, username, email, name string) int64 {
		u := user(tenant, username)
		u.Email, u.Name = email, name
		return f.createUser(t, u).ID
	}
	alice := mk(f.a, "Alice", "alice@example.com", "Alice Liddell")
	bob := mk(f.a, "bob", "AL.bob@example.com", "Robert")
	carl := mk(f.a, "carl", "", "Al Carl")
	al := mk(f.a, "al", "", "AL")
	mk(f.a, "dave", "dave@example.com", "Dave")
	mk(f.b, "alice2", "alice2@example.com", "Alice Two")
	// Each of these matches "s" by username and again, later, by email:
	// the email range is mostly users shown already, which a page skips.
	var many []int64
	for _, n := range []string{"s00", "s01", "s02", "s03", "s04", "s05", "s06", "s07", "s08", "s09", "s10", "s11"} {
		many = append(many, mk(f.a, n, "sz"+n+"@example.com", ""))
	}
	last := mk(f.a, "tom", "", "szzz")
	// Past ASCII, and ending in the highest rune of a byte (DEL, U+007F)
	// and of Unicode (U+10FFFF): a range bound past them is still text.
	zoe := mk(f.a, "zoe1", "", "zoë")
	zoeDel := mk(f.a, "zoe2", "", "zoë\x7f")
	zoeAfter := mk(f.a, "zoe3", "", "zoë\u0080")
	maxRune := mk(f.a, "zoe4", "", "zo\U0010FFFF")
	maxRuneAfter := mk(f.a, "zoe5", "", "zo\U0010FFFF\U0010FFFF")

	tests := []struct {
		prefix string
		want   []int64
	}{
		// "al" < "al carl" < "al.bob@example.com" < "alice": by the
		// smallest value that matches, each user once.
		{"AL", []int64{al, carl, bob, alice}},
		{"alice@", []int64{alice}},
		{"rob", []int64{bob}},
		{"s", append(slices.Clone(many), last)},
		{"zz", nil},
		{"al%", nil},
		{"zoë", []int64{zoe, zoeDel, zoeAfter}},
		{"ZOË\x7f", []int64{zoeDel}},
		{"zoê", nil},
		{"zo\U0010FFFF", []int64{maxRune, maxRuneAfter}},
		{"zo\U0010FFFF\U0010FFFF", []int64{maxRuneAfter}},
	}
	for _, tc := range tests {
		t.Run(tc.prefix, func(t *testing.T) {
			for _, limit := range []int{1, 2, 3, 100} {
				var got []int64
				q := directory.UserSearch{Prefix: tc.prefix, Limit: limit}
				for n := 0; ; n++ {
					if n > 3*len(tc.want)+3 {
						t.Fatalf("limit %d: paging did not end after %d pages", limit, n)
					}
					us, next, err := svc.SearchUsers(f.ctx, p, q)
					if err != nil {
						t.Fatalf("SearchUsers(%+v): %v", q, err)
					}
					if len(us) > limit {
						t.Fatalf("limit %d, page %d: got %d users", limit, n, len(us))
					}
					got = append(got, ids(us, userID)...)
					if next == nil {
						break
					}
					q = *next
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("SearchUsers(%q), limit %d, over all pages: got %v, want %v", tc.prefix, limit, got, tc.want)
				}
			}
		})
	}

	t.Run("no prefix lists by id", func(t *testing.T) {
		us, next, err := svc.SearchUsers(f.ctx, p, directory.UserSearch{Limit: 2})
		if err != nil {
			t.Fatalf("SearchUsers: %v", err)
		}
		if g := ids(us, userID); !slices.Equal(g, []int64{alice, bob}) || next == nil || next.AfterID != bob {
			t.Errorf("SearchUsers({}): got ids %v, next %+v, want [%d %d] and a next page after %d", g, next, alice, bob, bob)
		}
	})
	t.Run("bad limit", func(t *testing.T) {
		_, _, err := svc.SearchUsers(f.ctx, p, directory.UserSearch{Prefix: "a", Limit: directory.MaxPageSize + 1})
		if directory.KindOf(err) != directory.Invalid {
			t.Errorf("SearchUsers with limit %d: got %v, want an Invalid error", directory.MaxPageSize+1, err)
		}
	})
	t.Run("needs users:read", func(t *testing.T) {
		_, _, err := svc.SearchUsers(f.ctx, directory.Principal{TenantID: f.a}, directory.UserSearch{Prefix: "a"})
		if directory.KindOf(err) != directory.Forbidden {
			t.Errorf("SearchUsers without a scope: got %v, want a Forbidden error", err)
		}
	})
}
