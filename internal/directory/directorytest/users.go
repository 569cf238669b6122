package directorytest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode"

	"github.com/userd/userd/internal/directory"
)

// extension exercises every JSON shape a custom attribute can take.
func extension() map[string]any {
	return map[string]any{
		"team":    "platform",
		"level":   json.Number("3"),
		"ratio":   json.Number("0.25"),
		"big":     json.Number("9007199254740993"),
		"neg":     json.Number("-17"),
		"active":  true,
		"nothing": nil,
		"tags":    []any{"a", json.Number("1"), false, nil, map[string]any{"k": "v"}},
		"nested": map[string]any{
			"deep":  map[string]any{"matrix": []any{[]any{json.Number("1"), json.Number("2")}, []any{}}},
			"empty": map[string]any{},
		},
		"unicode":    "Zoë — 東京 \u2028 \"quoted\" \\ <tag>",
		"key.with-$": "odd key",
	}
}

// fullUser returns a user of tenant with every field set to a value that is
// not the zero value.
func fullUser(tenant int64, username string, manager int64, orgs []directory.Membership) directory.User {
	return directory.User{
		TenantID:           tenant,
		Username:           username,
		Name:               "Ada Lovelace",
		NickName:           "ada",
		Email:              username + "@Example.com",
		Phone:              "5550100",
		PhoneCountryCode:   "+44",
		Active:             false,
		Locked:             true,
		MustChangePassword: true,
		PasswordChangedAt:  at(1),
		Origin:             directory.OriginImport,
		ClientIP:           "2001:db8::1",
		EnterpriseID:       "ent-1",
		Grade:              7,
		EmployeeNumber:     "E-42",
		ManagerID:          manager,
		Address:            "12 St James's Square",
		City:               "London",
		Province:           "Greater London",
		Country:            "GB",
		Comment:            "first programmer\nsecond line",
		Profile:            fullProfile(username),
		Extension:          extension(),
		Orgs:               orgs,
		CreatedAt:          at(2),
		UpdatedAt:          at(3),
		PasswordHash:       "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo",
	}
}

func testUserRoundTrip(t *testing.T, f *fixture) {
	mgr := f.createUser(t, user(f.a, "grace"))
	o1 := f.createOrg(t, f.a, "Engineering", "eng", 0)
	o2 := f.createOrg(t, f.a, "Research", "", 0)
	// Not in id order: memberships come back in the order stored.
	want := fullUser(f.a, "Ada.Lovelace", mgr.ID, []directory.Membership{{OrgID: o2.ID}, {OrgID: o1.ID, Primary: true}})

	got, err := f.s.CreateUser(f.ctx, want, event(f.a, "user.create", ""))
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	checkID(t, "user", got.ID)
	if got.ID == mgr.ID {
		t.Errorf("user id: got %d, the manager's id, want a new one", got.ID)
	}
	want.ID, want.Version = got.ID, 1
	checkEqual(t, "CreateUser", got, want)
	checkEqual(t, "User", f.readUser(t, f.a, got.ID), want)

	byID, err := f.s.UsersByID(f.ctx, f.a, []int64{got.ID})
	if err != nil || len(byID) != 1 {
		t.Fatalf("UsersByID: got %d users, %v; want 1", len(byID), err)
	}
	checkEqual(t, "UsersByID (which reads a card)", byID[0], directory.Card(want))

	list, err := f.s.ListUsers(f.ctx, f.a, directory.UserFilter{Username: "ada.", Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("ListUsers: got %d users, %v; want 1", len(list), err)
	}
	checkEqual(t, "ListUsers", list[0], want)

	t.Run("minimal user", func(t *testing.T) {
		want := user(f.a, "min")
		got := f.createUser(t, want)
		want.ID, want.Version = got.ID, 1
		read := f.readUser(t, f.a, got.ID)
		checkEqual(t, "User", read, want)
		if read.Extension == nil {
			t.Errorf("Extension: got nil, want an empty object")
		}
		if !read.PasswordChangedAt.IsZero() {
			t.Errorf("PasswordChangedAt: got %v, want the zero time", read.PasswordChangedAt)
		}
	})
}

func testUserIDs(t *testing.T, f *fixture) {
	first := f.createUser(t, user(f.a, "first"))
	second := f.createUser(t, user(f.b, "second"))
	if second.ID <= first.ID {
		t.Errorf("second user id: got %d, want more than %d", second.ID, first.ID)
	}
	if err := f.s.DeleteUser(f.ctx, f.b, second.ID, 0, event(f.b, "user.delete", strconv.FormatInt(second.ID, 10))); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	// A recreated user must never inherit a deleted one's id.
	again := f.createUser(t, user(f.b, "second"))
	checkID(t, "recreated user", again.ID)
	if again.ID <= second.ID {
		t.Errorf("recreated user id: got %d, want more than the deleted %d", again.ID, second.ID)
	}
}

func testUserUniqueness(t *testing.T, f *fixture) {
	withEmail := func(tenant int64, username, email string) directory.User {
		u := user(tenant, username)
		u.Email = email
		return u
	}
	tests := []struct {
		name          string
		first, second directory.User
		wantField     string // "" when the second user is allowed
	}{
		{"same username", user(f.a, "dup"), user(f.a, "dup"), "username"},
		{"username differing in case", user(f.a, "Case.User"), user(f.a, "cASE.uSER"), "username"},
		{"same username in another tenant", user(f.a, "shared"), user(f.b, "shared"), ""},
		{"same email", withEmail(f.a, "e1", "same@example.com"), withEmail(f.a, "e2", "same@example.com"), "email"},
		{"email differing in case", withEmail(f.a, "c1", "Mixed@Example.com"), withEmail(f.a, "c2", "mixed@EXAMPLE.com"), "email"},
		{"same email in another tenant", withEmail(f.a, "o1", "other@example.com"), withEmail(f.b, "o2", "other@example.com"), ""},
		{"no email twice", user(f.a, "none1"), user(f.a, "none2"), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f.createUser(t, tc.first)
			before, lastEv := f.userCount(t, tc.second.TenantID), f.lastEventID(t, tc.second.TenantID)
			got, err := f.s.CreateUser(f.ctx, tc.second, event(tc.second.TenantID, "user.create", ""))
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("CreateUser: got %v, want nil", err)
				}
				checkID(t, "user", got.ID)
				return
			}
			checkError(t, "CreateUser", err, directory.Conflict, tc.wantField)
			if n := f.userCount(t, tc.second.TenantID); n != before {
				t.Errorf("users after a failed create: got %d, want %d", n, before)
			}
			f.checkNoEventsAfter(t, tc.second.TenantID, lastEv)
		})
	}
}

