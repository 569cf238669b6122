package auth

import (
	"context"
	"crypto/md5"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strconv"
	"strings"
)

// Password hashes of other systems that userd user import brings in and a
// sign-in upgrades to argon2id: PBKDF2 as Django and Werkzeug write it,
// phpass (WordPress, phpBB) and md5-crypt. userd never makes them. Each
// parser bounds the work one verification may cost.
const (
	maxPBKDF2Iterations = 4_000_000 // Django 5.2 and Werkzeug 3 use 1 000 000
	maxLegacySaltLen    = 256
	minPhpassLog2       = 7 // phpass's own bounds are 7 to 30
	maxPhpassLog2       = 22
	md5CryptRounds      = 1000
)

// crypt64 is the alphabet of phpass and md5-crypt, ./0-9A-Za-z.
const crypt64 = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// legacyHash is a parsed hash of another system: verify computes the
// digest a password gives, compared in constant time with want.
type legacyHash struct {
	want   []byte
	verify func(password string) ([]byte, error)
}

// legacyPrefixes are the beginnings of the hash forms parseLegacy reads.
var legacyPrefixes = []string{"pbkdf2_", "pbkdf2:", "$P$", "$H$", "$1$"}

func isLegacy(hash string) bool {
	for _, p := range legacyPrefixes {
		if strings.HasPrefix(hash, p) {
			return true
		}
	}
	return false
}

// parseLegacy parses a hash of another system, or says what is wrong with it.
func parseLegacy(hash string) (legacyHash, error) {
	switch {
	case strings.HasPrefix(hash, "pbkdf2_"):
		return parseDjango(hash)
	case strings.HasPrefix(hash, "pbkdf2:"):
		return parseWerkzeug(hash)
	case strings.HasPrefix(hash, "$P$"), strings.HasPrefix(hash, "$H$"):
		return parsePhpass(hash)
	case strings.HasPrefix(hash, "$1$"):
		return parseMD5Crypt(hash)
	}
	return legacyHash{}, fmt.Errorf("auth: not a PBKDF2, phpass or md5-crypt hash")
}

// pbkdf2Digests are the PBKDF2 PRFs accepted, by Django's and Werkzeug's
// names for them.
var pbkdf2Digests = map[string]func() hash.Hash{"sha1": sha1.New, "sha256": sha256.New, "sha512": sha512.New}

// pbkdf2Hash returns the legacyHash of PBKDF2-HMAC-digest of the password
// with salt (its UTF-8 bytes, as both Django and Werkzeug use it).
func pbkdf2Hash(form, digest, iterations, salt string, want []byte) (legacyHash, error) {
	fail := func(what string) (legacyHash, error) {
		return legacyHash{}, fmt.Errorf("auth: malformed %s PBKDF2 hash: %s", form, what)
	}
	newHash, ok := pbkdf2Digests[digest]
	if !ok {
		return fail("the digest must be sha1, sha256 or sha512")
	}
	n, err := strconv.Atoi(iterations)
	if err != nil || strconv.Itoa(n) != iterations || n < 1 || n > maxPBKDF2Iterations {
		return fail(fmt.Sprintf("iterations must be a number from 1 to %d", maxPBKDF2Iterations))
	}
	if salt == "" || len(salt) > maxLegacySaltLen {
		return fail(fmt.Sprintf("the salt must be 1 to %d characters", maxLegacySaltLen))
	}
	if len(want) != newHash().Size() {
		return fail(fmt.Sprintf("the hash must be %d bytes, the digest's size", newHash().Size()))
	}
	return legacyHash{want: want, verify: func(password string) ([]byte, error) {
		return pbkdf2.Key(newHash, password, []byte(salt), n, len(want))
	}}, nil
}

// parseDjango reads Django's pbkdf2_<digest>$<iterations>$<salt>$<base64>.
func parseDjango(hash string) (legacyHash, error) {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 {
		return legacyHash{}, fmt.Errorf("auth: malformed Django PBKDF2 hash: want pbkdf2_sha256$iterations$salt$hash")
	}
	want, err := base64.StdEncoding.Strict().DecodeString(parts[3])
	if err != nil {
		return legacyHash{}, fmt.Errorf("auth: malformed Django PBKDF2 hash: the hash is not base64")
	}
	return pbkdf2Hash("Django", strings.TrimPrefix(parts[0], "pbkdf2_"), parts[1], parts[2], want)
}

// parseWerkzeug reads Werkzeug's pbkdf2:<digest>:<iterations>$<salt>$<hex>.
func parseWerkzeug(hash string) (legacyHash, error) {
	parts := strings.Split(hash, "$")
	method := strings.Split(parts[0], ":")
	if len(parts) != 3 || len(method) != 3 {
		return legacyHash{}, fmt.Errorf("auth: malformed Werkzeug PBKDF2 hash: want pbkdf2:sha256:iterations$salt$hash, the iterations written out")
	}
	want, err := hex.DecodeString(parts[2])
	if err != nil || hex.EncodeToString(want) != parts[2] {
		return legacyHash{}, fmt.Errorf("auth: malformed Werkzeug PBKDF2 hash: the hash is not lowercase hex")
	}
	return pbkdf2Hash("Werkzeug", method[1], method[2], parts[1], want)
}

