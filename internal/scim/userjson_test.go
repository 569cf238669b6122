package scim

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/schemas"
)

// projectionPaths are the attribute paths the encoder tests project with:
// every attribute and sub-attribute of the resource, in odd cases too,
// ones it does not have, the extension whole and in part, and paths in a
// schema that is not the User's.
var projectionPaths = []string{
	"id", "schemas", "schemas.value", "userName", "USERNAME", "userName.x", "active", "externalId", "displayName", "nickName",
	"title", "userType", "preferredLanguage", "locale", "timezone", "profileUrl", "password", "unknown",
	"name", "name.givenName", "NAME.FAMILYNAME", "name.formatted", "name.middleName", "name.honorificPrefix",
	"name.honorificSuffix", "name.nothing",
	"emails", "emails.value", "emails.type", "Emails.Primary", "emails.display", "phoneNumbers", "phoneNumbers.value",
	"phoneNumbers.primary", "addresses", "addresses.locality", "addresses.primary", "addresses.country", "addresses.streetAddress",
	"groups", "groups.value", "groups.$ref", "groups.type", "groups.display",
	"meta", "meta.version", "meta.location", "meta.created", "meta.lastModified", "meta.resourceType", "meta.nothing",
	schemas.User + ":userName", schemas.User + ":name.givenName", schemas.User + ":emails",
	schemas.EnterpriseUser, strings.ToLower(schemas.EnterpriseUser), schemas.EnterpriseUser + ".department",
	schemas.EnterpriseUser + ":department", schemas.EnterpriseUser + ":employeeNumber", schemas.EnterpriseUser + ":costCenter",
	schemas.EnterpriseUser + ":organization", schemas.EnterpriseUser + ":division", schemas.EnterpriseUser + ":manager",
	schemas.EnterpriseUser + ":manager.value", schemas.EnterpriseUser + ":MANAGER.$ref", schemas.EnterpriseUser + ":manager.displayName",
	schemas.EnterpriseUser + ":department.x", schemas.EnterpriseUser + ":id", schemas.EnterpriseUser + ":nothing",
	"urn:example:other:1.0:User:userName", "urn:ietf:params:scim:schemas:core:2.0:Group:displayName",
}

// randomUser is a user with each SCIM attribute set or empty at random,
// its text from dialecttest.AwkwardStrings.
func randomUser(r *rand.Rand) directory.User {
	text := func() string {
		if r.IntN(3) == 0 {
			return ""
		}
		return dialecttest.AwkwardStrings[r.IntN(len(dialecttest.AwkwardStrings))]
	}
	u := dialecttest.AwkwardUser(text(), r.Int64N(1<<53))
	for _, f := range []*string{&u.Username, &u.ExternalID, &u.Name, &u.GivenName, &u.MiddleName, &u.FamilyName, &u.HonorificPrefix,
		&u.HonorificSuffix, &u.DisplayName, &u.NickName, &u.Title, &u.UserType, &u.PreferredLanguage, &u.Locale, &u.Timezone,
		&u.ProfileURL, &u.Email, &u.EmailType, &u.Phone, &u.PhoneType, &u.Address, &u.City, &u.Province, &u.PostalCode,
		&u.Country, &u.AddressType, &u.EmployeeNumber, &u.CostCenter, &u.Organization, &u.Division, &u.Department} {
		*f = text()
	}
	if r.IntN(2) == 0 {
		u.ManagerID = 0
	}
	if r.IntN(4) == 0 {
		u.OtherEmails = nil
	}
	return u
}

func randomPaths(r *rand.Rand) []string {
	var out []string
	for range r.IntN(4) {
		out = append(out, projectionPaths[r.IntN(len(projectionPaths))])
	}
	return out
}

// randomProjection returns random attributes, excludedAttributes or both.
func randomProjection(r *rand.Rand) (attrs, excluded []string) {
	switch r.IntN(3) {
	case 0:
		return randomPaths(r), nil
	case 1:
		return nil, randomPaths(r)
	}
	return randomPaths(r), randomPaths(r)
}

// checkUserJSON checks the encoder against encoding/json on the map form
// of the resource, projected, which is what userd answered before.
func checkUserJSON(t *testing.T, u directory.User, base string, attrs, excluded []string) {
	t.Helper()
	p, err := newProjection(schemas.User, attrs, excluded)
	if err != nil {
		t.Fatalf("projection %q / %q: %v", attrs, excluded, err)
	}
	var want bytes.Buffer
	enc := json.NewEncoder(&want)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p.apply(userDoc(u, base))); err != nil {
		t.Fatal(err)
	}
	got := newUserJSON(&u, base).appendJSON([]byte("prefix{"), planUser(p))
	if !bytes.Equal(got, append([]byte("prefix{"), bytes.TrimSuffix(want.Bytes(), []byte("\n"))...)) {
		t.Fatalf("user %d, attributes %q, excludedAttributes %q: the encoder wrote\n%s\nencoding/json writes\n%s", u.ID, attrs, excluded, got, want.Bytes())
	}
}