func testUserReferences(t *testing.T, f *fixture) {
	other := f.createUser(t, user(f.b, "other-tenant-user"))
	otherOrg := f.createOrg(t, f.b, "Other", "", 0)
	tests := []struct {
		name string
		edit func(u *directory.User)
	}{
		{"manager that does not exist", func(u *directory.User) { u.ManagerID = other.ID + 1000 }},
		{"manager in another tenant", func(u *directory.User) { u.ManagerID = other.ID }},
		{"org that does not exist", func(u *directory.User) { u.Orgs = []directory.Membership{{OrgID: otherOrg.ID + 1000}} }},
		{"org in another tenant", func(u *directory.User) { u.Orgs = []directory.Membership{{OrgID: otherOrg.ID, Primary: true}} }},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lastEv := f.lastEventID(t, f.a)
			u := user(f.a, "ref"+strconv.Itoa(i))
			tc.edit(&u)
			_, err := f.s.CreateUser(f.ctx, u, event(f.a, "user.create", ""))
			checkError(t, "CreateUser", err, directory.Conflict, "")
			f.checkNoEventsAfter(t, f.a, lastEv)

			existing := f.createUser(t, user(f.a, "existing"+strconv.Itoa(i)))
			lastEv = f.lastEventID(t, f.a)
			changed := existing
			tc.edit(&changed)
			_, err = f.s.UpdateUser(f.ctx, changed, updateEvent(existing, changed))
			checkError(t, "UpdateUser", err, directory.Conflict, "")
			checkEqual(t, "user after a failed update", f.readUser(t, f.a, existing.ID), existing)
			f.checkNoEventsAfter(t, f.a, lastEv)
		})
	}
}

func testUsersByID(t *testing.T, f *fixture) {
	u1 := f.createUser(t, user(f.a, "u1"))
	u2 := f.createUser(t, user(f.a, "u2"))
	u3 := f.createUser(t, user(f.a, "u3"))
	foreign := f.createUser(t, user(f.b, "foreign"))
	tests := []struct {
		name string
		ids  []int64
		want []int64
	}{
		{"none", nil, nil},
		{"one", []int64{u2.ID}, []int64{u2.ID}},
		{"several in any order", []int64{u3.ID, u1.ID}, []int64{u1.ID, u3.ID}},
		{"missing and foreign left out", []int64{u1.ID, foreign.ID, u3.ID + 1000, u2.ID}, []int64{u1.ID, u2.ID}},
		{"only foreign", []int64{foreign.ID}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.s.UsersByID(f.ctx, f.a, tc.ids)
			if err != nil {
				t.Fatalf("UsersByID: %v", err)
			}
			if g := sortedIDs(got, userID); !slices.Equal(g, tc.want) {
				t.Errorf("UsersByID(%v): got ids %v, want %v", tc.ids, g, tc.want)
			}
		})
	}
}

func testListUsers(t *testing.T, f *fixture) {
	mk := func(username, email, name string) directory.User {
		u := user(f.a, username)
		u.Email, u.Name = email, name
		return f.createUser(t, u)
	}
	alice := mk("Alice", "alice@example.com", "Alice Liddell")
	alfred := mk("alfred", "ALFRED@Example.org", "Alfred Pennyworth")
	bob := mk("bob", "bob@Example.com", "Robert Alvarez")
	carol := mk("carol", "", "Carol Danvers")
	under := mk("a_b", "", "")
	axb := mk("axb", "", "")
	// Another tenant's users must never show up, however well they match.
	mkB := user(f.b, "alice2")
	mkB.Email = "alice2@example.com"
	f.createUser(t, mkB)

	all := []int64{alice.ID, alfred.ID, bob.ID, carol.ID, under.ID, axb.ID}
	// Keys compare lowercased, byte by byte: "a_b" < "alfred" < "alice" < "axb".
	tests := []struct {
		name   string
		filter directory.UserFilter
		want   []int64
	}{
		{"everything by id", directory.UserFilter{}, all},
		{"username prefix ignoring case, by username", directory.UserFilter{Username: "AL"}, []int64{alfred.ID, alice.ID}},
		{"whole username", directory.UserFilter{Username: "bob"}, []int64{bob.ID}},
		{"username is a prefix, not a substring", directory.UserFilter{Username: "lice"}, nil},
		{"underscore is literal", directory.UserFilter{Username: "a_"}, []int64{under.ID}},
		{"username order is byte order of the lowercased username", directory.UserFilter{Username: "a"}, []int64{under.ID, alfred.ID, alice.ID, axb.ID}},
		{"email prefix ignoring case", directory.UserFilter{Email: "alfred@EXAMPLE"}, []int64{alfred.ID}},
		{"email prefix, by email", directory.UserFilter{Email: "A"}, []int64{alfred.ID, alice.ID}},
		{"email domain is not a prefix", directory.UserFilter{Email: "example.com"}, nil},
		{"name prefix ignoring case, by name", directory.UserFilter{Name: "AL"}, []int64{alfred.ID, alice.ID}},
		{"name is a prefix, not a word", directory.UserFilter{Name: "Liddell"}, nil},
		{"after a name", directory.UserFilter{Name: "al", AfterKey: "alfred pennyworth", AfterID: alfred.ID}, []int64{alice.ID}},
		{"name and username, by username", directory.UserFilter{Username: "a", Name: "alice"}, []int64{alice.ID}},
		{"query matches username", directory.UserFilter{Query: "CAR"}, []int64{carol.ID}},
		{"query matches email", directory.UserFilter{Query: "bob@ex"}, []int64{bob.ID}},
		{"query matches name", directory.UserFilter{Query: "robert"}, []int64{bob.ID}},
		{"query matches any of them, by id", directory.UserFilter{Query: "al"}, []int64{alice.ID, alfred.ID}},
		{"query without match", directory.UserFilter{Query: "zz"}, nil},
		{"username and email together", directory.UserFilter{Username: "al", Email: "alice"}, []int64{alice.ID}},
		{"username and email together, by email", directory.UserFilter{Username: "al", Email: "a"}, []int64{alfred.ID, alice.ID}},
		{"email and query, by email", directory.UserFilter{Email: "a", Query: "alice"}, []int64{alice.ID}},
		{"after id", directory.UserFilter{AfterID: bob.ID}, []int64{carol.ID, under.ID, axb.ID}},
		{"after id with query", directory.UserFilter{Query: "al", AfterID: alice.ID}, []int64{alfred.ID}},
		{"after id ignores a key", directory.UserFilter{AfterKey: "zzz", AfterID: bob.ID}, []int64{carol.ID, under.ID, axb.ID}},
		{"after an email", directory.UserFilter{Email: "a", AfterKey: alfred.Email, AfterID: alfred.ID}, []int64{alice.ID}},
		{"after an email ignoring case", directory.UserFilter{Email: "a", AfterKey: "alfred@example.ORG", AfterID: alfred.ID}, []int64{alice.ID}},
		{"after the last email", directory.UserFilter{Email: "a", AfterKey: alice.Email, AfterID: alice.ID}, nil},
		{"after a username", directory.UserFilter{Username: "a", AfterKey: alfred.Username, AfterID: alfred.ID}, []int64{alice.ID, axb.ID}},
		{"after a username ignoring case", directory.UserFilter{Username: "a", AfterKey: "ALFRED", AfterID: alfred.ID}, []int64{alice.ID, axb.ID}},
		{"after a username, with an email filter", directory.UserFilter{Username: "a", Email: "al", AfterKey: alfred.Email, AfterID: alfred.ID}, []int64{alice.ID}},
		// A position is a (key, id) pair: a user with the same key and a
		// higher id comes after it, whichever user the key belonged to.
		{"same key, lower id", directory.UserFilter{Username: "a", AfterKey: "alice", AfterID: alice.ID - 1}, []int64{alice.ID, axb.ID}},
		{"same key, same id", directory.UserFilter{Username: "a", AfterKey: "alice", AfterID: alice.ID}, []int64{axb.ID}},
		{"after a key nobody has", directory.UserFilter{Username: "a", AfterKey: "alex", AfterID: 1}, []int64{alfred.ID, alice.ID, axb.ID}},
		{"limit", directory.UserFilter{Limit: 2}, []int64{alice.ID, alfred.ID}},
		{"limit with query", directory.UserFilter{Query: "a", Limit: 1}, []int64{alice.ID}},
		{"limit by username", directory.UserFilter{Username: "a", Limit: 2}, []int64{under.ID, alfred.ID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.filter.Limit == 0 {
				tc.filter.Limit = directory.MaxPageSize
			}
			got, err := f.s.ListUsers(f.ctx, f.a, tc.filter)
			if err != nil {
				t.Fatalf("ListUsers: %v", err)
			}
			if g := ids(got, userID); !slices.Equal(g, tc.want) {
				t.Errorf("ListUsers(%+v): got ids %v, want %v", tc.filter, g, tc.want)
			}
		})
	}
}

