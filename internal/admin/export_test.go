package admin

import "testing"

// TestDecodeImportUser checks that password_hash is accepted only on the
// import path: DecodeUser, like the API, rejects it.
func TestDecodeImportUser(t *testing.T) {
	const hash = "$2b$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"
	line := []byte(`{"username":"ann","password_hash":"` + hash + `"}`)
	p, err := DecodeImportUser(line)
	if err != nil || p.PasswordHash == nil || *p.PasswordHash != hash || p.Username == nil || *p.Username != "ann" {
		t.Errorf("DecodeImportUser: got %+v, %v; want username ann and the hash", p, err)
	}
	if _, err := DecodeUser(line); fieldOf(err) != "password_hash" {
		t.Errorf("DecodeUser: got %v, want password_hash rejected", err)
	}
	for _, body := range []string{`{"username":"ann","password_hash":null}`, `{"username":"ann","password_hash":1}`, `{"username":"ann","Password_Hash":"x"}`} {
		if _, err := DecodeImportUser([]byte(body)); fieldOf(err) == "" {
			t.Errorf("DecodeImportUser(%s): got %v, want an error naming a field", body, err)
		}
	}
}
