package auth

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/userd/userd/internal/directory"
)

// Hashes made by other implementations: Go's bcrypt test vector and
// Python's hashlib.scrypt, so import is checked against real foreign hashes.
const (
	bcryptVector = "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"                             // "allmine"
	scryptVector = "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0MTIzNA$sBRFYJxJyR9gnQuMQio24Q6ZTaugiqeT1tSTvyCASoM" // "correct horse"
)

func TestVerifyImportedHashes(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 0)
	ctx := context.Background()
	argon, err := h.HashPassword(ctx, "argon pw")
	if err != nil {
		t.Fatal(err)
	}
	cost4, err := bcrypt.GenerateFromPassword([]byte("bcrypt pw"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, hash, password string }{
		{"argon2id", argon, "argon pw"},
		{"bcrypt_2a", bcryptVector, "allmine"},
		{"bcrypt_2b", strings.Replace(bcryptVector, "$2a$", "$2b$", 1), "allmine"},
		{"bcrypt_2y", strings.Replace(bcryptVector, "$2a$", "$2y$", 1), "allmine"},
		{"bcrypt_cost4", string(cost4), "bcrypt pw"},
		{"scrypt", scryptVector, "correct horse"},
		{"scrypt_passlib_dots", strings.ReplaceAll(scryptVector, "+", "."), "correct horse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := h.CheckHash(tt.hash); err != nil {
				t.Fatalf("CheckHash: %v", err)
			}
			for pw, want := range map[string]bool{tt.password: true, tt.password + "x": false, strings.Repeat("a", 80): false} {
				got, err := h.VerifyPassword(ctx, pw, tt.hash)
				if err != nil || got != want {
					t.Errorf("VerifyPassword(%q): got %v, %v; want %v", pw, got, err, want)
				}
			}
		})
	}
}

// TestCheckHashBounds checks each bound of an imported hash one step inside
// and one step outside it, and malformed hashes.
func TestCheckHashBounds(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 0)
	salt, key := "c2FsdHNhbHRzYWx0MTIzNA", "sBRFYJxJyR9gnQuMQio24Q6ZTaugiqeT1tSTvyCASoM"
	bc := func(cost string) string { return "$2b$" + cost + bcryptVector[6:] }
	tests := []struct {
		name, hash string
		ok         bool
	}{
		{"bcrypt_cost_4", bc("04"), true},
		{"bcrypt_cost_3", bc("03"), false},
		{"bcrypt_cost_16", bc("16"), true},
		{"bcrypt_cost_17", bc("17"), false},
		{"bcrypt_short", bcryptVector[:59], false},
		{"bcrypt_bad_char", bcryptVector[:59] + "!", false},
		{"bcrypt_2x", "$2x$" + bcryptVector[4:], false},
		{"scrypt_ln_20", "$scrypt$ln=20,r=8,p=1$" + salt + "$" + key, true},
		{"scrypt_ln_21", "$scrypt$ln=21,r=8,p=1$" + salt + "$" + key, false},
		{"scrypt_r_32", "$scrypt$ln=10,r=32,p=1$" + salt + "$" + key, true},
		{"scrypt_r_33", "$scrypt$ln=10,r=33,p=1$" + salt + "$" + key, false},
		{"scrypt_p_16", "$scrypt$ln=10,r=8,p=16$" + salt + "$" + key, true},
		{"scrypt_p_17", "$scrypt$ln=10,r=8,p=17$" + salt + "$" + key, false},
		{"scrypt_1GiB", "$scrypt$ln=20,r=8,p=1$" + salt + "$" + key, true},
		{"scrypt_over_1GiB", "$scrypt$ln=20,r=9,p=1$" + salt + "$" + key, false},
		{"scrypt_short_salt", "$scrypt$ln=10,r=8,p=1$c2FsdA$" + key, false},
		{"scrypt_padded", "$scrypt$ln=10,r=8,p=1$" + salt + "==$" + key, false},
		{"scrypt_fields", "$scrypt$ln=10,r=8$" + salt + "$" + key, false},
		{"argon2id_m_1GiB", "$argon2id$v=19$m=1048576,t=2,p=1$" + salt + "$" + key, true},
		{"argon2id_m_over", "$argon2id$v=19$m=1048577,t=2,p=1$" + salt + "$" + key, false},
		{"argon2id_t_64", "$argon2id$v=19$m=19456,t=64,p=1$" + salt + "$" + key, true},
		{"argon2id_t_65", "$argon2id$v=19$m=19456,t=65,p=1$" + salt + "$" + key, false},
		{"argon2i", "$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key, false},
		{"md5_crypt", "$1$saltsalt$hash", false},
		{"plaintext", "hunter2", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := h.CheckHash(tt.hash)
			if (err == nil) != tt.ok {
				t.Errorf("CheckHash(%q): got %v, want ok=%v", tt.hash, err, tt.ok)
			}
		})
	}
}