// testListUsersPaging reads lists page by page, each page starting after
// the last user of the one before, and checks that the pages together hold
// every match once, in the list's order.
func testListUsersPaging(t *testing.T, f *fixture) {
	// Usernames, emails and ids each order the users differently; names
	// repeat, so users of one name come in id order.
	names := []string{"page3", "Page0", "page6", "PAGE1", "page5", "page2", "page4"}
	var byID, odd, even []int64
	byKey := make([]int64, len(names))
	for _, n := range names {
		u := user(f.a, n)
		u.Email = "PAGE-" + n[len(n)-1:] + "@example.com"
		if n == "page5" {
			u.Email = "page-5@example.com"
		}
		u.Name = "Pat"
		if (n[len(n)-1]-'0')%2 == 1 {
			u.Name = "PAM"
		}
		u = f.createUser(t, u)
		byID = append(byID, u.ID)
		byKey[n[len(n)-1]-'0'] = u.ID
		if u.Name == "PAM" {
			odd = append(odd, u.ID)
		} else {
			even = append(even, u.ID)
		}
		other := user(f.b, n)
		other.Email = u.Email
		f.createUser(t, other)
	}
	tests := []struct {
		name   string
		filter directory.UserFilter
		want   []int64
	}{
		{"by id, with query", directory.UserFilter{Query: "PAGE"}, byID},
		{"by email", directory.UserFilter{Email: "page-"}, byKey},
		{"by username", directory.UserFilter{Username: "Page"}, byKey},
		{"by email, with username", directory.UserFilter{Username: "page", Email: "PAGE"}, byKey},
		{"by name", directory.UserFilter{Name: "P"}, append(odd, even...)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, limit := range []int{1, 3, 7} {
				var got []int64
				page := tc.filter
				page.Limit = limit
				for n := 0; ; n++ {
					if n > len(tc.want) {
						t.Fatalf("limit %d: paging did not end after %d pages", limit, n)
					}
					us, err := f.s.ListUsers(f.ctx, f.a, page)
					if err != nil {
						t.Fatalf("ListUsers page %d: %v", n, err)
					}
					if len(us) > limit {
						t.Fatalf("limit %d, page %d: got %d users", limit, n, len(us))
					}
					if len(us) == 0 {
						break
					}
					got = append(got, ids(us, userID)...)
					last := us[len(us)-1]
					page.AfterKey, page.AfterID = page.Order().Key(last), last.ID
				}
				if !slices.Equal(got, tc.want) {
					t.Errorf("limit %d: ids over all pages: got %v, want %v", limit, got, tc.want)
				}
			}
		})
	}
}

