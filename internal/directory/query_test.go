package directory_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// TestQueryUsersRules checks what the Service refuses before a query
// reaches a store, and how it counts.
func TestQueryUsersRules(t *testing.T) {
	f := newFixture(t)
	for _, name := range []string{"u1", "u2", "u3"} {
		if _, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: &name}); err != nil {
			t.Fatal(err)
		}
	}
	eq := func(field directory.UserField, v any) *directory.UserQuery {
		return &directory.UserQuery{Op: directory.QueryEq, Field: field, Value: v}
	}
	anyEmail := func(q directory.UserQuery) *directory.UserQuery {
		return &directory.UserQuery{Op: directory.QueryAnyEmail, Args: []directory.UserQuery{q}}
	}
	deep := eq(directory.FieldUsername, "u1")
	for range directory.MaxQueryDepth + 1 {
		deep = &directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{*deep}}
	}
	wide := &directory.UserQuery{Op: directory.QueryOr}
	for range directory.MaxQueryNodes {
		wide.Args = append(wide.Args, *eq(directory.FieldUsername, "u1"))
	}
	bad := []struct {
		name string
		pg   directory.UserQueryPage
		want string
	}{
		{"too deep", directory.UserQueryPage{Query: deep, Limit: 10}, "nests deeper"},
		{"too many nodes", directory.UserQueryPage{Query: wide, Limit: 10}, "more than"},
		{"text operator on a bool", directory.UserQueryPage{Query: &directory.UserQuery{Op: directory.QueryContains, Field: directory.FieldActive, Value: true}, Limit: 10}, "cannot be compared"},
		{"wrong value type", directory.UserQueryPage{Query: eq(directory.FieldUsername, 7), Limit: 10}, "cannot be compared"},
		{"NUL in a value", directory.UserQueryPage{Query: eq(directory.FieldUsername, "a\x00"), Limit: 10}, "NUL"},
		{"and of one", directory.UserQueryPage{Query: &directory.UserQuery{Op: directory.QueryAnd, Args: []directory.UserQuery{*eq(directory.FieldUsername, "u1")}}, Limit: 10}, "well-formed"},
		{"a field of an email outside any email", directory.UserQueryPage{Query: eq(directory.FieldEmailEntryValue, "a@example.com"), Limit: 10}, "outside"},
		{"a field of the user inside any email", directory.UserQueryPage{Query: anyEmail(*eq(directory.FieldUsername, "u1")), Limit: 10}, "inside"},
		{"any email inside any email", directory.UserQueryPage{Query: anyEmail(*anyEmail(*eq(directory.FieldEmailEntryValue, "a@example.com"))), Limit: 10}, "well-formed"},
		{"any email of two conditions", directory.UserQueryPage{Query: &directory.UserQuery{Op: directory.QueryAnyEmail, Args: []directory.UserQuery{
			*eq(directory.FieldEmailEntryValue, "a@example.com"), *eq(directory.FieldEmailEntryType, "work")}}, Limit: 10}, "well-formed"},
		{"primary email of a text", directory.UserQueryPage{Query: anyEmail(*eq(directory.FieldEmailEntryPrimary, "yes")), Limit: 10}, "cannot be compared"},
		{"primary email present", directory.UserQueryPage{Query: anyEmail(directory.UserQuery{Op: directory.QueryPresent, Field: directory.FieldEmailEntryPrimary}), Limit: 10}, "cannot be compared"},
		{"page too large", directory.UserQueryPage{Limit: directory.MaxPageSize + 1}, "between 0 and"},
		{"offset too deep", directory.UserQueryPage{Offset: directory.MaxQueryOffset + 1, Limit: 1}, "cursor"},
		{"sort by org", directory.UserQueryPage{Sort: directory.UserSort{Field: directory.FieldOrg}, Limit: 1}, "can be sorted by"},
		{"sort by an unknown field", directory.UserQueryPage{Sort: directory.UserSort{Field: 99}, Limit: 1}, "can be sorted by"},
		{"cursor in a sorted list", directory.UserQueryPage{Sort: directory.UserSort{Field: directory.FieldUsername}, AfterID: 1, Limit: 1}, "startIndex"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.svc.QueryUsers(f.ctx, f.a, tt.pg)
			if directory.KindOf(err) != directory.Invalid || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an invalid error saying %q", err, tt.want)
			}
		})
	}
	t.Run("needs users:read", func(t *testing.T) {
		p := f.a
		p.Scopes = directory.Scopes{directory.ScopeUsersWrite}
		if _, err := f.svc.QueryUsers(f.ctx, p, directory.UserQueryPage{Limit: 1}); directory.KindOf(err) != directory.Forbidden {
			t.Fatalf("got %v, want forbidden", err)
		}
	})
	t.Run("counts past the page", func(t *testing.T) {
		res, err := f.svc.QueryUsers(f.ctx, f.a, directory.UserQueryPage{Limit: 1, Count: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Users) != 1 || !res.More || res.Total != 3 || res.Capped {
			t.Fatalf("got %d users, more %v, total %d capped %v; want 1, true, 3, false", len(res.Users), res.More, res.Total, res.Capped)
		}
		res, err = f.svc.QueryUsers(f.ctx, f.b, directory.UserQueryPage{Limit: 1, Count: true})
		if err != nil || res.Total != 0 || len(res.Users) != 0 {
			t.Fatalf("another tenant sees %d users (total %d, %v)", len(res.Users), res.Total, err)
		}
	})
}

