package auth

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/crypto/bcrypt"
	"golang.org/x/crypto/scrypt"

	"github.com/userd/userd/internal/directory"
)

// Bounds on the parameters of a hash brought in by userd user import.
// The upper ones keep one verification under a few seconds and 1 GiB; the
// lower ones are each algorithm's own minimum, as refusing weak hashes would
// force the password resets import exists to avoid.
const (
	maxImportArgon2Memory = 1 << 20 // KiB: 1 GiB
	maxImportArgon2Time   = 64
	maxBcryptCost         = 16
	maxScryptLogN         = 20
	maxScryptR            = 32
	maxScryptP            = 16
	maxScryptMemory       = 1 << 30 // bytes: 128·N·r
)

var _ directory.HashChecker = (*Hasher)(nil)

// bcryptPattern is a modular crypt bcrypt hash: $2a$, $2b$ or $2y$, a
// two-digit cost, 22 characters of salt and 31 of hash.
var bcryptPattern = regexp.MustCompile(`^\$2[aby]\$[0-9]{2}\$[./A-Za-z0-9]{53}$`)

func isBcrypt(hash string) bool { return strings.HasPrefix(hash, "$2") }

// CheckHash reports whether hash is a password hash VerifyPassword can
// check, well-formed and with parameters in bounds:
//   - argon2id as a PHC string: $argon2id$v=19$m=M,t=T,p=P$salt$hash
//     (m at most 1 GiB, t at most 64);
//   - bcrypt in modular crypt format: $2a$, $2b$ or $2y$ (cost 4 to 16);
//   - scrypt as a PHC string: $scrypt$ln=L,r=R,p=P$salt$hash (L at most 20,
//     r at most 32, p at most 16, 128·2^L·r bytes at most 1 GiB), salt and
//     hash in unpadded base64 ('.' may stand for '+', as passlib writes it);
//   - PBKDF2-HMAC with SHA-1, SHA-256 or SHA-512 as Django writes it,
//     pbkdf2_sha256$I$salt$base64, or as Werkzeug does,
//     pbkdf2:sha256:I$salt$hex (I at most 4 000 000);
//   - phpass portable hashes, $P$ or $H$ (2^7 to 2^22 iterations);
//   - md5-crypt, $1$salt$hash.
//
// It implements directory.HashChecker, so Service.ImportUsers accepts
// exactly these.
func (h *Hasher) CheckHash(hash string) error {
	switch {
	case isBcrypt(hash):
		if !bcryptPattern.MatchString(hash) {
			return errors.New("a bcrypt hash is $2a$, $2b$ or $2y$, a two-digit cost, $ and 53 characters of ./A-Za-z0-9")
		}
		cost, err := bcrypt.Cost([]byte(hash))
		if err != nil || cost < bcrypt.MinCost || cost > maxBcryptCost {
			return fmt.Errorf("bcrypt cost must be between %d and %d", bcrypt.MinCost, maxBcryptCost)
		}
		return nil
	case strings.HasPrefix(hash, "$scrypt$"):
		_, err := parseScrypt(hash)
		return err
	case isLegacy(hash):
		_, err := parseLegacy(hash)
		return err
	case strings.HasPrefix(hash, "$argon2id$"):
		p, _, _, err := parsePHC(hash)
		if err != nil {
			return err
		}
		if p.Memory > maxImportArgon2Memory || p.Time > maxImportArgon2Time {
			return fmt.Errorf("argon2id m=%d,t=%d is beyond m=%d,t=%d; such a hash would take too long to check", p.Memory, p.Time, maxImportArgon2Memory, maxImportArgon2Time)
		}
		return nil
	}
	return errors.New("not a supported password hash: use argon2id ($argon2id$...), bcrypt ($2a$, $2b$, $2y$), scrypt ($scrypt$ln=..,r=..,p=..$salt$hash), Django or Werkzeug PBKDF2 (pbkdf2_sha256$..., pbkdf2:sha256:N$...), phpass ($P$, $H$) or md5-crypt ($1$)")
}

func verifyBcrypt(ctx context.Context, h *Hasher, password, hash string) (bool, error) {
	var mismatch bool
	_, err := h.run(ctx, func() ([]byte, error) {
		err := bcrypt.CompareHashAndPassword([]byte(hash), []byte(password))
		// bcrypt reads at most 72 bytes; a longer password matches nothing.
		mismatch = errors.Is(err, bcrypt.ErrMismatchedHashAndPassword) || errors.Is(err, bcrypt.ErrPasswordTooLong)
		if mismatch {
			err = nil
		}
		return nil, err
	})
	if err != nil {
		return false, fmt.Errorf("auth: check a bcrypt hash: %w", err)
	}
	return !mismatch, nil
}

// scryptHash is a parsed scrypt PHC string.
type scryptHash struct {
	logN, r, p int
	salt, key  []byte
}

func parseScrypt(hash string) (scryptHash, error) {
	fail := func(what string) (scryptHash, error) {
		return scryptHash{}, fmt.Errorf("auth: malformed scrypt PHC string: %s", what)
	}
	// "", "scrypt", "ln=..,r=..,p=..", salt, hash
	parts := strings.Split(hash, "$")
	if len(parts) != 5 || parts[0] != "" || parts[1] != "scrypt" {
		return fail("want $scrypt$ln=L,r=R,p=P$salt$hash")
	}
	var s scryptHash
	if _, err := fmt.Sscanf(parts[2], "ln=%d,r=%d,p=%d", &s.logN, &s.r, &s.p); err != nil ||
		fmt.Sprintf("ln=%d,r=%d,p=%d", s.logN, s.r, s.p) != parts[2] {
		return fail("bad parameter field")
	}
	if s.logN < 1 || s.logN > maxScryptLogN || s.r < 1 || s.r > maxScryptR || s.p < 1 || s.p > maxScryptP ||
		128*(1<<s.logN)*s.r > maxScryptMemory {
		return fail(fmt.Sprintf("parameters out of range (ln 1 to %d, r 1 to %d, p 1 to %d, at most 1 GiB)", maxScryptLogN, maxScryptR, maxScryptP))
	}
	var err error
	if s.salt, err = decodeAB64(parts[3]); err != nil || len(s.salt) < 8 {
		return fail("bad salt")
	}
	if s.key, err = decodeAB64(parts[4]); err != nil || len(s.key) < minVerifyKeyLen || len(s.key) > maxVerifyKeyLen {
		return fail("bad hash")
	}
	return s, nil
}

// decodeAB64 decodes unpadded base64, allowing passlib's '.' for '+'.
func decodeAB64(s string) ([]byte, error) {
	return base64.RawStdEncoding.Strict().DecodeString(strings.ReplaceAll(s, ".", "+"))
}

func verifyScrypt(ctx context.Context, h *Hasher, password, hash string) (bool, error) {
	s, err := parseScrypt(hash)
	if err != nil {
		return false, err
	}
	got, err := h.run(ctx, func() ([]byte, error) {
		return scrypt.Key([]byte(password), s.salt, 1<<s.logN, s.r, s.p, len(s.key))
	})
	if err != nil {
		return false, fmt.Errorf("auth: check an scrypt hash: %w", err)
	}
	return subtle.ConstantTimeCompare(got, s.key) == 1, nil
}