func testUpdateUser(t *testing.T, f *fixture) {
	mgr := f.createUser(t, user(f.a, "boss"))
	o1 := f.createOrg(t, f.a, "One", "", 0)
	o2 := f.createOrg(t, f.a, "Two", "", 0)
	start := user(f.a, "worker")
	start.Email = "worker@example.com"
	start.Orgs = []directory.Membership{{OrgID: o1.ID, Primary: true}}
	u := f.createUser(t, start)

	t.Run("every field", func(t *testing.T) {
		want := fullUser(f.a, "Worker.Renamed", mgr.ID, []directory.Membership{{OrgID: o2.ID, Primary: true}, {OrgID: o1.ID}})
		want.ID, want.Version = u.ID, u.Version
		// No update changes how or when a user came.
		want.Origin, want.ClientIP, want.CreatedAt = u.Origin, u.ClientIP, u.CreatedAt
		ev := updateEvent(u, want)
		got, err := f.s.UpdateUser(f.ctx, want, ev)
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		want.Version = 2
		checkEqual(t, "UpdateUser", got, want)
		checkEqual(t, "User", f.readUser(t, f.a, u.ID), want)
		f.checkLastEvent(t, f.a, ev)
		u = got
	})

	// Each of these changes one kind of column and keeps the rest, which a
	// store may write in less than every column.
	for _, tc := range []struct {
		name string
		edit func(u *directory.User)
	}{
		{"unindexed fields only", func(u *directory.User) { u.City, u.Comment = "Elsewhere", "moved" }},
		{"profile only", func(u *directory.User) {
			u.GivenName, u.HireDate = "Augusta", "2001-02-03"
			u.OtherEmails = []directory.Contact{{Value: "moved@example.org", Type: "home"}}
		}},
		{"external id only", func(u *directory.User) { u.ExternalID = "ext-moved" }},
		{"username case only", func(u *directory.User) { u.Username = strings.ToUpper(u.Username) }},
		{"email only", func(u *directory.User) { u.Email = "renamed@example.com" }},
		{"manager only", func(u *directory.User) { u.ManagerID = 0 }},
		{"membership order only", func(u *directory.User) {
			u.Orgs = []directory.Membership{{OrgID: o1.ID}, {OrgID: o2.ID, Primary: true}}
		}},
		{"primary org only", func(u *directory.User) {
			u.Orgs = []directory.Membership{{OrgID: o1.ID, Primary: true}, {OrgID: o2.ID}}
		}},
		{"nothing", func(u *directory.User) {}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := u
			want.Orgs = slices.Clone(u.Orgs)
			tc.edit(&want)
			ev := updateEvent(u, want)
			got, err := f.s.UpdateUser(f.ctx, want, ev)
			if err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}
			want.Version = u.Version + 1
			checkEqual(t, "UpdateUser", got, want)
			checkEqual(t, "User", f.readUser(t, f.a, u.ID), want)
			f.checkLastEvent(t, f.a, ev)
			// The indexes agree: the user is found by what it now holds.
			for _, filter := range []directory.UserFilter{{Username: want.Username}, {Email: want.Email}, {Query: want.Name}} {
				filter.Limit = 10
				found, err := f.s.ListUsers(f.ctx, f.a, filter)
				if err != nil {
					t.Fatalf("ListUsers(%+v): %v", filter, err)
				}
				if !slices.ContainsFunc(found, func(x directory.User) bool { return x.ID == u.ID }) {
					t.Errorf("ListUsers(%+v): the updated user is missing", filter)
				}
			}
			u = got
		})
	}

	t.Run("only the fields named", func(t *testing.T) {
		// The update names city alone: the store writes it and leaves the
		// name and the memberships, which the caller holds differently
		// (a stale copy must not undo another change).
		sent := u
		sent.City, sent.Name = "Named", "Not Named"
		sent.Orgs = []directory.Membership{{OrgID: o2.ID, Primary: true}}
		ev := event(f.a, "user.update", strconv.FormatInt(u.ID, 10), "city")
		if _, err := f.s.UpdateUser(f.ctx, sent, ev); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		want := u
		want.City, want.Version = "Named", u.Version+1
		checkEqual(t, "User", f.readUser(t, f.a, u.ID), want)
		u = want
	})

	t.Run("fields back to empty", func(t *testing.T) {
		want := user(f.a, "worker")
		want.ID, want.Version = u.ID, u.Version
		want.Origin, want.ClientIP, want.CreatedAt = u.Origin, u.ClientIP, u.CreatedAt
		got, err := f.s.UpdateUser(f.ctx, want, updateEvent(u, want))
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		want.Version = u.Version + 1
		checkEqual(t, "UpdateUser", got, want)
		checkEqual(t, "User", f.readUser(t, f.a, u.ID), want)
		// Without an email it no longer blocks another user's.
		f.createUser(t, user(f.a, "another"))
		u = got
	})

	t.Run("stale version", func(t *testing.T) {
		lastEv := f.lastEventID(t, f.a)
		stale := u
		stale.Version = u.Version - 1
		stale.Name = "Should Not Stick"
		_, err := f.s.UpdateUser(f.ctx, stale, updateEvent(u, stale))
		checkVersionMismatch(t, "UpdateUser", err)
		future := u
		future.Version = u.Version + 1
		future.Name = "Should Not Stick"
		_, err = f.s.UpdateUser(f.ctx, future, updateEvent(u, future))
		checkVersionMismatch(t, "UpdateUser with a future version", err)
		checkEqual(t, "User", f.readUser(t, f.a, u.ID), u)
		f.checkNoEventsAfter(t, f.a, lastEv)
	})

	t.Run("missing user", func(t *testing.T) {
		missing := u
		missing.ID = u.ID + 1000
		_, err := f.s.UpdateUser(f.ctx, missing, updateEvent(u, missing))
		checkError(t, "UpdateUser", err, directory.NotFound, "")
		// Memberships of a user that is not there (deleted while the
		// update was on its way) must not turn NotFound into another error.
		missing.Orgs = []directory.Membership{{OrgID: o1.ID, Primary: true}}
		_, err = f.s.UpdateUser(f.ctx, missing, updateEvent(u, missing))
		checkError(t, "UpdateUser with orgs", err, directory.NotFound, "")
	})

	t.Run("another tenant's user", func(t *testing.T) {
		foreign := f.createUser(t, user(f.b, "foreign"))
		lastEvA, lastEvB := f.lastEventID(t, f.a), f.lastEventID(t, f.b)
		hijack := foreign
		hijack.TenantID = f.a
		hijack.Name = "Hijacked"
		_, err := f.s.UpdateUser(f.ctx, hijack, updateEvent(foreign, hijack))
		checkError(t, "UpdateUser", err, directory.NotFound, "")
		checkEqual(t, "foreign user", f.readUser(t, f.b, foreign.ID), foreign)
		f.checkNoEventsAfter(t, f.a, lastEvA)
		f.checkNoEventsAfter(t, f.b, lastEvB)
	})
}

