package directory_test

import (
	"reflect"
	"slices"
	"testing"
	"unicode/utf8"

	"github.com/userd/userd/internal/directory"
)

// TestSplitContacts checks how a list with primary flags (SCIM's emails)
// becomes the primary email and the others, and back.
func TestSplitContacts(t *testing.T) {
	work := directory.ListedContact{Value: "a@example.com", Type: "work"}
	home := directory.ListedContact{Value: "b@example.com", Type: "home"}
	primary := func(c directory.ListedContact) directory.ListedContact { c.Primary = true; return c }
	tests := []struct {
		name    string
		list    []directory.ListedContact
		primary directory.Contact
		others  []directory.Contact
	}{
		{"empty", nil, directory.Contact{}, nil},
		{"flagged second", []directory.ListedContact{work, primary(home)}, directory.Contact{Value: home.Value, Type: "home"}, []directory.Contact{{Value: work.Value, Type: "work"}}},
		{"none flagged: the first", []directory.ListedContact{work, home}, directory.Contact{Value: work.Value, Type: "work"}, []directory.Contact{{Value: home.Value, Type: "home"}}},
		{"one, flagged", []directory.ListedContact{primary(work)}, directory.Contact{Value: work.Value, Type: "work"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, others, err := directory.SplitContacts("emails", tc.list)
			if err != nil || p != tc.primary || !reflect.DeepEqual(others, tc.others) {
				t.Fatalf("SplitContacts: got %v, %v, %v; want %v, %v", p, others, err, tc.primary, tc.others)
			}
			joined := directory.JoinContacts(p.Value, p.Type, others)
			if len(joined) != len(tc.list) || (len(joined) > 0 && !joined[0].Primary) {
				t.Errorf("JoinContacts: got %v, want %d entries, the first primary", joined, len(tc.list))
			}
		})
	}
	_, _, err := directory.SplitContacts("emails", []directory.ListedContact{primary(work), primary(home)})
	if e := directory.AsError(err); e == nil || e.Kind != directory.Invalid || e.Field != "emails" {
		t.Errorf("two primaries: got %v, want Invalid on emails", err)
	}
}

// TestValidateDate checks the yyyy-mm-dd rule of birthday and hire_date.
func TestValidateDate(t *testing.T) {
	for _, s := range []string{"", "2000-02-29", "0001-01-01", "9999-12-31"} {
		if err := directory.ValidateDate("birthday", s); err != nil {
			t.Errorf("%q: got %v, want accepted", s, err)
		}
	}
	for _, s := range []string{"1999-02-29", "2000-13-01", "2000-1-1", "20000-01-01", "2000-01-01T00:00:00Z", " 2000-01-01", "01/02/2000"} {
		if e := directory.AsError(directory.ValidateDate("birthday", s)); e == nil || e.Kind != directory.Invalid || e.Field != "birthday" {
			t.Errorf("%q: got %v, want Invalid on birthday", s, e)
		}
	}
}

// FuzzDecodeContacts checks that what EncodeContacts stores decodes back to
// the same list, and that no stored text makes the decoder panic.
func FuzzDecodeContacts(f *testing.F) {
	f.Add("[]", "a@example.com", "work")
	f.Add(`[{"value":"x","type":"home"}]`, "", "")
	f.Add(`[{"type":"home","value":"x"}, {"value":"y"}]`, "\u2028\"", "\\")
	f.Fuzz(func(t *testing.T, stored, value, typ string) {
		_, _ = directory.DecodeContacts(stored)
		in := []directory.Contact{{Value: value, Type: typ}}
		out, err := directory.DecodeContacts(directory.EncodeContacts(in))
		if err != nil {
			t.Fatalf("decode %q: %v", directory.EncodeContacts(in), err)
		}
		// encoding/json replaces invalid UTF-8 with U+FFFD; the Service
		// refuses such text before it is stored.
		if !reflect.DeepEqual(out, in) && utf8.ValidString(value) && utf8.ValidString(typ) {
			t.Errorf("round trip: got %v, want %v", out, in)
		}
	})
}

// TestProfileChangesAudited checks that a change of the profile is audited
// under the fields' native names, and that a patch giving the values a
// user already has changes nothing: no new version, no event.
func TestProfileChangesAudited(t *testing.T) {
	f := newFixture(t)
	u, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr("ann"), Email: ptr("ann@example.com")})
	if err != nil {
		t.Fatal(err)
	}
	patch := directory.UserPatch{}
	patch.GivenName, patch.HireDate = ptr("Ann"), ptr("2020-02-02")
	patch.OtherEmails = &[]directory.Contact{{Value: "ann@home.example", Type: "home"}}
	changed, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, patch)
	if err != nil {
		t.Fatal(err)
	}
	again, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, patch)
	if err != nil || again.Version != changed.Version {
		t.Errorf("the same patch again: got version %d, %v; want %d, nothing changed", again.Version, err, changed.Version)
	}
	evs, _, err := f.svc.AuditEvents(f.ctx, f.a, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 2 {
		t.Fatalf("got %d events, want create and one update", len(evs))
	}
	if got, want := evs[1].Fields, []string{"given_name", "hire_date", "other_emails"}; !slices.Equal(got, want) {
		t.Errorf("update: got fields %v, want %v", got, want)
	}
}
