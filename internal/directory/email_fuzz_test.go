package directory

import (
	"net/mail"
	"testing"
)

// FuzzPlainEmail checks that every address plainEmail lets ValidateEmail
// accept without parsing is one mail.ParseAddress accepts as itself.
func FuzzPlainEmail(f *testing.F) {
	for _, s := range []string{
		"ada@example.com", "a.b+c_d-e@x-y.example.org", "a..b@example.com", ".a@example.com",
		"a.@example.com", "a@example", "a@.example.com", "a@example.com.", "a@b@example.com",
		"@example.com", "a b@example.com", `"a"@example.com`, "a@[127.0.0.1]", "zoë@example.com",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !plainEmail(s) {
			return
		}
		a, err := mail.ParseAddress(s)
		if err != nil || a.Address != s || a.Name != "" {
			t.Errorf("plainEmail(%q) = true, but mail.ParseAddress gives %v, %v", s, a, err)
		}
	})
}

// TestPlainEmail checks which addresses skip the parse.
func TestPlainEmail(t *testing.T) {
	for s, want := range map[string]bool{
		"ada@example.com": true, "a.b+c_d-e@x-y.example.org": true, "user00000007@bench.example": true,
		"a..b@example.com": false, ".a@example.com": false, "a.@example.com": false, "a@example": false,
		"a@.example.com": false, "a@example.com.": false, "a@b@example.com": false, "@example.com": false,
		`"a"@example.com`: false, "zoë@example.com": false, "a@ex..ample.com": false,
	} {
		if got := plainEmail(s); got != want {
			t.Errorf("plainEmail(%q) = %v, want %v", s, got, want)
		}
	}
}