func testUpdateUserConflicts(t *testing.T, f *fixture) {
	taken := user(f.a, "taken")
	taken.Email = "taken@example.com"
	f.createUser(t, taken)
	foreign := user(f.b, "free-here")
	foreign.Email = "free@example.com"
	f.createUser(t, foreign)
	u := f.createUser(t, user(f.a, "mover"))

	tests := []struct {
		name      string
		edit      func(u *directory.User)
		wantField string
	}{
		{"username taken", func(u *directory.User) { u.Username = "TAKEN" }, "username"},
		{"email taken", func(u *directory.User) { u.Email = "Taken@Example.com" }, "email"},
		{"username of another tenant", func(u *directory.User) { u.Username = "free-here" }, ""},
		{"email of another tenant", func(u *directory.User) { u.Email = "free@example.com" }, ""},
		{"own username in another case", func(u *directory.User) { u.Username = "MOVER" }, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := f.readUser(t, f.a, u.ID)
			lastEv := f.lastEventID(t, f.a)
			changed := cur
			tc.edit(&changed)
			got, err := f.s.UpdateUser(f.ctx, changed, updateEvent(cur, changed))
			if tc.wantField == "" {
				if err != nil {
					t.Fatalf("UpdateUser: got %v, want nil", err)
				}
				if got.Version != cur.Version+1 {
					t.Errorf("version: got %d, want %d", got.Version, cur.Version+1)
				}
				return
			}
			checkError(t, "UpdateUser", err, directory.Conflict, tc.wantField)
			checkEqual(t, "user after a failed update", f.readUser(t, f.a, u.ID), cur)
			f.checkNoEventsAfter(t, f.a, lastEv)
		})
	}
}

func testUpdateUserConcurrent(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "contended"))
	const writers = 8
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			changed := u
			changed.Name = "writer " + strconv.Itoa(i)
			_, errs[i] = f.s.UpdateUser(f.ctx, changed, event(f.a, "user.update", strconv.FormatInt(u.ID, 10), "name"))
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		default:
			checkVersionMismatch(t, "losing UpdateUser", err)
		}
	}
	if won != 1 {
		t.Errorf("updates of version 1 that succeeded: got %d, want exactly 1", won)
	}
	if got := f.readUser(t, f.a, u.ID).Version; got != 2 {
		t.Errorf("version after the race: got %d, want 2", got)
	}
	updates := 0
	for _, ev := range f.events(t, f.a) {
		if ev.Action == "user.update" {
			updates++
		}
	}
	if updates != 1 {
		t.Errorf("user.update events: got %d, want 1", updates)
	}
}

func testDeleteUser(t *testing.T, f *fixture) {
	org := f.createOrg(t, f.a, "Team", "", 0)
	member := user(f.a, "member")
	member.Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}

	t.Run("deletes user and memberships", func(t *testing.T) {
		u := f.createUser(t, member)
		ev := event(f.a, "user.delete", strconv.FormatInt(u.ID, 10))
		if err := f.s.DeleteUser(f.ctx, f.a, u.ID, u.Version, ev); err != nil {
			t.Fatalf("DeleteUser: %v", err)
		}
		_, err := f.s.User(f.ctx, f.a, u.ID, directory.WholeUser)
		checkError(t, "User after delete", err, directory.NotFound, "")
		f.checkLastEvent(t, f.a, ev)
		// The username is free again.
		f.createUser(t, user(f.a, "member"))
		// Its membership went with it: the org is no longer blocked by it.
		other := f.createOrg(t, f.a, "Empty", "", 0)
		u2 := user(f.a, "member2")
		u2.Orgs = []directory.Membership{{OrgID: other.ID}}
		u2 = f.createUser(t, u2)
		if err := f.s.DeleteUser(f.ctx, f.a, u2.ID, 0, event(f.a, "user.delete", strconv.FormatInt(u2.ID, 10))); err != nil {
			t.Fatalf("DeleteUser without version: %v", err)
		}
		if err := f.s.DeleteOrg(f.ctx, f.a, other.ID, 0, event(f.a, "org.delete", strconv.FormatInt(other.ID, 10))); err != nil {
			t.Errorf("DeleteOrg of an org whose only member was deleted: got %v, want nil", err)
		}
	})

	t.Run("stale version", func(t *testing.T) {
		u := f.createUser(t, user(f.a, "versioned"))
		lastEv := f.lastEventID(t, f.a)
		err := f.s.DeleteUser(f.ctx, f.a, u.ID, u.Version+1, event(f.a, "user.delete", strconv.FormatInt(u.ID, 10)))
		checkVersionMismatch(t, "DeleteUser", err)
		checkEqual(t, "user after a failed delete", f.readUser(t, f.a, u.ID), u)
		f.checkNoEventsAfter(t, f.a, lastEv)
	})

	t.Run("missing user", func(t *testing.T) {
		lastEv := f.lastEventID(t, f.a)
		err := f.s.DeleteUser(f.ctx, f.a, 1<<40, 0, event(f.a, "user.delete", strconv.Itoa(1<<40)))
		checkError(t, "DeleteUser", err, directory.NotFound, "")
		f.checkNoEventsAfter(t, f.a, lastEv)
	})

	t.Run("another tenant's user", func(t *testing.T) {
		foreign := f.createUser(t, user(f.b, "foreign"))
		lastEv := f.lastEventID(t, f.a)
		for _, version := range []int64{0, foreign.Version} {
			err := f.s.DeleteUser(f.ctx, f.a, foreign.ID, version, event(f.a, "user.delete", strconv.FormatInt(foreign.ID, 10)))
			checkError(t, "DeleteUser", err, directory.NotFound, "")
		}
		checkEqual(t, "foreign user", f.readUser(t, f.b, foreign.ID), foreign)
		f.checkNoEventsAfter(t, f.a, lastEv)
	})
}

func testDeleteUserManaged(t *testing.T, f *fixture) {
	boss := f.createUser(t, user(f.a, "boss"))
	var reports []directory.User
	for _, name := range []string{"r1", "r2"} {
		u := user(f.a, name)
		u.ManagerID = boss.ID
		reports = append(reports, f.createUser(t, u))
	}
	bystander := f.createUser(t, user(f.a, "bystander"))

	ev := event(f.a, "user.delete", strconv.FormatInt(boss.ID, 10))
	if err := f.s.DeleteUser(f.ctx, f.a, boss.ID, boss.Version, ev); err != nil {
		t.Fatalf("DeleteUser of a manager: %v", err)
	}
	for _, r := range reports {
		want := r
		want.ManagerID = 0
		want.Version = r.Version + 1
		want.UpdatedAt = ev.Time
		checkEqual(t, "report of the deleted manager", f.readUser(t, f.a, r.ID), want)
	}
	checkEqual(t, "bystander", f.readUser(t, f.a, bystander.ID), bystander)
}

