package directorytest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// anyEmail is the query "one of the user's emails meets all of conds".
func anyEmail(conds ...directory.UserQuery) *directory.UserQuery {
	c := conds[0]
	if len(conds) > 1 {
		c = directory.UserQuery{Op: directory.QueryAnd, Args: conds}
	}
	return &directory.UserQuery{Op: directory.QueryAnyEmail, Args: []directory.UserQuery{c}}
}

func emailIs(op directory.QueryOp, field directory.UserField, v any) directory.UserQuery {
	return directory.UserQuery{Op: op, Field: field, Value: v}
}

// emailKey is one email of a user as a query on emails sees it.
type emailKey struct {
	value, typ string // value lowercased
	primary    bool
}

// checkEmails fails the test unless a query on any email of the tenant's
// users finds exactly the users that have it, as they read back: for each
// email (and each of probes, an email no user should have any more), the
// users with that value, and with that value, each type and each primary
// flag; and that "has an email" finds exactly the users with one.
func (f *fixture) checkEmails(t *testing.T, tenant int64, probes ...string) {
	t.Helper()
	want := map[emailKey][]int64{}
	byValue := map[string][]int64{}
	var withEmail []int64
	for _, id := range f.allUserIDs(t, tenant, 0) {
		u := f.readUser(t, tenant, id)
		if u.Email == "" {
			continue
		}
		withEmail = append(withEmail, id)
		add := func(value, typ string, primary bool) {
			k := emailKey{strings.ToLower(value), typ, primary}
			want[k] = append(want[k], id)
			byValue[k.value] = append(byValue[k.value], id)
		}
		add(u.Email, u.EmailType, true)
		for _, c := range u.OtherEmails {
			add(c.Value, c.Type, false)
		}
	}
	for _, p := range probes {
		byValue[strings.ToLower(p)] = append(byValue[strings.ToLower(p)], []int64{}...)
	}
	query := func(what string, q *directory.UserQuery, want []int64) {
		t.Helper()
		users, err := f.s.QueryUsers(f.ctx, tenant, q, directory.UserSort{}, 0, 0, directory.MaxPageSize, directory.WholeUser)
		if err != nil {
			t.Fatalf("QueryUsers(%s): %v", what, err)
		}
		if got := userIDs(users); !slices.Equal(got, want) {
			t.Errorf("users with %s: got %v, want %v", what, got, want)
		}
	}
	query("an email", anyEmail(emailIs(directory.QueryPresent, directory.FieldEmailEntryValue, nil)), withEmail)
	for value, ids := range byValue {
		slices.Sort(ids)
		if len(ids) == 0 {
			ids = nil
		}
		// The value as given in another case: emails compare ignoring it.
		query(fmt.Sprintf("email %q", value), anyEmail(emailIs(directory.QueryEq, directory.FieldEmailEntryValue, strings.ToUpper(value))), slices.Compact(ids))
		for _, typ := range []string{"", "home", "work"} {
			for _, primary := range []bool{false, true} {
				ids := want[emailKey{value, typ, primary}]
				query(fmt.Sprintf("email %q of type %q, primary %v", value, typ, primary), anyEmail(
					emailIs(directory.QueryEq, directory.FieldEmailEntryValue, value),
					emailIs(directory.QueryEq, directory.FieldEmailEntryType, typ),
					emailIs(directory.QueryEq, directory.FieldEmailEntryPrimary, primary)), ids)
			}
		}
	}
}

