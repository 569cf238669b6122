package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/sqlite"
)

// TestUserImportPasswordHash imports users with existing bcrypt, scrypt and
// argon2id hashes and checks each is stored as given, while a malformed
// hash and a too costly one are reported by line.
func TestUserImportPasswordHash(t *testing.T) {
	path, getenv := sqliteWithTenant(t, "acme")
	hashes := map[string]string{
		"b": "$2b$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga",
		"s": "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0MTIzNA$sBRFYJxJyR9gnQuMQio24Q6ZTaugiqeT1tSTvyCASoM",
		"a": "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0MTIzNA$sBRFYJxJyR9gnQuMQio24Q6ZTaugiqeT1tSTvyCASoM",
	}
	lines := `{"username":"b","password_hash":"` + hashes["b"] + `"}
{"username":"s","password_hash":"` + hashes["s"] + `"}
{"username":"a","password_hash":"` + hashes["a"] + `"}
{"username":"md5","password_hash":"$1$salt$hash"}
{"username":"costly","password_hash":"$2b$17$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"}
`
	file := filepath.Join(t.TempDir(), "users.jsonl")
	if err := os.WriteFile(file, []byte(lines), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, err := cli(t, getenv, "", "user", "import", "--tenant", "acme", file, "-o", "json")
	var res importResult
	if jerr := json.Unmarshal([]byte(stdout), &res); jerr != nil || err == nil {
		t.Fatalf("import: got %v, %s; want a result and an error for the bad lines", err, stdout)
	}
	if res.Imported != 3 || res.Failed != 2 || res.Errors[0].Line != 4 || res.Errors[1].Line != 5 ||
		!strings.HasPrefix(res.Errors[0].Error, "password_hash: ") || !strings.HasPrefix(res.Errors[1].Error, "password_hash: ") {
		t.Errorf("import: got %+v, want 3 imported and lines 4 and 5 refused on password_hash", res)
	}
	if strings.Contains(stdout, "$1$salt$hash") {
		t.Errorf("the report quotes a password hash: %s", stdout)
	}

	ctx := context.Background()
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	users, err := st.ListUsers(ctx, 1, directory.UserFilter{Limit: 10})
	if err != nil || len(users) != 3 {
		t.Fatalf("list users of tenant 1 (acme): got %d, %v; want 3", len(users), err)
	}
	for _, u := range users {
		if u.PasswordHash != hashes[u.Username] {
			t.Errorf("user %s: got hash %q, want %q as imported", u.Username, u.PasswordHash, hashes[u.Username])
		}
	}
}