func testCreateUsers(t *testing.T, f *fixture) {
	org := f.createOrg(t, f.a, "Imported", "", 0)
	mgr := f.createUser(t, user(f.a, "importer-boss"))
	var batch []directory.User
	for i := range 50 {
		u := user(f.a, "imp"+strconv.Itoa(i))
		u.Origin = directory.OriginImport
		if i%2 == 0 {
			u.Email = "imp" + strconv.Itoa(i) + "@example.com"
		}
		if i%5 == 0 {
			u.Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
			u.ManagerID = mgr.ID
		}
		batch = append(batch, u)
	}
	batch[1] = fullUser(f.a, "imp-full", mgr.ID, []directory.Membership{{OrgID: org.ID}})
	ev := event(f.a, "user.import", "", "50 users")

	got, err := f.s.CreateUsers(f.ctx, batch, ev)
	if err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	if len(got) != len(batch) {
		t.Fatalf("CreateUsers: got %d users, want %d", len(got), len(batch))
	}
	seen := map[int64]bool{mgr.ID: true}
	for i, u := range got {
		checkID(t, "imported user", u.ID)
		if seen[u.ID] {
			t.Errorf("user %d: id %d handed out twice", i, u.ID)
		}
		seen[u.ID] = true
		want := batch[i]
		want.ID, want.Version = u.ID, 1
		checkEqual(t, "CreateUsers["+strconv.Itoa(i)+"]", u, want)
		checkEqual(t, "User", f.readUser(t, f.a, u.ID), want)
	}
	f.checkLastEvent(t, f.a, ev)

	t.Run("empty batch", func(t *testing.T) {
		got, err := f.s.CreateUsers(f.ctx, nil, ev)
		if err != nil || len(got) != 0 {
			t.Errorf("CreateUsers(nil): got %d users, %v; want none, nil", len(got), err)
		}
	})
}

func testCreateUsersAllOrNothing(t *testing.T, f *fixture) {
	existing := user(f.a, "existing")
	existing.Email = "existing@example.com"
	f.createUser(t, existing)
	batch := func(last directory.User) []directory.User {
		var out []directory.User
		for i := range 20 {
			out = append(out, user(f.a, "batch"+strconv.Itoa(i)))
		}
		return append(out, last)
	}
	withEmail := func(username, email string) directory.User {
		u := user(f.a, username)
		u.Email = email
		return u
	}
	orphanOrg := user(f.a, "orphan-org")
	orphanOrg.Orgs = []directory.Membership{{OrgID: 1 << 40}}
	hashed := batch(user(f.a, "BATCH7"))
	for i := range hashed {
		hashed[i].PasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo"
	}
	// index is the user at fault: the first that cannot be inserted after
	// the ones before it.
	tests := []struct {
		name  string
		users []directory.User
		index int
		field string
	}{
		{"username of an existing user", batch(user(f.a, "EXISTING")), 20, "username"},
		{"email of an existing user", batch(withEmail("fresh", "Existing@example.com")), 20, "email"},
		{"username twice in the batch", batch(user(f.a, "Batch3")), 20, "username"},
		{"email twice in the batch", append(batch(withEmail("x1", "twice@example.com")), withEmail("x2", "TWICE@example.com")), 21, "email"},
		{"manager that does not exist", batch(directory.User{TenantID: f.a, Username: "orphan", ManagerID: 1 << 40, Extension: map[string]any{}, CreatedAt: t0, UpdatedAt: t0}), 20, "manager_id"},
		{"org that does not exist", batch(orphanOrg), 20, "orgs"},
		{"username twice among users with password hashes", hashed, 20, "username"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before, lastEv := f.userCount(t, f.a), f.lastEventID(t, f.a)
			_, err := f.s.CreateUsers(f.ctx, tc.users, event(f.a, "user.import", "", "users"))
			checkError(t, "CreateUsers", err, directory.Conflict, tc.field)
			var be *directory.BatchError
			if !errors.As(err, &be) {
				t.Errorf("CreateUsers: got %v, want a *directory.BatchError naming user %d", err, tc.index)
			} else if be.Index != tc.index {
				t.Errorf("CreateUsers: got the error of user %d (%v), want user %d", be.Index, err, tc.index)
			}
			if n := f.userCount(t, f.a); n != before {
				t.Errorf("users after a failed import: got %d, want %d (none of the batch inserted)", n, before)
			}
			f.checkNoEventsAfter(t, f.a, lastEv)
		})
	}
}

// plainHasher is the PasswordHasher of the suite's Service: the suite tests
// storage, not hashing.
type plainHasher struct{}

func (plainHasher) HashPassword(_ context.Context, pw string) (string, error) {
	return "plain$" + pw, nil
}

// CheckHash accepts every hash, so ImportUsers takes password_hash.
func (plainHasher) CheckHash(string) error { return nil }

// service returns a Service over the fixture's store and a principal with
// every scope in tenant a, for rules whose outcome depends on the engine.
func (f *fixture) service() (*directory.Service, directory.Principal) {
	return directory.NewService(f.s, plainHasher{}), directory.System(f.a)
}

// testExtensionNumbers checks that a number in an extension is stored in
// one canonical form that every engine keeps exactly and cheaply, and that
// a number without one is refused the same way on every engine, before it
// reaches the database.
func testExtensionNumbers(t *testing.T, f *fixture) {
	svc, p := f.service()
	stored := []struct{ sent, kept string }{
		{"9007199254740991", "9007199254740991"},
		{"-9007199254740991", "-9007199254740991"},
		{"0.25", "0.25"},
		{"2.50", "2.5"},
		{"1.5e-7", "0.00000015"},
		{"1E3", "1000"},
		{"-0", "0"},
		{"-0.0e5", "0"},
		{"1e20", "100000000000000000000"},
		{"0.30000000000000004", "0.30000000000000004"},
	}
	for i, tc := range stored {
		t.Run("keeps "+tc.sent, func(t *testing.T) {
			ext := map[string]any{"n": json.Number(tc.sent), "list": []any{json.Number(tc.sent)}}
			u, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("num" + strconv.Itoa(i)), Extension: ext})
			if err != nil {
				t.Fatalf("CreateUser with %s: %v", tc.sent, err)
			}
			want := map[string]any{"n": json.Number(tc.kept), "list": []any{json.Number(tc.kept)}}
			for what, got := range map[string]map[string]any{"created": u.Extension, "read back": f.readUser(t, f.a, u.ID).Extension} {
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s extension: got %s, want %s", what, show(got), show(want))
				}
			}
		})
	}

	refused := []string{
		"1e131071", "1e400", "-1e400", "1e-300", "1e40", "1e-40",
		"9007199254740993", "12345678901234567890", "0.1000000000000000000001",
	}
	victim, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("victim")})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	for _, lit := range refused {
		t.Run("refuses "+lit, func(t *testing.T) {
			before := f.userCount(t, f.a)
			ext := map[string]any{"k0": json.Number(lit)}
			_, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("bad"), Extension: ext})
			checkError(t, "CreateUser", err, directory.Invalid, "extension")
			if n := f.userCount(t, f.a); n != before {
				t.Errorf("users after a refused create: got %d, want %d", n, before)
			}
			nested := map[string]any{"deep": map[string]any{"list": []any{json.Number(lit)}}}
			_, err = svc.UpdateUser(f.ctx, p, victim.ID, 0, directory.UserPatch{Extension: nested})
			checkError(t, "UpdateUser", err, directory.Invalid, "extension")
			checkEqual(t, "victim", f.readUser(t, f.a, victim.ID), victim)
		})
	}

	t.Run("size of the stored form", func(t *testing.T) {
		// 1,000 numbers of 4 characters are 12 KiB as sent, 39 KiB stored.
		ext := map[string]any{}
		for i := range 1000 {
			ext[fmt.Sprintf("k%03d", i)] = json.Number("1e30")
		}
		_, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("wide"), Extension: ext})
		checkError(t, "CreateUser", err, directory.Invalid, "extension")
	})

	t.Run("text PostgreSQL cannot hold", func(t *testing.T) {
		for name, ext := range map[string]map[string]any{
			"NUL in a string": {"k": "a\x00b"},
			"NUL in a key":    {"a\x00b": true},
			"invalid UTF-8":   {"k": []any{"\xff"}},
		} {
			_, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("text"), Extension: ext})
			checkError(t, name, err, directory.Invalid, "extension")
		}
	})
}