// TestImportedHashThroughService checks that the Service stores an
// imported hash as given, refuses one anywhere but import, and replaces it
// by an argon2id hash with the current parameters when the password is
// next set.
func TestImportedHashThroughService(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	h := newTestHasher(t, HashParams{}, 0)
	imported := map[string]string{"b": bcryptVector, "s": scryptVector}
	var patches []directory.UserPatch
	for name, hash := range imported {
		patches = append(patches, directory.UserPatch{Username: new(name), PasswordHash: new(hash)})
	}
	users, err := e.svc.ImportUsers(ctx, e.admin, patches)
	if err != nil {
		t.Fatalf("ImportUsers: %v", err)
	}
	for _, u := range users {
		stored, err := e.store.User(ctx, e.tenant.ID, u.ID, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		if stored.PasswordHash != imported[u.Username] || stored.PasswordChangedAt.IsZero() {
			t.Errorf("user %s: got hash %q changed at %v, want %q as given and a change time", u.Username, stored.PasswordHash, stored.PasswordChangedAt, imported[u.Username])
		}
	}

	bad := []directory.UserPatch{
		{Username: new("ok")},
		{Username: new("bad"), PasswordHash: new("$2b$03" + bcryptVector[6:])},
	}
	_, err = e.svc.ImportUsers(ctx, e.admin, bad)
	if be, ok := errors.AsType[*directory.BatchError](err); !ok || be.Index != 1 || directory.AsError(err).Field != "password_hash" {
		t.Errorf("import of a bcrypt cost 3 hash: got %v, want a BatchError at 1 on password_hash", err)
	}
	both := []directory.UserPatch{{Username: new("both"), Password: new("long enough pw"), PasswordHash: new(bcryptVector)}}
	if _, err := e.svc.ImportUsers(ctx, e.admin, both); directory.KindOf(err) != directory.Invalid {
		t.Errorf("import with password and password_hash: got %v, want invalid", err)
	}
	if _, err := e.svc.CreateUser(ctx, e.admin, directory.OriginAPI, directory.UserPatch{Username: new("c"), PasswordHash: new(bcryptVector)}); directory.AsError(err).Field != "password_hash" {
		t.Errorf("CreateUser with a hash: got %v, want invalid password_hash", err)
	}
	if _, err := e.svc.UpdateUser(ctx, e.admin, users[0].ID, 0, directory.UserPatch{PasswordHash: new(bcryptVector)}); directory.AsError(err).Field != "password_hash" {
		t.Errorf("UpdateUser with a hash: got %v, want invalid password_hash", err)
	}

	updated, err := e.svc.UpdateUser(ctx, e.admin, users[0].ID, 0, directory.UserPatch{Password: new("a brand new password")})
	if err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	stored, err := e.store.User(ctx, e.tenant.ID, updated.ID, directory.WholeUser)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(stored.PasswordHash, want) {
		t.Errorf("after a password change: got hash %q, want one starting %q", stored.PasswordHash, want)
	}
	if ok, err := h.VerifyPassword(ctx, "a brand new password", stored.PasswordHash); !ok || err != nil {
		t.Errorf("new password: got %v, %v; want true", ok, err)
	}
}
