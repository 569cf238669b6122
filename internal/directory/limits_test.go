package directory_test

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// nestedExtension returns an extension object nesting levels objects deep.
func nestedExtension(levels int) map[string]any {
	m := map[string]any{"k": "v"}
	for range levels - 1 {
		m = map[string]any{"k": m}
	}
	return m
}

// emailOfLen returns a valid address of exactly n bytes (n >= 8).
func emailOfLen(n int) string {
	domain := strings.Repeat("d", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("d", 63) + ".com"
	local := strings.Repeat("a", min(64, n-1-len(domain)))
	return local + "@" + domain[len(domain)-(n-1-len(local)):]
}

// TestFieldLimitsAtTheEdge checks every length limit on a user at its
// value (accepted) and one past it (refused, naming the field).
func TestFieldLimitsAtTheEdge(t *testing.T) {
	f := newFixture(t)
	type field struct {
		name  string
		max   int
		patch func(s string) directory.UserPatch
	}
	seq := 0
	text := func(set func(p *directory.UserPatch, s string)) func(string) directory.UserPatch {
		return func(s string) directory.UserPatch {
			seq++
			p := directory.UserPatch{Username: ptr(fmt.Sprintf("u%d", seq))}
			set(&p, s)
			return p
		}
	}
	fields := []field{
		{"username", directory.MaxUsernameLen, func(s string) directory.UserPatch { return directory.UserPatch{Username: &s} }},
		{"name", directory.MaxTextFieldLen, text(func(p *directory.UserPatch, s string) { p.Name = &s })},
		{"address", directory.MaxTextFieldLen, text(func(p *directory.UserPatch, s string) { p.Address = &s })},
		{"comment", directory.MaxCommentLen, text(func(p *directory.UserPatch, s string) { p.Comment = &s })},
		{"external_id", directory.MaxExternalIDLen, text(func(p *directory.UserPatch, s string) { p.ExternalID = &s })},
		{"given_name", directory.MaxTextFieldLen, text(func(p *directory.UserPatch, s string) { p.GivenName = &s })},
		{"work_place", directory.MaxTextFieldLen, text(func(p *directory.UserPatch, s string) { p.WorkPlace = &s })},
		{"locale", directory.MaxCodeLen, text(func(p *directory.UserPatch, s string) { p.Locale = &s })},
		{"identity_number", directory.MaxIdentityNumberLen, text(func(p *directory.UserPatch, s string) { p.IdentityNumber = &s })},
		{"profile_url", directory.MaxProfileURLLen, text(func(p *directory.UserPatch, s string) { p.ProfileURL = &s })},
		{"phone_type", directory.MaxContactTypeLen, text(func(p *directory.UserPatch, s string) { p.Phone, p.PhoneType = ptr("5550100"), &s })},
	}
	for i, fl := range fields {
		for _, n := range []int{fl.max, fl.max + 1} {
			patch := fl.patch(strings.Repeat(string(rune('a'+i)), n))
			_, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, patch)
			switch {
			case n == fl.max && err != nil:
				t.Errorf("%s of %d characters: got %v, want accepted", fl.name, n, err)
			case n > fl.max:
				wantKind(t, err, directory.Invalid, fl.name)
			}
		}
	}
	for _, n := range []int{directory.MaxEmailLen, directory.MaxEmailLen + 1} {
		email := emailOfLen(n)
		_, err := f.svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr(fmt.Sprintf("mail%d", n)), Email: &email})
		if len(email) != n || (n == directory.MaxEmailLen) != (err == nil) {
			t.Errorf("email of %d bytes: got %v", len(email), err)
		}
	}
}