// testTextInputs checks that text no engine can compare alike, invalid
// UTF-8 or a NUL character, in a filter or a lookup key gets the same
// answer on every engine, before any query: PostgreSQL refuses it with a
// data exception where SQLite simply finds nothing.
func testTextInputs(t *testing.T, f *fixture) {
	svc, p := f.service()
	f.createUser(t, user(f.a, "ada"))
	for _, bad := range []string{"ad\x00a", "ad\xffa"} {
		for _, tc := range []struct {
			field string
			f     directory.UserFilter
		}{
			{"username", directory.UserFilter{Username: bad}},
			{"email", directory.UserFilter{Email: bad}},
			{"q", directory.UserFilter{Query: bad}},
			{"q", directory.UserFilter{Username: "a", Email: "x", Query: "a" + bad}},
		} {
			_, _, err := svc.ListUsers(f.ctx, p, tc.f)
			checkError(t, fmt.Sprintf("ListUsers(%#v)", tc.f), err, directory.Invalid, tc.field)
		}
		_, _, err := svc.ListOrgs(f.ctx, p, directory.OrgFilter{Query: bad})
		checkError(t, fmt.Sprintf("ListOrgs(%q)", bad), err, directory.Invalid, "q")
		_, err = svc.SetClientDisabled(f.ctx, p, "udc_"+bad, true)
		checkError(t, fmt.Sprintf("SetClientDisabled(%q)", bad), err, directory.NotFound, "")
	}
}

// testEmailNormalForm checks that an email is stored in Unicode form C, so
// the same address typed with a combining mark or a precomposed letter is
// one address, taken once, and found by either spelling, on every engine.
func testEmailNormalForm(t *testing.T, f *fixture) {
	svc, p := f.service()
	const composed, decomposed = "zo\u00eb@example.com", "zoe\u0308@example.com"
	u, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("zoe"), Email: ptr(decomposed)})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if got := f.readUser(t, f.a, u.ID).Email; got != composed {
		t.Errorf("stored email: got %+q, want %+q (form C)", got, composed)
	}
	_, err = svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("zoe2"), Email: ptr(composed)})
	checkError(t, "CreateUser with the composed spelling", err, directory.Conflict, "email")

	other, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("other"), Email: ptr("other@example.com")})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	_, err = svc.UpdateUser(f.ctx, p, other.ID, 0, directory.UserPatch{Email: ptr("ZOE\u0308@example.com")})
	checkError(t, "UpdateUser to the decomposed spelling in capitals", err, directory.Conflict, "email")

	again, err := svc.UpdateUser(f.ctx, p, u.ID, 0, directory.UserPatch{Email: ptr(composed)})
	if err != nil || again.Version != u.Version {
		t.Errorf("UpdateUser with the same address in the other form: got version %d, %v; want %d (no change)", again.Version, err, u.Version)
	}
	list, _, err := svc.ListUsers(f.ctx, p, directory.UserFilter{Email: "zoe\u0308"})
	if err != nil || len(list) != 1 || list[0].ID != u.ID {
		t.Errorf("ListUsers by the decomposed prefix: got %v, %v; want user %d", ids(list, userID), err, u.ID)
	}
}

// racingStore is the store under test with a competing writer: before each
// of the first races UpdateUser calls it lets another request change the
// same user (its name), so the call's version is stale.
type racingStore struct {
	directory.Store
	races   int
	updates int // UpdateUser calls that reached the store
	n       int // competing changes made
}

func (s *racingStore) UpdateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	s.updates++
	if s.n < s.races {
		s.n++
		cur, err := s.Store.User(ctx, u.TenantID, u.ID, directory.WholeUser)
		if err != nil {
			return directory.User{}, err
		}
		competitor := cur
		competitor.Name = "competitor " + strconv.Itoa(s.n)
		if _, err := s.Store.UpdateUser(ctx, competitor, updateEvent(cur, competitor)); err != nil {
			return directory.User{}, err
		}
	}
	return s.Store.UpdateUser(ctx, u, ev, checks...)
}

