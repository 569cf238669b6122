package directory

import (
	"context"
	"math"
	"strconv"
	"time"
)

// PasswordVerifier is implemented by a PasswordHasher that can check a
// password against a stored hash, as ChangePassword needs to verify an old
// password.
type PasswordVerifier interface {
	VerifyPassword(ctx context.Context, password, hash string) (bool, error)
}

// PasswordGuard bounds the failed password checks per key (a user) and per
// caller address, so an API that verifies a password cannot be used to
// guess one. Begin counts an attempt; when key or address has used up its
// allowance it counts nothing and returns how long to wait (retryAfter >
// 0). Otherwise the caller must call end once the check is done, failed or
// not. package auth implements it with the token endpoint's limits.
type PasswordGuard interface {
	BeginPasswordCheck(ctx context.Context, key, clientIP string) (end func(failed bool), retryAfter time.Duration, err error)
}

// GuardPasswordChecks makes ChangePassword count failed old-password checks
// against g. A Service without a guard refuses to verify passwords: an
// unbounded check would let callers guess them. Call it before serving.
func (s *Service) GuardPasswordChecks(g PasswordGuard) { s.guard = g }

// ErrWrongPassword answers an old password that does not verify.
var ErrWrongPassword = Errorf(Invalid, "old_password", "does not match the user's password")

// PasswordChange is a password change: the new password, whether the user
// must change it at the next login (nil leaves the flag), and, for a change
// the user asks for, the old password that must verify first.
type PasswordChange struct {
	Password    string
	MustChange  *bool
	OldPassword *string
}

// ChangePassword sets a new password for a user of the principal's tenant.
// With OldPassword set, the change happens only if it verifies against the
// stored hash; failures are counted by the PasswordGuard, and once the user
// or the caller's address has used up its allowance the answer is TooMany
// on field old_password, without a check, until the window moves on.
func (s *Service) ChangePassword(ctx context.Context, p Principal, id int64, c PasswordChange) (User, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	if err := ValidatePassword(c.Password); err != nil {
		return User{}, err
	}
	u, err := s.findUser(ctx, p.TenantID, id)
	if err != nil {
		return User{}, err
	}
	if c.OldPassword != nil {
		if err := s.verifyPassword(ctx, p, u, *c.OldPassword); err != nil {
			return User{}, err
		}
	}
	return s.UpdateUser(ctx, p, id, 0, UserPatch{Password: &c.Password, MustChangePassword: c.MustChange})
}

// verifyPassword checks password against u's, counted by the guard.
func (s *Service) verifyPassword(ctx context.Context, p Principal, u User, password string) error {
	verifier, ok := s.hasher.(PasswordVerifier)
	if !ok || s.guard == nil {
		return Errorf(Internal, "", "this server cannot verify passwords")
	}
	if len(password) > 4*MaxPasswordLen {
		// Longer than any password userd stores: no need to hash it.
		return ErrWrongPassword
	}
	key := "user:" + strconv.FormatInt(u.TenantID, 10) + ":" + strconv.FormatInt(u.ID, 10)
	end, retryAfter, err := s.guard.BeginPasswordCheck(ctx, key, p.ClientIP)
	if err != nil {
		return err
	}
	if retryAfter > 0 {
		return Errorf(TooMany, "old_password", "too many failed password checks for this user or from this address; retry in %d seconds", int(math.Ceil(retryAfter.Seconds())))
	}
	matches := false
	if u.PasswordHash != "" {
		matches, err = verifier.VerifyPassword(WithTenant(ctx, u.TenantID), password, u.PasswordHash)
		if err != nil {
			end(false)
			return err
		}
	}
	end(!matches)
	if !matches {
		return ErrWrongPassword
	}
	return nil
}