func TestPasswordAndExtensionLimitsAtTheEdge(t *testing.T) {
	for n, ok := range map[int]bool{
		directory.MinPasswordLen - 1: false, directory.MinPasswordLen: true,
		directory.MaxPasswordLen: true, directory.MaxPasswordLen + 1: false,
	} {
		if err := directory.ValidatePassword(strings.Repeat("p", n)); (err == nil) != ok {
			t.Errorf("password of %d characters: got %v, want ok=%v", n, err, ok)
		}
	}
	// {"k":"…"} encodes to 8 bytes around the value.
	for n, ok := range map[int]bool{directory.MaxExtensionBytes: true, directory.MaxExtensionBytes + 1: false} {
		if err := directory.ValidateExtension(map[string]any{"k": strings.Repeat("x", n-8)}); (err == nil) != ok {
			t.Errorf("extension of %d bytes: got %v, want ok=%v", n, err, ok)
		}
	}
	for n, ok := range map[int]bool{directory.MaxExtensionDepth: true, directory.MaxExtensionDepth + 1: false} {
		if err := directory.ValidateExtension(nestedExtension(n)); (err == nil) != ok {
			t.Errorf("extension nesting %d levels: got %v, want ok=%v", n, err, ok)
		}
	}
}

func TestOrgsAndBatchLimitsAtTheEdge(t *testing.T) {
	for n, ok := range map[int]bool{directory.MaxOrgsPerUser: true, directory.MaxOrgsPerUser + 1: false} {
		u := directory.User{Username: "a", Extension: map[string]any{}}
		for i := range n {
			u.Orgs = append(u.Orgs, directory.Membership{OrgID: int64(i + 1)})
		}
		if err := u.Validate(); (err == nil) != ok {
			t.Errorf("user in %d orgs: got %v, want ok=%v", n, err, ok)
		}
	}
	f := newFixture(t)
	for n, ok := range map[int]bool{directory.MaxBatch: true, directory.MaxBatch + 1: false} {
		ids := make([]int64, n)
		for i := range ids {
			ids[i] = int64(i + 1)
		}
		if _, err := f.svc.UsersByID(f.ctx, f.a, ids); (err == nil) != ok {
			t.Errorf("UsersByID with %d ids: got %v, want ok=%v", n, err, ok)
		}
	}
}

// FuzzExtensionNumber checks the number rule of CanonicalExtension: an
// accepted number is stored as the shortest plain decimal of the same
// float64, within MaxExtensionNumberLen, and storing it again changes
// nothing; a refused one is refused naming extension.
func FuzzExtensionNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "1", "2.50", "1.5e-7", "1E3", "1e131071", "1e-400", "9007199254740993",
		"0.30000000000000004", "0.1000000000000000000001", "123456789012345678901234567890123", "-1e-7", "01", "1.", ".5", "+1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, lit string) {
		ext, err := directory.CanonicalExtension(map[string]any{"n": json.Number(lit)})
		if err != nil {
			if e := directory.AsError(err); e.Kind != directory.Invalid || e.Field != "extension" {
				t.Fatalf("CanonicalExtension(%q): got %v, want an Invalid error naming extension", lit, err)
			}
			return
		}
		c := string(ext["n"].(json.Number))
		f, _ := strconv.ParseFloat(lit, 64)
		want := strconv.FormatFloat(f, 'f', -1, 64)
		if want == "-0" {
			want = "0"
		}
		if c != want {
			t.Fatalf("CanonicalExtension(%q) stored %q, want %q, the shortest plain form of %v", lit, c, want, f)
		}
		// Exactly the value sent, not a float64 near it (big.Rat is exact;
		// its cost grows with the exponent, so only small ones are checked).
		if _, e, _ := strings.Cut(strings.ToLower(lit), "e"); len(e) < 4 {
			sent, ok1 := new(big.Rat).SetString(lit)
			kept, ok2 := new(big.Rat).SetString(c)
			if !ok1 || !ok2 || sent.Cmp(kept) != 0 {
				t.Fatalf("CanonicalExtension(%q) stored %q, which is not the same number", lit, c)
			}
		}
		if len(c) > directory.MaxExtensionNumberLen || strings.ContainsAny(c, "eE+") {
			t.Fatalf("CanonicalExtension(%q) stored %q: too long or with an exponent", lit, c)
		}
		again, err := directory.CanonicalExtension(ext)
		if err != nil || again["n"] != ext["n"] {
			t.Fatalf("CanonicalExtension of its own result %q: got %v, %v; want it unchanged", c, again["n"], err)
		}
	})
}