// testUpdateUserRetry checks the Service's answer to an update that loses
// a race to another one: without a version it reads the user again and
// applies its patch to what the other request wrote, a bounded number of
// times; with a version it answers PreconditionFailed at once.
func testUpdateUserRetry(t *testing.T, f *fixture) {
	p := directory.System(f.a)
	u := f.createUser(t, user(f.a, "raced"))
	phone := directory.UserPatch{Phone: ptr("5550199")}

	rs := &racingStore{Store: f.s, races: 1}
	got, err := directory.NewService(rs, plainHasher{}).UpdateUser(f.ctx, p, u.ID, 0, phone)
	if err != nil {
		t.Fatalf("UpdateUser after one lost race: %v", err)
	}
	stored := f.readUser(t, f.a, u.ID)
	if got.Name != "competitor 1" || got.Phone != "5550199" || got.Version != u.Version+2 || rs.updates != 2 {
		t.Errorf("after one lost race: got name %q, phone %q, version %d in %d store updates; want both changes kept (\"competitor 1\", \"5550199\"), version %d, 2 updates",
			got.Name, got.Phone, got.Version, rs.updates, u.Version+2)
	}
	checkEqual(t, "stored", stored, got)

	rs = &racingStore{Store: f.s, races: 1 << 10}
	_, err = directory.NewService(rs, plainHasher{}).UpdateUser(f.ctx, p, u.ID, 0, directory.UserPatch{Phone: ptr("5550100")})
	checkError(t, "UpdateUser losing every race", err, directory.Conflict, "")
	if errors.Is(err, directory.ErrVersionMismatch) {
		t.Errorf("UpdateUser losing every race: got ErrVersionMismatch, want a Conflict: the caller set no version")
	}
	if rs.updates < 2 || rs.updates > 10 {
		t.Errorf("UpdateUser losing every race: %d store updates, want a few retries, bounded", rs.updates)
	}
	if got := f.readUser(t, f.a, u.ID); got.Phone != "5550199" || got.Name != "competitor "+strconv.Itoa(rs.n) {
		t.Errorf("after losing every race: got phone %q, name %q; want the patch not applied, the competitor's last change kept", got.Phone, got.Name)
	}

	cur := f.readUser(t, f.a, u.ID)
	rs = &racingStore{Store: f.s, races: 1}
	_, err = directory.NewService(rs, plainHasher{}).UpdateUser(f.ctx, p, u.ID, cur.Version, directory.UserPatch{Phone: ptr("5550101")})
	checkVersionMismatch(t, "UpdateUser with a version, after a lost race", err)
	if rs.updates != 1 {
		t.Errorf("UpdateUser with a version: %d store updates, want 1 (no retry)", rs.updates)
	}
}

// testConflictWording checks that a broken constraint reaches the caller
// in the same words on every engine: the store reports the field and the
// constraint, the Service words the message.
func testConflictWording(t *testing.T, f *fixture) {
	svc, p := f.service()
	if _, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("ada"), Email: ptr("ada@example.com")}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	eng, err := svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: ptr("Engineering"), Code: ptr("eng")})
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	if _, err := svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: ptr("Platform"), ParentID: &eng.ID}); err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	research, err := svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: ptr("Research")})
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	if _, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("member"), Orgs: &[]directory.Membership{{OrgID: research.ID}}}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	bob, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("bob")})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	_, importErr := svc.ImportUsers(f.ctx, p, []directory.UserPatch{{Username: ptr("new1")}, {Username: ptr("Ada")}})
	tests := []struct {
		name         string
		err          error
		field, words string
	}{
		{"username", second(svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("ADA")})), "username", `"ADA" is taken by another user`},
		{"email", second(svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("ada2"), Email: ptr("Ada@Example.com")})), "email", `"Ada@Example.com" is taken by another user`},
		{"email on update", second(svc.UpdateUser(f.ctx, p, bob.ID, 0, directory.UserPatch{Email: ptr("ADA@example.com")})), "email", `"ADA@example.com" is taken by another user`},
		{"username in an import", importErr, "username", `"Ada" is taken by another user`},
		{"org code", second(svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: ptr("Eng again"), Code: ptr("eng")})), "code", `"eng" is taken by another org`},
		{"org with members", svc.DeleteOrg(f.ctx, p, research.ID, 0), "", fmt.Sprintf("org %d still has members; move them to another org first", research.ID)},
		{"org with children", svc.DeleteOrg(f.ctx, p, eng.ID, 0), "", fmt.Sprintf("org %d still has child orgs; move or delete them first", eng.ID)},
		{"tenant name", second(svc.CreateTenant(f.ctx, "acme")), "name", `"acme" is taken by another tenant`},
	}
	for _, tc := range tests {
		checkError(t, tc.name, tc.err, directory.Conflict, tc.field)
		if got := directory.AsError(tc.err).Message; got != tc.words {
			t.Errorf("%s: got message %q, want %q", tc.name, got, tc.words)
		}
	}
}

// second returns the error of a call that returns a value and an error.
func second[T any](_ T, err error) error { return err }

// changedFields names the fields of a user that differ between before and
// after, as the Service names them in an update's event: the fields a
// store's UpdateUser writes.
func changedFields(before, after directory.User) []string {
	var out []string
	add := func(name string, differ bool) {
		if differ {
			out = append(out, name)
		}
	}
	add("username", before.Username != after.Username)
	add("name", before.Name != after.Name)
	add("nick_name", before.NickName != after.NickName)
	add("email", before.Email != after.Email)
	add("phone", before.Phone != after.Phone)
	add("phone_country_code", before.PhoneCountryCode != after.PhoneCountryCode)
	add("active", before.Active != after.Active)
	add("locked", before.Locked != after.Locked)
	add("must_change_password", before.MustChangePassword != after.MustChangePassword)
	add("enterprise_id", before.EnterpriseID != after.EnterpriseID)
	add("grade", before.Grade != after.Grade)
	add("employee_number", before.EmployeeNumber != after.EmployeeNumber)
	add("manager_id", before.ManagerID != after.ManagerID)
	add("address", before.Address != after.Address)
	add("city", before.City != after.City)
	add("province", before.Province != after.Province)
	add("country", before.Country != after.Country)
	add("comment", before.Comment != after.Comment)
	add("extension", !reflect.DeepEqual(before.Extension, after.Extension))
	add("orgs", !slices.Equal(before.Orgs, after.Orgs))
	add("password", before.PasswordHash != after.PasswordHash || !before.PasswordChangedAt.Equal(after.PasswordChangedAt))
	// The profile's fields, each named as its Go name in snake case.
	bp, ap := reflect.ValueOf(before.Profile), reflect.ValueOf(after.Profile)
	for i := range bp.NumField() {
		add(snakeCase(bp.Type().Field(i).Name), !reflect.DeepEqual(bp.Field(i).Interface(), ap.Field(i).Interface()))
	}
	return out
}

// snakeCase spells a Go field name as the native API does: ExternalID is
// external_id, ProfileURL profile_url.
func snakeCase(name string) string {
	var b strings.Builder
	for i, r := range name {
		upper := r >= 'A' && r <= 'Z'
		// A capital starts a word unless it continues an acronym.
		if upper && i > 0 && !(name[i-1] >= 'A' && name[i-1] <= 'Z') {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// updateEvent returns the event of an update of before to after, naming
// the fields that changed, as the Service builds it.
func updateEvent(before, after directory.User) directory.Event {
	return event(after.TenantID, "user.update", strconv.FormatInt(after.ID, 10), changedFields(before, after)...)
}