// TestUserJSONMatchesMaps checks the struct encoder byte for byte against
// the map encoding, on awkward and random users with random attributes
// and excludedAttributes.
func TestUserJSONMatchesMaps(t *testing.T) {
	bases := []string{"http://example.com/scim/v2", "https://[::1]:8443/scim/v2", "http://h\"<&\xff/scim/v2"}
	for _, u := range dialecttest.AwkwardUsers() {
		checkUserJSON(t, u, bases[0], nil, nil)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		u := randomUser(r)
		attrs, excluded := randomProjection(r)
		checkUserJSON(t, u, bases[r.IntN(len(bases))], attrs, excluded)
	}
}

// TestResourceViewSameBytes checks that a page of users read as a
// directory.ResourceView (list pages and filtered lookups) encodes to the
// same bytes as the whole users, on awkward and random users with random
// attributes and excludedAttributes.
func TestResourceViewSameBytes(t *testing.T) {
	users := dialecttest.AwkwardUsers()
	r := rand.New(rand.NewPCG(5, 6))
	for range 20000 {
		users = append(users, dialecttest.RandomUser(r))
	}
	for _, u := range users {
		attrs, excluded := randomProjection(r)
		p, err := newProjection(schemas.User, attrs, excluded)
		if err != nil {
			t.Fatalf("projection %q / %q: %v", attrs, excluded, err)
		}
		plan := planUser(p)
		narrow := directory.ResourceView.Of(u)
		want := newUserJSON(&u, "http://example.com/scim/v2").appendJSON(nil, plan)
		got := newUserJSON(&narrow, "http://example.com/scim/v2").appendJSON(nil, plan)
		if !bytes.Equal(got, want) {
			t.Fatalf("user %d, attributes %q, excludedAttributes %q: from the resource view\n%s\nfrom the whole user\n%s", u.ID, attrs, excluded, got, want)
		}
	}
}

// FuzzUserJSON checks the struct encoder against the map encoding for
// any text in a user and any choice of projection paths.
func FuzzUserJSON(f *testing.F) {
	f.Add("ada", int64(1), uint64(0), uint64(0))
	f.Add("<b>\xff", int64(7), uint64(1<<9|1<<40), uint64(0))
	f.Add("", int64(3), uint64(0), uint64(1<<27|1<<55))
	f.Fuzz(func(t *testing.T, s string, n int64, include, exclude uint64) {
		pick := func(mask uint64) []string {
			var out []string
			for i, p := range projectionPaths {
				if i < 64 && mask&(1<<i) != 0 {
					out = append(out, p)
				}
			}
			return out
		}
		checkUserJSON(t, dialecttest.AwkwardUser(s, n), "http://example.com/scim/v2", pick(include), pick(exclude))
	})
}

// BenchmarkUserEncoding compares, on dialecttest.SampleUser, the map form
// encoded by encoding/json (what userd did before) with the struct
// encoder, for one resource and for a page of 100.
func BenchmarkUserEncoding(b *testing.B) {
	u := dialecttest.SampleUser()
	u.ExternalID, u.GivenName, u.FamilyName, u.Title, u.OtherEmails = "ext-1", "Ada", "Lovelace", "Countess", []directory.Contact{{Value: "a@example.org", Type: "home"}}
	const base = "http://example.com/scim/v2"
	p, _ := newProjection(schemas.User, nil, nil)
	for _, n := range []int{1, 100} {
		users := make([]directory.User, n)
		for i := range users {
			users[i] = u
			users[i].ID += int64(i)
		}
		b.Run("maps/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				resources := make([]any, len(users))
				for i, u := range users {
					resources[i] = p.apply(userDoc(u, base))
				}
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				if err := enc.Encode(doc{"Resources": resources}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("struct/"+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 2048)
			for b.Loop() {
				pl := planUser(p)
				buf = append(buf[:0], `{"Resources":[`...)
				for i := range users {
					if i > 0 {
						buf = append(buf, ',')
					}
					buf = newUserJSON(&users[i], base).appendJSON(buf, pl)
				}
				buf = append(buf, "]}"...)
			}
		})
	}
}