// testUserEmails checks that a query on any of a user's emails finds
// exactly the users that have it after every kind of write that changes
// emails: a create, a bulk import, a failed import, an update of the
// primary email, of the others and of their types, the promotion of
// another email to primary, a delete, and several writers at once; and
// that another tenant's users never match.
func testUserEmails(t *testing.T, f *fixture) {
	ann := user(f.a, "ann")
	ann.Email, ann.EmailType = "Ann@Example.com", "work"
	ann.OtherEmails = []directory.Contact{{Value: "ann.home@example.org", Type: "home"}, {Value: "ANN@second.example"}}
	ann = f.createUser(t, ann)
	other := user(f.b, "ann")
	other.Email, other.OtherEmails = "ann@globex.example", []directory.Contact{{Value: "ann.home@example.org", Type: "home"}}
	f.createUser(t, other)
	f.createUser(t, user(f.a, "no-email"))
	f.checkEmails(t, f.a)

	var batch []directory.User
	for i := range 20 {
		u := user(f.a, "imp"+strconv.Itoa(i))
		u.Email = fmt.Sprintf("imp%d@example.com", i)
		if i%2 == 0 {
			// Shared by half of them: not unique, unlike the primary one.
			u.OtherEmails = []directory.Contact{{Value: "shared@example.com", Type: "work"}, {Value: fmt.Sprintf("imp%d@home.example", i), Type: "home"}}
		}
		batch = append(batch, u)
	}
	imported, err := f.s.CreateUsers(f.ctx, batch, event(f.a, "user.import", ""))
	if err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	failed := user(f.a, "failed")
	failed.Email, failed.OtherEmails = "failed@example.com", []directory.Contact{{Value: "failed.other@example.com"}}
	if _, err := f.s.CreateUsers(f.ctx, []directory.User{failed, user(f.a, "imp0")}, event(f.a, "user.import", "")); err == nil {
		t.Fatal("CreateUsers with a taken username: got no error")
	}
	f.checkEmails(t, f.a, "failed@example.com", "failed.other@example.com")

	// The others and their types change; then the primary one goes and
	// the first other takes its place, as the Service promotes it.
	update := func(u directory.User, fields ...string) directory.User {
		t.Helper()
		got, err := f.s.UpdateUser(f.ctx, u, event(f.a, "user.update", strconv.FormatInt(u.ID, 10), fields...))
		if err != nil {
			t.Fatalf("UpdateUser(%v): %v", fields, err)
		}
		return got
	}
	ann.OtherEmails = []directory.Contact{{Value: "ANN@second.example", Type: "work"}, {Value: "ann3@example.net"}}
	ann = update(ann, "other_emails")
	f.checkEmails(t, f.a, "ann.home@example.org")
	ann.EmailType = "home"
	ann = update(ann, "email_type")
	ann.Email, ann.EmailType, ann.OtherEmails = ann.OtherEmails[0].Value, ann.OtherEmails[0].Type, ann.OtherEmails[1:]
	ann = update(ann, "email", "email_type", "other_emails")
	f.checkEmails(t, f.a, "ann@example.com", "ann.home@example.org")
	// A change of other fields leaves the emails as they are.
	ann.Name = "Ann"
	ann = update(ann, "name")
	f.checkEmails(t, f.a)
	ann.Email, ann.EmailType, ann.OtherEmails = "", "", nil
	update(ann, "email", "email_type", "other_emails")
	f.checkEmails(t, f.a, "ann@second.example", "ann3@example.net")

	if err := f.s.DeleteUser(f.ctx, f.a, imported[0].ID, imported[0].Version, event(f.a, "user.delete", "")); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	f.checkEmails(t, f.a, "imp0@example.com", "imp0@home.example")

	// Writers at once, each changing its own user's emails again and
	// again, creating and deleting users; the emails each leaves behind
	// must be gone.
	const writers, rounds = 4, 5
	var probes []string
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			u := imported[w+1]
			for r := range rounds {
				v := fmt.Sprintf("w%d-r%d@example.com", w, r)
				u.OtherEmails = []directory.Contact{{Value: v, Type: "home"}}
				var err error
				if u, err = f.s.UpdateUser(f.ctx, u, event(f.a, "user.update", strconv.FormatInt(u.ID, 10), "other_emails")); err != nil {
					t.Errorf("writer %d: UpdateUser: %v", w, err)
					return
				}
				n := user(f.a, fmt.Sprintf("w%d-r%d", w, r))
				n.Email = fmt.Sprintf("new-w%d-r%d@example.com", w, r)
				n.OtherEmails = []directory.Contact{{Value: "churn@example.com"}}
				created, err := f.s.CreateUser(f.ctx, n, event(f.a, "user.create", ""))
				if err != nil {
					t.Errorf("writer %d: CreateUser: %v", w, err)
					return
				}
				if r%2 == 0 {
					if err := f.s.DeleteUser(f.ctx, f.a, created.ID, created.Version, event(f.a, "user.delete", "")); err != nil {
						t.Errorf("writer %d: DeleteUser: %v", w, err)
						return
					}
					mu.Lock()
					probes = append(probes, n.Email)
					mu.Unlock()
				}
				if r < rounds-1 {
					mu.Lock()
					probes = append(probes, v)
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	f.checkEmails(t, f.a, probes...)
	f.checkEmails(t, f.b)
}

// UserEmails runs the suite's case on the emails of users against s, a
// fresh, empty, migrated store, and leaves its users there: a store's own
// test then checks that its table of emails holds exactly their emails,
// none of a deleted user or a replaced email, which no query can see.
func UserEmails(t *testing.T, s directory.Store) { testUserEmails(t, newFixture(t, s)) }

// testQueryEmails checks each operator on any of a user's emails: the
// value ignoring case, the type exactly, the primary flag, and and, or
// and not inside one email (both conditions of one email, not one of
// each), on every engine alike.
func testQueryEmails(t *testing.T, f *fixture) {
	mk := func(name, email, typ string, others ...directory.Contact) int64 {
		u := user(f.a, name)
		u.Email, u.EmailType, u.OtherEmails = email, typ, others
		return f.createUser(t, u).ID
	}
	ann := mk("ann", "ann@example.com", "work", directory.Contact{Value: "Ann.Home@Mail.example", Type: "home"})
	bob := mk("bob", "bob@corp.example", "", directory.Contact{Value: "bob@example.com", Type: "work"}, directory.Contact{Value: "b_%*@x.example"})
	cat := mk("cat", "cat@mail.example", "home")
	none := mk("none", "", "")
	other := user(f.b, "ann")
	other.Email, other.OtherEmails = "x@corp.example", []directory.Contact{{Value: "ann.home@mail.example"}}
	f.createUser(t, other)

	value := func(op directory.QueryOp, v string) directory.UserQuery {
		return emailIs(op, directory.FieldEmailEntryValue, v)
	}
	typ := func(op directory.QueryOp, v string) directory.UserQuery {
		return emailIs(op, directory.FieldEmailEntryType, v)
	}
	primary := func(v bool) directory.UserQuery {
		return emailIs(directory.QueryEq, directory.FieldEmailEntryPrimary, v)
	}
	not := func(q directory.UserQuery) directory.UserQuery {
		return directory.UserQuery{Op: directory.QueryNot, Args: []directory.UserQuery{q}}
	}
	or := func(a, b directory.UserQuery) directory.UserQuery {
		return directory.UserQuery{Op: directory.QueryOr, Args: []directory.UserQuery{a, b}}
	}
	tests := []struct {
		name string
		q    *directory.UserQuery
		want []int64
	}{
		{"eq another email ignoring case", anyEmail(value(directory.QueryEq, "ann.home@mail.EXAMPLE")), []int64{ann}},
		{"eq finds the primary and the other email", anyEmail(value(directory.QueryEq, "BOB@example.com")), []int64{bob}},
		{"sw", anyEmail(value(directory.QueryStartsWith, "Ann.")), []int64{ann}},
		{"sw of a domain part", anyEmail(value(directory.QueryStartsWith, "b")), []int64{bob}},
		{"sw ending past ASCII", anyEmail(value(directory.QueryStartsWith, "ann\u00e9")), nil},
		{"co", anyEmail(value(directory.QueryContains, "@MAIL.")), []int64{ann, cat}},
		{"co with literal wildcards", anyEmail(value(directory.QueryContains, "_%*")), []int64{bob}},
		{"co wildcards are literal", anyEmail(value(directory.QueryContains, "b%")), nil},
		{"ew", anyEmail(value(directory.QueryEndsWith, ".com")), []int64{ann, bob}},
		{"ne: an email other than it", anyEmail(value(directory.QueryNe, "cat@mail.example")), []int64{ann, bob}},
		{"not eq: no email equal to it", ptr(not(*anyEmail(value(directory.QueryEq, "bob@example.com")))), []int64{ann, cat, none}},
		{"gt by lowercased bytes", anyEmail(value(directory.QueryGt, "BOB@EXAMPLE.COM")), []int64{cat}},
		{"le", anyEmail(value(directory.QueryLe, "ann@example.com")), []int64{ann}},
		{"pr", anyEmail(value(directory.QueryPresent, "")), []int64{ann, bob, cat}},
		{"type eq exactly", anyEmail(typ(directory.QueryEq, "home")), []int64{ann, cat}},
		{"type of another case", anyEmail(typ(directory.QueryEq, "HOME")), nil},
		{"type pr", anyEmail(typ(directory.QueryPresent, "")), []int64{ann, bob, cat}},
		{"type absent", anyEmail(not(typ(directory.QueryPresent, ""))), []int64{bob}},
		{"primary", anyEmail(primary(true), typ(directory.QueryEq, "work")), []int64{ann}},
		{"not primary", anyEmail(primary(false), typ(directory.QueryEq, "work")), []int64{bob}},
		{"both of one email", anyEmail(typ(directory.QueryEq, "work"), value(directory.QueryContains, "@example.com")), []int64{ann, bob}},
		{"both of one email, not one of each", anyEmail(typ(directory.QueryEq, "home"), value(directory.QueryEndsWith, ".com")), nil},
		{"or inside", anyEmail(or(value(directory.QueryEq, "cat@mail.example"), typ(directory.QueryEq, "work"))), []int64{ann, bob, cat}},
		{"not inside", anyEmail(not(value(directory.QueryContains, "example.com"))), []int64{ann, bob, cat}},
		{"and with a field of the user", &directory.UserQuery{Op: directory.QueryAnd, Args: []directory.UserQuery{
			*anyEmail(value(directory.QueryEq, "bob@example.com")), emailIs(directory.QueryEq, directory.FieldUsername, "bob")}}, []int64{bob}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { f.checkQuery(t, tt.q, tt.want) })
	}
}

// CheckEmailsTable runs UserEmails against s, a fresh, empty, migrated
// store, then checks that its table of emails, user_emails, holds exactly
// the rows of rebuilt (an engine's SELECT of every user's emails as its
// migration makes them): none missing, none left over. count runs a query
// of one row of three integers on the engine.
func CheckEmailsTable(t *testing.T, s directory.Store, rebuilt string, count func(query string) (extra, missing, rows int, err error)) {
	t.Helper()
	UserEmails(t, s)
	const table = `SELECT tenant_id, user_id, position, value, value_lower, type, is_primary FROM user_emails`
	extra, missing, rows, err := count(`SELECT
		(SELECT count(*) FROM (` + table + ` EXCEPT SELECT * FROM (` + rebuilt + `) r) x),
		(SELECT count(*) FROM (SELECT * FROM (` + rebuilt + `) r EXCEPT ` + table + `) y),
		(SELECT count(*) FROM user_emails)`)
	if err != nil {
		t.Fatal(err)
	}
	if extra != 0 || missing != 0 || rows < 50 {
		t.Errorf("user_emails: %d rows not of a user's emails, %d emails without a row, %d rows in all (want 0, 0, at least 50)", extra, missing, rows)
	}
}

// CheckEmailsMigrated stores users with several emails in s, a store
// migrated up to the version before its table of emails, runs migrate,
// and checks that a query on any email finds them as on a new store.
func CheckEmailsMigrated(t *testing.T, s directory.Store, migrate func() error) {
	t.Helper()
	f := &fixture{s: s, ctx: t.Context()}
	tenant := f.createTenant(t, "emails").ID
	batch := make([]directory.User, 10)
	for i := range batch {
		batch[i] = user(tenant, "old"+strconv.Itoa(i))
		if i%3 != 0 {
			batch[i].Email, batch[i].EmailType = fmt.Sprintf("Old%d@Example.com", i), "work"
		}
		if i%3 == 1 {
			batch[i].OtherEmails = []directory.Contact{{Value: "Shared@Old.example", Type: "home"}, {Value: fmt.Sprintf("old%d@other.example", i)}}
		}
	}
	if _, err := s.CreateUsers(f.ctx, batch, event(tenant, "user.import", "")); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	if err := migrate(); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	f.checkEmails(t, tenant)
}