// TestEditUser checks that EditUser needs users:write alone, applies the
// change computed from the stored user, and honours a version.
func TestEditUser(t *testing.T) {
	f := newFixture(t)
	name := "ed"
	u, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: &name})
	if err != nil {
		t.Fatal(err)
	}
	writer := f.a
	writer.Scopes = directory.Scopes{directory.ScopeUsersWrite}
	got, err := f.svc.EditUser(f.ctx, writer, u.ID, 0, func(cur directory.User) (directory.UserPatch, error) {
		title := cur.Username + "-title"
		return directory.UserPatch{ProfilePatch: directory.ProfilePatch{Title: &title}}, nil
	})
	if err != nil || got.Title != "ed-title" || got.Version != 2 {
		t.Fatalf("got title %q version %d, %v; want ed-title, 2", got.Title, got.Version, err)
	}
	if _, err := f.svc.EditUser(f.ctx, writer, u.ID, 1, func(directory.User) (directory.UserPatch, error) { return directory.UserPatch{}, nil }); directory.KindOf(err) != directory.PreconditionFailed {
		t.Fatalf("stale version: got %v, want precondition failed", err)
	}
	if _, err := f.svc.EditUser(f.ctx, f.b, u.ID, 0, func(directory.User) (directory.UserPatch, error) { return directory.UserPatch{}, nil }); directory.KindOf(err) != directory.NotFound {
		t.Fatalf("another tenant: got %v, want not found", err)
	}
	reader := f.a
	reader.Scopes = directory.Scopes{directory.ScopeUsersRead}
	if _, err := f.svc.EditUser(f.ctx, reader, u.ID, 0, func(directory.User) (directory.UserPatch, error) { return directory.UserPatch{}, nil }); directory.KindOf(err) != directory.Forbidden {
		t.Fatalf("users:read: got %v, want forbidden", err)
	}
}

// TestQueryUsersSortBound checks that a sort no index serves is refused
// once more than MaxSortRows users match, and that a filter narrowing the
// matches (or an indexed order) lets it run.
func TestQueryUsersSortBound(t *testing.T) {
	f := newFixture(t)
	patches := make([]directory.UserPatch, directory.MaxSortRows+1)
	for i := range patches {
		patches[i].Username = ptrTo(fmt.Sprintf("s%05d", i))
	}
	if _, err := f.svc.ImportUsers(f.ctx, f.a, patches); err != nil {
		t.Fatal(err)
	}
	byCreation := directory.UserSort{Field: directory.FieldCreatedAt, Descending: true}
	_, err := f.svc.QueryUsers(f.ctx, f.a, directory.UserQueryPage{Sort: byCreation, Limit: 10})
	if directory.KindOf(err) != directory.Invalid || !strings.Contains(err.Error(), "narrow the filter") {
		t.Fatalf("unindexed sort of %d users: got %v, want invalid", directory.MaxSortRows+1, err)
	}
	narrow := &directory.UserQuery{Op: directory.QueryStartsWith, Field: directory.FieldUsername, Value: "s0000"}
	res, err := f.svc.QueryUsers(f.ctx, f.a, directory.UserQueryPage{Query: narrow, Sort: byCreation, Limit: 2, Count: true})
	if err != nil || len(res.Users) != 2 || res.Users[0].Username != "s00009" || res.Total != 10 {
		t.Fatalf("narrowed: got %d users (first %v), total %d, %v; want s00009 first of 10", len(res.Users), res.Users, res.Total, err)
	}
	res, err = f.svc.QueryUsers(f.ctx, f.a, directory.UserQueryPage{Sort: directory.UserSort{Field: directory.FieldUsername, Descending: true}, Limit: 1})
	if err != nil || len(res.Users) != 1 || res.Users[0].Username != fmt.Sprintf("s%05d", directory.MaxSortRows) {
		t.Fatalf("by username: got %v, %v; want the last user", res.Users, err)
	}
}

