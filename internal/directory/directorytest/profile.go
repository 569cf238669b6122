package directorytest

import (
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// fullProfile returns a profile with every field set, to a value that is
// not the zero value and holds text a careless store could mangle.
func fullProfile(username string) directory.Profile {
	return directory.Profile{
		ExternalID:        "00u1ab2CD3ef-" + username,
		GivenName:         "Augusta Ada",
		MiddleName:        "King",
		FamilyName:        "Lovelace",
		HonorificPrefix:   "The Hon.",
		HonorificSuffix:   "FRS",
		DisplayName:       "Ada L. 东京",
		Title:             "Analyst",
		UserType:          "Employee",
		PreferredLanguage: "en-GB",
		Locale:            "en-GB",
		Timezone:          "Europe/London",
		ProfileURL:        "https://example.com/~ada?x=1&y='2'",
		EmailType:         "work",
		PhoneType:         "mobile",
		OtherEmails:       []directory.Contact{{Value: "ada@home.example", Type: "home"}, {Value: "ada@other.example"}},
		OtherPhones:       []directory.Contact{{Value: "+44 20 7946 0000", Type: "work"}},
		PostalCode:        "SW1Y 4LG",
		AddressType:       "work",
		Organization:      "Analytical Engines Ltd",
		Division:          "Computing",
		Department:        "Programmes",
		CostCenter:        "CC-1843",
		Gender:            "female",
		Birthday:          "1815-12-10",
		IdentityType:      "passport",
		IdentityNumber:    "P1234567",
		Area:              "Marylebone",
		HireDate:          "1843-09-01",
		WorkPlace:         "Ockham Park",
	}
}

// testProfileEveryField checks that fullProfile, which the round trips
// store, sets every field of Profile: a field added later without a value
// there would go untested, and a store could drop it unseen.
func testProfileEveryField(t *testing.T, _ *fixture) {
	v := reflect.ValueOf(fullProfile("x"))
	for i := range v.NumField() {
		if v.Field(i).IsZero() {
			t.Errorf("fullProfile leaves %s empty; give it a value so the round trips store it", v.Type().Field(i).Name)
		}
	}
}

// testExternalID checks the lookup by external id: exact and
// case-sensitive, not unique, within the tenant, and following updates.
func testExternalID(t *testing.T, f *fixture) {
	create := func(tenant int64, username, ext string) directory.User {
		u := user(tenant, username)
		u.ExternalID = ext
		return f.createUser(t, u)
	}
	a1 := create(f.a, "a1", "ext-1")
	a2 := create(f.a, "a2", "ext-1") // not unique: two users may share it
	a3 := create(f.a, "a3", "EXT-1")
	create(f.a, "a4", "ext-10")
	create(f.a, "a5", "")
	create(f.b, "b1", "ext-1")
	create(f.b, "b2", "ext-b")

	find := func(t *testing.T, filter directory.UserFilter) []int64 {
		t.Helper()
		if filter.Limit == 0 {
			filter.Limit = 10
		}
		users, err := f.s.ListUsers(f.ctx, f.a, filter)
		if err != nil {
			t.Fatalf("ListUsers(%+v): %v", filter, err)
		}
		ids := []int64{}
		for _, u := range users {
			ids = append(ids, u.ID)
		}
		return ids
	}
	if got, want := find(t, directory.UserFilter{ExternalID: "ext-1"}), []int64{a1.ID, a2.ID}; !slices.Equal(got, want) {
		t.Errorf("ExternalID ext-1: got users %v, want %v (exact, case-sensitive, this tenant, by id)", got, want)
	}
	if got, want := find(t, directory.UserFilter{ExternalID: "ext-1", AfterID: a1.ID, Limit: 1}), []int64{a2.ID}; !slices.Equal(got, want) {
		t.Errorf("ExternalID ext-1 after the first: got users %v, want %v", got, want)
	}
	if got, want := find(t, directory.UserFilter{ExternalID: "ext-1", Username: "a2"}), []int64{a2.ID}; !slices.Equal(got, want) {
		t.Errorf("ExternalID ext-1 and username a2: got users %v, want %v", got, want)
	}
	if got := find(t, directory.UserFilter{ExternalID: "nobody"}); len(got) != 0 {
		t.Errorf("ExternalID nobody: got users %v, want none", got)
	}

	// Store.LookupUsers reads the same users as the page path: this
	// tenant's, compared exactly, in id order, up to its limit, and only
	// those meeting the rest of an And.
	t.Run("lookup", func(t *testing.T) {
		extEq := func(v string) directory.UserQuery {
			return directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldExternalID, Value: v}
		}
		lookup := func(t *testing.T, q directory.UserQuery, limit int) []int64 {
			t.Helper()
			if !q.Lookup() {
				t.Fatalf("%+v is not a lookup", q)
			}
			users, err := f.s.LookupUsers(f.ctx, f.a, &q, limit, directory.WholeUser)
			if err != nil {
				t.Fatalf("LookupUsers(%+v): %v", q, err)
			}
			for _, u := range users {
				checkEqual(t, "LookupUsers", u, f.readUser(t, f.a, u.ID))
			}
			return userIDs(users)
		}
		withName := directory.UserQuery{Op: directory.QueryAnd, Args: []directory.UserQuery{
			extEq("ext-1"), {Op: directory.QueryStartsWith, Field: directory.FieldUsername, Value: "A2"}}}
		for _, tc := range []struct {
			name  string
			q     directory.UserQuery
			limit int
			want  []int64
		}{
			{"every match", extEq("ext-1"), 10, []int64{a1.ID, a2.ID}},
			{"up to the limit", extEq("ext-1"), 1, []int64{a1.ID}},
			{"case matters", extEq("EXT-1"), 10, []int64{a3.ID}},
			{"no prefix match", extEq("ext"), 10, nil},
			{"the rest of an and", withName, 10, []int64{a2.ID}},
			{"another tenant's only", extEq("ext-b"), 10, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if got := lookup(t, tc.q, tc.limit); !slices.Equal(got, tc.want) {
					t.Errorf("got users %v, want %v", got, tc.want)
				}
			})
		}
	})

	t.Run("follows updates", func(t *testing.T) {
		u := a1
		u.ExternalID = "ext-2"
		u, err := f.s.UpdateUser(f.ctx, u, updateEvent(a1, u))
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if got, want := find(t, directory.UserFilter{ExternalID: "ext-1"}), []int64{a2.ID}; !slices.Equal(got, want) {
			t.Errorf("ExternalID ext-1 after the move: got users %v, want %v", got, want)
		}
		if got, want := find(t, directory.UserFilter{ExternalID: "ext-2"}), []int64{a1.ID}; !slices.Equal(got, want) {
			t.Errorf("ExternalID ext-2 after the move: got users %v, want %v", got, want)
		}
		cleared := u
		cleared.ExternalID = ""
		if _, err := f.s.UpdateUser(f.ctx, cleared, updateEvent(u, cleared)); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if got := find(t, directory.UserFilter{ExternalID: "ext-2"}); len(got) != 0 {
			t.Errorf("ExternalID ext-2 once cleared: got users %v, want none", got)
		}
		if got := f.readUser(t, f.a, a1.ID).ExternalID; got != "" {
			t.Errorf("cleared ExternalID reads back %q, want \"\"", got)
		}
	})
}