// parsePhpass reads a phpass portable hash: $P$ or $H$, the log2 of the
// iterations in one crypt64 character, 8 characters of salt and 22 of hash.
func parsePhpass(hash string) (legacyHash, error) {
	if len(hash) != 34 || !allCrypt64(hash[3:]) {
		return legacyHash{}, fmt.Errorf("auth: malformed phpass hash: want $P$ or $H$ and 31 characters of ./0-9A-Za-z")
	}
	log2 := strings.IndexByte(crypt64, hash[3])
	if log2 < minPhpassLog2 || log2 > maxPhpassLog2 {
		return legacyHash{}, fmt.Errorf("auth: phpass iterations must be 2^%d to 2^%d, not 2^%d", minPhpassLog2, maxPhpassLog2, log2)
	}
	salt, want := hash[4:12], hash[12:]
	return legacyHash{want: []byte(want), verify: func(password string) ([]byte, error) {
		sum := md5.Sum([]byte(salt + password))
		buf := make([]byte, 0, md5.Size+len(password))
		for range 1 << log2 {
			buf = append(append(buf[:0], sum[:]...), password...)
			sum = md5.Sum(buf)
		}
		return []byte(phpassEncode(sum[:])), nil
	}}, nil
}

// phpassEncode is phpass's encode64: little-endian groups of 3 bytes as 4
// crypt64 characters, a short last group as fewer.
func phpassEncode(in []byte) string {
	var b strings.Builder
	for i := 0; i < len(in); i += 3 {
		v := uint(in[i])
		n := 2
		if i+1 < len(in) {
			v |= uint(in[i+1]) << 8
			n = 3
		}
		if i+2 < len(in) {
			v |= uint(in[i+2]) << 16
			n = 4
		}
		for range n {
			b.WriteByte(crypt64[v&0x3f])
			v >>= 6
		}
	}
	return b.String()
}

// parseMD5Crypt reads md5-crypt: $1$, up to 8 characters of salt, $ and 22
// characters of hash.
func parseMD5Crypt(hash string) (legacyHash, error) {
	salt, want, ok := strings.Cut(hash[3:], "$")
	if !ok || len(salt) > 8 || !allCrypt64(salt) || len(want) != 22 || !allCrypt64(want) {
		return legacyHash{}, fmt.Errorf("auth: malformed md5-crypt hash: want $1$, up to 8 characters of salt, $ and 22 characters of ./0-9A-Za-z")
	}
	return legacyHash{want: []byte(want), verify: func(password string) ([]byte, error) {
		return []byte(md5Crypt(password, salt)), nil
	}}, nil
}

// md5Crypt is Poul-Henning Kamp's FreeBSD MD5 crypt, the hash part only.
func md5Crypt(password, salt string) string {
	pw := []byte(password)
	alt := md5.Sum([]byte(password + salt + password))
	ctx := md5.New()
	ctx.Write([]byte(password + "$1$" + salt))
	for n := len(pw); n > 0; n -= 16 {
		ctx.Write(alt[:min(n, 16)])
	}
	for i := len(pw); i > 0; i >>= 1 {
		if i&1 != 0 {
			ctx.Write([]byte{0})
		} else {
			ctx.Write(pw[:1])
		}
	}
	final := ctx.Sum(nil)
	for i := range md5CryptRounds {
		ctx.Reset()
		if i&1 != 0 {
			ctx.Write(pw)
		} else {
			ctx.Write(final)
		}
		if i%3 != 0 {
			ctx.Write([]byte(salt))
		}
		if i%7 != 0 {
			ctx.Write(pw)
		}
		if i&1 != 0 {
			ctx.Write(final)
		} else {
			ctx.Write(pw)
		}
		final = ctx.Sum(final[:0])
	}
	var b strings.Builder
	to64 := func(v uint, n int) {
		for range n {
			b.WriteByte(crypt64[v&0x3f])
			v >>= 6
		}
	}
	for _, g := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		to64(uint(final[g[0]])<<16|uint(final[g[1]])<<8|uint(final[g[2]]), 4)
	}
	to64(uint(final[11]), 2)
	return b.String()
}

func allCrypt64(s string) bool {
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(crypt64, s[i]) < 0 {
			return false
		}
	}
	return true
}

// verifyLegacy checks password against a hash of another system, holding a
// hasher slot like every verification.
func verifyLegacy(ctx context.Context, h *Hasher, password, hash string) (bool, error) {
	l, err := parseLegacy(hash)
	if err != nil {
		return false, err
	}
	got, err := h.run(ctx, func() ([]byte, error) { return l.verify(password) })
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, l.want) == 1, nil
}