// TestCreateUsers checks that a batch of creations is all or nothing, as
// CreateUser would check each, with the origin given.
func TestCreateUsers(t *testing.T) {
	f := newFixture(t)
	p := func(name string) directory.UserPatch { return directory.UserPatch{Username: &name} }
	got, err := f.svc.CreateUsers(f.ctx, f.a, directory.OriginAPI, []directory.UserPatch{p("c1"), p("c2")})
	if err != nil || len(got) != 2 || got[0].Origin != directory.OriginAPI || got[1].ID == 0 {
		t.Fatalf("got %+v, %v; want two api users", got, err)
	}
	_, err = f.svc.CreateUsers(f.ctx, f.a, directory.OriginAPI, []directory.UserPatch{p("c3"), p("C1")})
	var be *directory.BatchError
	if !errors.As(err, &be) || be.Index != 1 || directory.KindOf(err) != directory.Conflict {
		t.Fatalf("duplicate in a batch: got %v, want a conflict at index 1", err)
	}
	if res, _ := f.svc.QueryUsers(f.ctx, f.a, directory.UserQueryPage{Limit: 10, Count: true}); res.Total != 2 {
		t.Fatalf("after a failed batch: %d users, want 2 (nothing of it kept)", res.Total)
	}
	hash := "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
	if _, err := f.svc.CreateUsers(f.ctx, f.a, directory.OriginAPI, []directory.UserPatch{{Username: ptrTo("c4"), PasswordHash: &hash}}); directory.KindOf(err) != directory.Invalid {
		t.Fatalf("a password hash: got %v, want invalid", err)
	}
	reader := f.a
	reader.Scopes = directory.Scopes{directory.ScopeUsersRead}
	if _, err := f.svc.CreateUsers(f.ctx, reader, directory.OriginAPI, []directory.UserPatch{p("c5")}); directory.KindOf(err) != directory.Forbidden {
		t.Fatalf("users:read: got %v, want forbidden", err)
	}
}

func ptrTo(s string) *string { return &s }

// TestQueryUnique checks which queries match one user at most: those that
// require an equality on a unique field of every match.
func TestQueryUnique(t *testing.T) {
	eq := func(f directory.UserField, v any) directory.UserQuery {
		return directory.UserQuery{Op: directory.QueryEq, Field: f, Value: v}
	}
	and := func(a ...directory.UserQuery) directory.UserQuery {
		return directory.UserQuery{Op: directory.QueryAnd, Args: a}
	}
	active := eq(directory.FieldActive, true)
	for _, tt := range []struct {
		name string
		q    directory.UserQuery
		want bool
	}{
		{"username eq", eq(directory.FieldUsername, "ada"), true},
		{"email eq inside an and", and(active, and(active, eq(directory.FieldEmail, "a@example.com"))), true},
		{"id eq", eq(directory.FieldID, int64(1)), true},
		{"external id eq (not unique)", eq(directory.FieldExternalID, "x"), false},
		{"username eq in an or", directory.UserQuery{Op: directory.QueryOr, Args: []directory.UserQuery{eq(directory.FieldUsername, "a"), eq(directory.FieldUsername, "b")}}, false},
		{"not username eq", directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{eq(directory.FieldUsername, "a")}}, false},
		{"username sw", directory.UserQuery{Op: directory.QueryStartsWith, Field: directory.FieldUsername, Value: "a"}, false},
	} {
		if got := tt.q.Unique(); got != tt.want {
			t.Errorf("%s: Unique() = %v, want %v", tt.name, got, tt.want)
		}
	}
}