// testProfileRules checks the Service's rules on the profile against a real
// store: what is refused changes nothing, on every engine alike.
func testProfileRules(t *testing.T, f *fixture) {
	svc, p := f.service()
	ctx := f.ctx
	good := func() directory.UserPatch {
		return directory.UserPatch{Username: new("rules"), Email: new("rules@example.com"), Phone: new("5550100")}
	}
	u, err := svc.CreateUser(ctx, p, directory.OriginAPI, good())
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	contacts := func(n int, domain string) *[]directory.Contact {
		cs := make([]directory.Contact, n)
		for i := range cs {
			cs[i] = directory.Contact{Value: "x" + strconv.Itoa(i) + domain, Type: "work"}
		}
		return &cs
	}
	long := strings.Repeat("é", directory.MaxTextFieldLen+1)
	for _, tc := range []struct {
		name  string
		field string
		edit  func(p *directory.UserPatch)
	}{
		{"long given name", "given_name", func(p *directory.UserPatch) { p.GivenName = &long }},
		{"long display name", "display_name", func(p *directory.UserPatch) { p.DisplayName = &long }},
		{"long external id", "external_id", func(p *directory.UserPatch) { p.ExternalID = new(strings.Repeat("x", directory.MaxExternalIDLen+1)) }},
		{"long locale", "locale", func(p *directory.UserPatch) { p.Locale = new(strings.Repeat("x", directory.MaxCodeLen+1)) }},
		{"long profile url", "profile_url", func(p *directory.UserPatch) {
			p.ProfileURL = new("https://example.com/" + strings.Repeat("x", directory.MaxProfileURLLen))
		}},
		{"NUL in title", "title", func(p *directory.UserPatch) { p.Title = new("a\x00b") }},
		{"birthday not a date", "birthday", func(p *directory.UserPatch) { p.Birthday = new("1990-02-30") }},
		{"birthday in another format", "birthday", func(p *directory.UserPatch) { p.Birthday = new("30/04/1990") }},
		{"hire date with a time", "hire_date", func(p *directory.UserPatch) { p.HireDate = new("2020-01-02T00:00:00Z") }},
		{"ten other emails", "other_emails", func(p *directory.UserPatch) { p.OtherEmails = contacts(directory.MaxContacts, "@example.org") }},
		{"other email not an address", "other_emails", func(p *directory.UserPatch) {
			p.OtherEmails = &[]directory.Contact{{Value: "not an address"}}
		}},
		{"other email repeats the primary", "other_emails", func(p *directory.UserPatch) {
			p.OtherEmails = &[]directory.Contact{{Value: "RULES@example.com", Type: "home"}}
		}},
		{"other email not UTF-8", "other_emails", func(p *directory.UserPatch) {
			p.OtherEmails = &[]directory.Contact{{Value: "\xffa@example.org"}}
		}},
		{"other phone not UTF-8", "other_phones", func(p *directory.UserPatch) {
			p.OtherPhones = &[]directory.Contact{{Value: "555\xff"}}
		}},
		{"other phone type with NUL", "other_phones", func(p *directory.UserPatch) {
			p.OtherPhones = &[]directory.Contact{{Value: "5550199", Type: "a\x00"}}
		}},
		{"other email twice", "other_emails", func(p *directory.UserPatch) {
			p.OtherEmails = &[]directory.Contact{{Value: "a@example.org"}, {Value: "A@example.org"}}
		}},
		{"long email type", "other_emails", func(p *directory.UserPatch) {
			p.OtherEmails = &[]directory.Contact{{Value: "a@example.org", Type: strings.Repeat("w", directory.MaxContactTypeLen+1)}}
		}},
		{"ten other phones", "other_phones", func(p *directory.UserPatch) { p.OtherPhones = contacts(directory.MaxContacts, "") }},
		{"empty other phone", "other_phones", func(p *directory.UserPatch) { p.OtherPhones = &[]directory.Contact{{Type: "home"}} }},
		{"other phone repeats the primary", "other_phones", func(p *directory.UserPatch) {
			p.OtherPhones = &[]directory.Contact{{Value: "5550100"}}
		}},
		{"email type without an email", "email_type", func(p *directory.UserPatch) { p.Email, p.EmailType = new(""), new("work") }},
		{"phone type without a phone", "phone_type", func(p *directory.UserPatch) { p.Phone, p.PhoneType = new(""), new("mobile") }},
		{"long phone type", "phone_type", func(p *directory.UserPatch) { p.PhoneType = new(strings.Repeat("m", directory.MaxContactTypeLen+1)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			patch := directory.UserPatch{}
			tc.edit(&patch)
			before := f.lastEventID(t, f.a)
			_, err := svc.UpdateUser(ctx, p, u.ID, 0, patch)
			if e := directory.AsError(err); e == nil || e.Kind != directory.Invalid || e.Field != tc.field {
				t.Errorf("UpdateUser: got %v, want Invalid on %s", err, tc.field)
			}
			checkEqual(t, "User after a refused update", f.readUser(t, f.a, u.ID), u)
			f.checkNoEventsAfter(t, f.a, before)

			// The same email as u's: a create that got past the rules
			// would be a Conflict, not Invalid.
			create := good()
			create.Username = new("new-" + strings.ReplaceAll(tc.name, " ", "-"))
			tc.edit(&create)
			if _, err := svc.CreateUser(ctx, p, directory.OriginAPI, create); directory.KindOf(err) != directory.Invalid {
				t.Errorf("CreateUser: got %v, want Invalid", err)
			}
		})
	}

	t.Run("the most that fits", func(t *testing.T) {
		patch := directory.UserPatch{}
		patch.GivenName = new(strings.Repeat("é", directory.MaxTextFieldLen))
		patch.ProfileURL = new(strings.Repeat("u", directory.MaxProfileURLLen))
		patch.OtherEmails = contacts(directory.MaxContacts-1, "@example.org")
		patch.OtherPhones = contacts(directory.MaxContacts-1, "")
		patch.Birthday, patch.HireDate = new("2000-02-29"), new("9999-12-31")
		got, err := svc.UpdateUser(ctx, p, u.ID, 0, patch)
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		checkEqual(t, "User", f.readUser(t, f.a, u.ID), got)
		if len(got.OtherEmails) != directory.MaxContacts-1 || len(got.OtherPhones) != directory.MaxContacts-1 {
			t.Errorf("got %d other emails and %d other phones, want %d each", len(got.OtherEmails), len(got.OtherPhones), directory.MaxContacts-1)
		}
		u = got
	})

	t.Run("other emails in normal form", func(t *testing.T) {
		patch := directory.UserPatch{}
		patch.OtherEmails = &[]directory.Contact{{Value: "zoe\u0308@example.org", Type: "home"}}
		got, err := svc.UpdateUser(ctx, p, u.ID, 0, patch)
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		if want := "zo\u00eb@example.org"; got.OtherEmails[0].Value != want || f.readUser(t, f.a, u.ID).OtherEmails[0].Value != want {
			t.Errorf("other email stored as %q, want %q (NFC)", got.OtherEmails[0].Value, want)
		}
		u = got
	})

	t.Run("primary removed: the first other takes its place", func(t *testing.T) {
		patch := directory.UserPatch{Email: new(""), Phone: new("")}
		patch.OtherEmails = &[]directory.Contact{{Value: "first@example.org", Type: "home"}, {Value: "second@example.org"}}
		patch.OtherPhones = &[]directory.Contact{{Value: "5550177"}}
		before := f.lastEventID(t, f.a)
		got, err := svc.UpdateUser(ctx, p, u.ID, 0, patch)
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		read := f.readUser(t, f.a, u.ID)
		checkEqual(t, "User", read, got)
		if read.Email != "first@example.org" || read.EmailType != "home" || !slices.Equal(read.OtherEmails, []directory.Contact{{Value: "second@example.org"}}) {
			t.Errorf("emails: got %q (%q) and %v, want first@example.org (home) and second@example.org", read.Email, read.EmailType, read.OtherEmails)
		}
		if read.Phone != "5550177" || read.PhoneType != "" || read.OtherPhones != nil {
			t.Errorf("phones: got %q (%q) and %v, want 5550177 alone, without a type", read.Phone, read.PhoneType, read.OtherPhones)
		}
		if evs := f.events(t, f.a); len(evs) == 0 || evs[len(evs)-1].ID <= before || !slices.Contains(evs[len(evs)-1].Fields, "email") {
			t.Errorf("the update's event does not name email")
		}
		u = got

		// A dialect that knows only the primary email clears it: the
		// next one takes its place, then none is left, nor its type.
		for _, want := range []string{"second@example.org", ""} {
			got, err := svc.UpdateUser(ctx, p, u.ID, 0, directory.UserPatch{Email: new("")})
			if err != nil {
				t.Fatalf("UpdateUser: %v", err)
			}
			if got.Email != want || got.OtherEmails != nil || got.EmailType != "" {
				t.Errorf("email cleared: got %q (%q) and %v, want %q alone, without a type", got.Email, got.EmailType, got.OtherEmails, want)
			}
			u = got
		}
	})

	t.Run("emptied lists", func(t *testing.T) {
		patch := directory.UserPatch{}
		patch.OtherEmails, patch.OtherPhones = &[]directory.Contact{}, &[]directory.Contact{}
		got, err := svc.UpdateUser(ctx, p, u.ID, 0, patch)
		if err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
		read := f.readUser(t, f.a, u.ID)
		if got.OtherEmails != nil || read.OtherEmails != nil || read.OtherPhones != nil {
			t.Errorf("emptied lists read back as %v and %v, want none", read.OtherEmails, read.OtherPhones)
		}
	})
}

// CheckMigratedUser checks a user an engine's test stored, before the
// profile columns existed, as ada with email ada@example.com, and then
// migrated: it reads back with an empty profile that the Service's rules
// accept, and can be given a profile and found by it as any other user.
func CheckMigratedUser(t *testing.T, s directory.Store, tenant, id int64) {
	t.Helper()
	ctx := t.Context()
	u, err := s.User(ctx, tenant, id, directory.WholeUser)
	if err != nil {
		t.Fatalf("User: %v", err)
	}
	if !reflect.ValueOf(u.Profile).IsZero() || u.Email != "ada@example.com" {
		t.Errorf("migrated user: got profile %+v, email %q; want an empty profile and the email kept", u.Profile, u.Email)
	}
	if err := u.Validate(); err != nil {
		t.Errorf("migrated user: %v", err)
	}
	svc := directory.NewService(s, plainHasher{})
	patch := directory.UserPatch{}
	patch.ExternalID, patch.OtherEmails = new("ext-ada"), &[]directory.Contact{{Value: "ada@home.example"}}
	if _, err := svc.UpdateUser(ctx, directory.System(tenant), id, 0, patch); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	found, err := s.ListUsers(ctx, tenant, directory.UserFilter{ExternalID: "ext-ada", Limit: 10})
	if err != nil || len(found) != 1 || found[0].ID != id || len(found[0].OtherEmails) != 1 {
		t.Errorf("by external id after the update: got %+v, %v; want the user with its other email", found, err)
	}
}
