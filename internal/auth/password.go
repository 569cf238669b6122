// Package auth authenticates userd's callers: argon2id password hashing,
// signed access tokens issued by the OAuth 2.0 client-credentials token
// endpoint, and the Authenticator that turns a bearer credential (an access
// token or an API token) into a directory.Principal.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"runtime"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/userd/userd/internal/directory"
)

// HashParams are argon2id's cost parameters.
type HashParams struct {
	// Memory is the memory cost in KiB.
	Memory uint32
	// Time is the number of passes over the memory.
	Time uint32
	// Threads is the degree of parallelism.
	Threads uint8
}

// MinHashParams are the weakest parameters a Hasher accepts and its
// defaults: OWASP's argon2id baseline, m=19 MiB, t=2, p=1.
var MinHashParams = HashParams{Memory: 19456, Time: 2, Threads: 1}

const (
	saltLen = 16
	keyLen  = 32
	// Bounds on parameters read from a stored PHC string, so a corrupt row
	// cannot make one verification allocate gigabytes or spin for minutes.
	maxVerifyMemory = 1 << 22 // KiB: 4 GiB
	maxVerifyTime   = 1 << 10
	minVerifyKeyLen = 16
	maxVerifyKeyLen = 1 << 10
)

// Hasher hashes and verifies passwords with argon2id. Each hash holds
// Memory KiB for its duration, so at most a fixed number run at once; the
// others wait for a slot while their context allows, in one queue per
// tenant (directory.WithTenant), served in turn: a tenant's hash waits for
// at most one hash of each other tenant waiting, however many that tenant
// has queued. It implements directory.PasswordHasher.
type Hasher struct {
	params HashParams
	slots  *fairSlots
	// derive is argon2.IDKey; tests replace it to observe concurrency.
	derive func(password, salt []byte, time, memory uint32, threads uint8, keyLen uint32) []byte
}

var _ directory.PasswordHasher = (*Hasher)(nil)

// NewHasher returns a Hasher using params and running at most maxConcurrent
// hashes at once. A zero field of params takes its value from MinHashParams;
// a value below it is refused. maxConcurrent <= 0 means runtime.NumCPU().
func NewHasher(params HashParams, maxConcurrent int) (*Hasher, error) {
	if params.Memory == 0 {
		params.Memory = MinHashParams.Memory
	}
	if params.Time == 0 {
		params.Time = MinHashParams.Time
	}
	if params.Threads == 0 {
		params.Threads = MinHashParams.Threads
	}
	floor := MinHashParams
	if params.Memory < floor.Memory || params.Time < floor.Time || params.Threads < floor.Threads {
		return nil, fmt.Errorf("auth: argon2id parameters m=%d,t=%d,p=%d are below the minimum m=%d,t=%d,p=%d; raise them",
			params.Memory, params.Time, params.Threads, floor.Memory, floor.Time, floor.Threads)
	}
	if maxConcurrent <= 0 {
		maxConcurrent = runtime.NumCPU()
	}
	return &Hasher{params: params, slots: newFairSlots(maxConcurrent), derive: argon2.IDKey}, nil
}

// HashPassword returns password's argon2id hash as a PHC string:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>, salt and hash in unpadded
// standard base64. It returns an Unavailable error if ctx ends while the
// hash waits for a free slot.
func (h *Hasher) HashPassword(ctx context.Context, password string) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("auth: read random salt: %w", err)
	}
	key, err := h.run(ctx, func() ([]byte, error) {
		return h.derive([]byte(password), salt, h.params.Time, h.params.Memory, h.params.Threads, keyLen), nil
	})
	if err != nil {
		return "", err
	}
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.params.Memory, h.params.Time, h.params.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// VerifyPassword reports whether password matches hash: a PHC string made
// by HashPassword, using the parameters written in it so hashes made with
// older parameters keep verifying, or a bcrypt, scrypt, PBKDF2, phpass or
// md5-crypt hash brought in by userd user import (CheckHash lists the
// forms). A malformed hash is an
// error. Every form waits for a slot like HashPassword does.
func (h *Hasher) VerifyPassword(ctx context.Context, password, hash string) (bool, error) {
	switch {
	case isBcrypt(hash):
		return verifyBcrypt(ctx, h, password, hash)
	case strings.HasPrefix(hash, "$scrypt$"):
		return verifyScrypt(ctx, h, password, hash)
	case isLegacy(hash):
		return verifyLegacy(ctx, h, password, hash)
	}
	params, salt, want, err := parsePHC(hash)
	if err != nil {
		return false, err
	}
	got, err := h.run(ctx, func() ([]byte, error) {
		return h.derive([]byte(password), salt, params.Time, params.Memory, params.Threads, uint32(len(want))), nil
	})
	if err != nil {
		return false, err
	}
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// InFlight returns how many hashes are running now.
func (h *Hasher) InFlight() int { return h.slots.inUse() }

// Queued returns how many hashes are waiting for a free slot now.
func (h *Hasher) Queued() int { return h.slots.waiting() }

// run calls derive once a slot is free for ctx's tenant.
func (h *Hasher) run(ctx context.Context, derive func() ([]byte, error)) ([]byte, error) {
	if err := h.slots.acquire(ctx, directory.TenantOf(ctx)); err != nil {
		return nil, directory.Wrap(directory.Unavailable, err, "the server is busy; try again later")
	}
	defer h.slots.release()
	return derive()
}

// parsePHC splits an argon2id PHC string into its parameters, salt and hash.
func parsePHC(phc string) (HashParams, []byte, []byte, error) {
	var p HashParams
	fail := func(what string) (HashParams, []byte, []byte, error) {
		return HashParams{}, nil, nil, fmt.Errorf("auth: malformed argon2id PHC string: %s", what)
	}
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
	parts := strings.Split(phc, "$")
	if len(parts) != 6 || parts[0] != "" {
		return fail("want $argon2id$v=19$m=M,t=T,p=P$salt$hash")
	}
	if parts[1] != "argon2id" {
		return fail("algorithm is not argon2id")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || fmt.Sprintf("v=%d", version) != parts[2] {
		return fail("bad version field")
	}
	if version != argon2.Version {
		return fail(fmt.Sprintf("version %d, want %d", version, argon2.Version))
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil ||
		fmt.Sprintf("m=%d,t=%d,p=%d", p.Memory, p.Time, p.Threads) != parts[3] {
		return fail("bad parameter field")
	}
	if p.Time < 1 || p.Time > maxVerifyTime || p.Threads < 1 || p.Memory < 8*uint32(p.Threads) || p.Memory > maxVerifyMemory {
		return fail("parameters out of range")
	}
	salt, err := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return fail("bad salt")
	}
	key, err := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(key) < minVerifyKeyLen || len(key) > maxVerifyKeyLen {
		return fail("bad hash")
	}
	return p, salt, key, nil
}

var (
	_ directory.PasswordVerifier = (*Hasher)(nil)
	_ directory.Rehasher         = (*Hasher)(nil)
)

// NeedsRehash reports whether hash is anything but an argon2id hash with
// exactly this Hasher's parameters: an imported hash, or one made with
// older parameters, which a sign-in with the right password replaces.
func (h *Hasher) NeedsRehash(hash string) bool {
	p, _, _, err := parsePHC(hash)
	return err != nil || p != h.params
}
