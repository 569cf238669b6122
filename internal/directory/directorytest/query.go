package directorytest

import (
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// testQueryUsers checks that every operator of a UserQuery selects the
// same users on every engine, that absent values are neither equal nor
// unequal by accident (NOT is "does not match"), and that another tenant's
// users never match.
func testQueryUsers(t *testing.T, f *fixture) {
	mk := func(username, email, name, employee string, active bool, created int) directory.User {
		u := user(f.a, username)
		u.Email, u.Name, u.EmployeeNumber, u.Active = email, name, employee, active
		u.CreatedAt, u.UpdatedAt = at(created), at(created)
		return f.createUser(t, u)
	}
	alice := user(f.a, "Alice")
	alice.Email, alice.Name, alice.EmployeeNumber, alice.Active = "alice@Example.com", "Alice Liddell", "E-1", true
	alice.CreatedAt, alice.UpdatedAt = at(1), at(1)
	alice.ExternalID, alice.DisplayName, alice.EmailType, alice.Department = "ext-A", "Alice L.", "work", "R&D"
	alice = f.createUser(t, alice)
	bob := mk("bob", "bob@example.org", "Bob *Star*", "e-2", false, 2)
	carol := mk("carol_x", "", "", "", true, 3)
	dave := mk("dave%", "dave@example.com", "Dave", "", true, 4)
	org := f.createOrg(t, f.a, "Eng", "", 0)
	withOrg := f.readUser(t, f.a, carol.ID)
	withOrg.Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
	if _, err := f.s.UpdateUser(f.ctx, withOrg, event(f.a, "user.update", "", "orgs")); err != nil {
		t.Fatal(err)
	}
	other := user(f.b, "alice")
	other.Email = "alice@example.com"
	f.createUser(t, other)

	cmp := func(op directory.QueryOp, field directory.UserField, v any) directory.UserQuery {
		return directory.UserQuery{Op: op, Field: field, Value: v}
	}
	all := []int64{alice.ID, bob.ID, carol.ID, dave.ID}
	tests := []struct {
		name string
		q    *directory.UserQuery
		want []int64
	}{
		{"everyone", nil, all},
		{"username eq ignoring case", &directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldUsername, Value: "ALICE"}, []int64{alice.ID}},
		{"username ne", ptr(cmp(directory.QueryNe, directory.FieldUsername, "alice")), []int64{bob.ID, carol.ID, dave.ID}},
		{"username co with a literal underscore", ptr(cmp(directory.QueryContains, directory.FieldUsername, "L_X")), []int64{carol.ID}},
		{"username ew with a literal percent", ptr(cmp(directory.QueryEndsWith, directory.FieldUsername, "%")), []int64{dave.ID}},
		{"username sw", ptr(cmp(directory.QueryStartsWith, directory.FieldUsername, "Ca")), []int64{carol.ID}},
		{"not username sw", &directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{cmp(directory.QueryStartsWith, directory.FieldUsername, "CA")}}, []int64{alice.ID, bob.ID, dave.ID}},
		{"username sw ending in a literal percent", ptr(cmp(directory.QueryStartsWith, directory.FieldUsername, "DAVE%")), []int64{dave.ID}},
		{"email sw ignoring case", ptr(cmp(directory.QueryStartsWith, directory.FieldEmail, "BOB@")), []int64{bob.ID}},
		{"not email sw includes users without one", &directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{cmp(directory.QueryStartsWith, directory.FieldEmail, "a")}}, []int64{bob.ID, carol.ID, dave.ID}},
		{"name sw ending past ASCII", ptr(cmp(directory.QueryStartsWith, directory.FieldName, "Bob *Star*\u00e9")), nil},
		{"name co with a literal star", ptr(cmp(directory.QueryContains, directory.FieldName, "*star")), []int64{bob.ID}},
		{"name co star is not a wildcard", ptr(cmp(directory.QueryContains, directory.FieldName, "e*l")), nil},
		{"email eq ignoring case", ptr(cmp(directory.QueryEq, directory.FieldEmail, "ALICE@example.COM")), []int64{alice.ID}},
		{"email ew", ptr(cmp(directory.QueryEndsWith, directory.FieldEmail, ".com")), []int64{alice.ID, dave.ID}},
		{"email pr", ptr(cmp(directory.QueryPresent, directory.FieldEmail, nil)), []int64{alice.ID, bob.ID, dave.ID}},
		{"email ne includes users without one", ptr(cmp(directory.QueryNe, directory.FieldEmail, "alice@example.com")), []int64{bob.ID, carol.ID, dave.ID}},
		{"not email co includes users without one", &directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{cmp(directory.QueryContains, directory.FieldEmail, "example")}}, []int64{carol.ID}},
		{"name pr", ptr(cmp(directory.QueryPresent, directory.FieldName, nil)), []int64{alice.ID, bob.ID, dave.ID}},
		{"employee number compares exactly", ptr(cmp(directory.QueryEq, directory.FieldEmployeeNumber, "e-1")), nil},
		{"employee number sw exactly", ptr(cmp(directory.QueryStartsWith, directory.FieldEmployeeNumber, "e")), []int64{bob.ID}},
		{"active false", ptr(cmp(directory.QueryEq, directory.FieldActive, false)), []int64{bob.ID}},
		{"created after", ptr(cmp(directory.QueryGt, directory.FieldCreatedAt, at(2))), []int64{carol.ID, dave.ID}},
		{"created at or before", ptr(cmp(directory.QueryLe, directory.FieldCreatedAt, at(2))), []int64{alice.ID, bob.ID}},
		{"username gt compares lowercased bytes", ptr(cmp(directory.QueryGt, directory.FieldUsername, "BOB")), []int64{carol.ID, dave.ID}},
		{"id ge", ptr(cmp(directory.QueryGe, directory.FieldID, carol.ID)), []int64{carol.ID, dave.ID}},
		{"external id compares exactly", ptr(cmp(directory.QueryEq, directory.FieldExternalID, "ext-A")), []int64{alice.ID}},
		{"external id of another case", ptr(cmp(directory.QueryEq, directory.FieldExternalID, "EXT-a")), nil},
		{"external id pr", ptr(cmp(directory.QueryPresent, directory.FieldExternalID, nil)), []int64{alice.ID}},
		{"external id ne includes users without one", ptr(cmp(directory.QueryNe, directory.FieldExternalID, "ext-A")), []int64{bob.ID, carol.ID, dave.ID}},
		{"display name sw", ptr(cmp(directory.QueryStartsWith, directory.FieldDisplayName, "Alice")), []int64{alice.ID}},
		{"email type and department", &directory.UserQuery{Op: directory.QueryAnd, Args: []directory.UserQuery{
			cmp(directory.QueryEq, directory.FieldEmailType, "work"), cmp(directory.QueryContains, directory.FieldDepartment, "&")}}, []int64{alice.ID}},
		{"member of an org", ptr(cmp(directory.QueryEq, directory.FieldOrg, org.ID)), []int64{carol.ID}},
		{"and, or", &directory.UserQuery{Op: directory.QueryOr, Args: []directory.UserQuery{
			{Op: directory.QueryAnd, Args: []directory.UserQuery{cmp(directory.QueryEq, directory.FieldActive, true), cmp(directory.QueryEndsWith, directory.FieldEmail, ".com")}},
			cmp(directory.QueryEq, directory.FieldUsername, "bob"),
		}}, []int64{alice.ID, bob.ID, dave.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.checkQuery(t, tt.q, tt.want) })
	}

	// Sorting: text by code point (lowercased where the field ignores
	// case), absent values last ascending and first descending, ties by id
	// in the sort's direction, on every engine alike.
	sorts := []struct {
		name   string
		q      *directory.UserQuery
		sort   directory.UserSort
		offset int
		want   []int64
	}{
		{"by username", nil, directory.UserSort{Field: directory.FieldUsername}, 0, all},
		{"by username descending", nil, directory.UserSort{Field: directory.FieldUsername, Descending: true}, 0, []int64{dave.ID, carol.ID, bob.ID, alice.ID}},
		{"by username after an offset", nil, directory.UserSort{Field: directory.FieldUsername}, 1, []int64{bob.ID, carol.ID, dave.ID}},
		{"by id descending", nil, directory.UserSort{Field: directory.FieldID, Descending: true}, 0, []int64{dave.ID, carol.ID, bob.ID, alice.ID}},
		{"by email, none last", nil, directory.UserSort{Field: directory.FieldEmail}, 0, []int64{alice.ID, bob.ID, dave.ID, carol.ID}},
		{"by email descending, none first", nil, directory.UserSort{Field: directory.FieldEmail, Descending: true}, 0, []int64{carol.ID, dave.ID, bob.ID, alice.ID}},
		{"by employee number exactly, ties by id", nil, directory.UserSort{Field: directory.FieldEmployeeNumber}, 0, []int64{alice.ID, bob.ID, carol.ID, dave.ID}},
		{"by employee number descending, ties by id descending", nil, directory.UserSort{Field: directory.FieldEmployeeNumber, Descending: true}, 0, []int64{dave.ID, carol.ID, bob.ID, alice.ID}},
		{"by creation descending", nil, directory.UserSort{Field: directory.FieldCreatedAt, Descending: true}, 0, []int64{dave.ID, carol.ID, bob.ID, alice.ID}},
		{"active users by name descending", ptr(cmp(directory.QueryEq, directory.FieldActive, true)), directory.UserSort{Field: directory.FieldName, Descending: true}, 0, []int64{carol.ID, dave.ID, alice.ID}},
		{"an indexed filter by username descending", &directory.UserQuery{Op: directory.QueryAnd, Args: []directory.UserQuery{
			cmp(directory.QueryStartsWith, directory.FieldEmail, ""), cmp(directory.QueryStartsWith, directory.FieldUsername, "")}},
			directory.UserSort{Field: directory.FieldUsername, Descending: true}, 0, []int64{dave.ID, bob.ID, alice.ID}},
	}
	for _, tt := range sorts {
		t.Run(tt.name, func(t *testing.T) {
			users, err := f.s.QueryUsers(f.ctx, f.a, tt.q, tt.sort, 0, tt.offset, directory.MaxPageSize, directory.WholeUser)
			if err != nil {
				t.Fatalf("QueryUsers: %v", err)
			}
			if got := userIDs(users); !slices.Equal(got, tt.want) {
				t.Errorf("got users %v, want %v", got, tt.want)
			}
		})
	}

	t.Run("paging", func(t *testing.T) {
		got, err := f.s.QueryUsers(f.ctx, f.a, nil, directory.UserSort{}, alice.ID, 1, 2, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		if want := []int64{carol.ID, dave.ID}; !slices.Equal(userIDs(got), want) {
			t.Errorf("after alice, skipping 1, 2 users: got %v, want %v", userIDs(got), want)
		}
		n, err := f.s.CountUserQuery(f.ctx, f.a, nil, 3)
		if err != nil || n != 3 {
			t.Errorf("CountUserQuery capped at 3 = %d, %v; want 3", n, err)
		}
	})
}

// checkQuery fails the test unless q selects exactly the users want of
// tenant a, in id order, and counts as many.
func (f *fixture) checkQuery(t *testing.T, q *directory.UserQuery, want []int64) {
	t.Helper()
	users, err := f.s.QueryUsers(f.ctx, f.a, q, directory.UserSort{}, 0, 0, directory.MaxPageSize, directory.WholeUser)
	if err != nil {
		t.Fatalf("QueryUsers: %v", err)
	}
	if got := userIDs(users); !slices.Equal(got, want) {
		t.Errorf("got users %v, want %v", got, want)
	}
	n, err := f.s.CountUserQuery(f.ctx, f.a, q, 100)
	if err != nil {
		t.Fatalf("CountUserQuery: %v", err)
	}
	if n != len(want) {
		t.Errorf("CountUserQuery = %d, want %d", n, len(want))
	}
}

func userIDs(users []directory.User) []int64 {
	if len(users) == 0 {
		return nil
	}
	return ids(users, userID)
}
