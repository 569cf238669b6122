package directory

import (
	"context"
)

// PasswordVerifier is implemented by a PasswordHasher that can check a
// password against a stored hash, as ChangePassword needs to verify an old
// password.
type PasswordVerifier interface {
	VerifyPassword(ctx context.Context, password, hash string) (bool, error)
}

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
// stored hash. That check is counted by the failure limits of SignIn and
// Authenticate (SignInLimits), one limiter for every door that checks a
// password: a wrong old password counts towards the account's lockout and
// the principal's address's allowance exactly as a failed sign-in does. A
// locked account, or an address that has used up its allowance, is
// answered TooMany on field old_password without a check.
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
		if err := s.verifyOldPassword(ctx, p, u, *c.OldPassword); err != nil {
			return User{}, err
		}
	}
	return s.UpdateUser(ctx, p, id, 0, UserPatch{Password: &c.Password, MustChangePassword: c.MustChange})
}

// errLockedOldPassword answers an old-password check of a locked account.
// The caller could read the flag anyway; the point is that the check is
// not made, so a locked account cannot be guessed through this door.
var errLockedOldPassword = Errorf(TooMany, "old_password", "the account is locked; an administrator unlocks it (locked: false) before its password can be verified")

// verifyOldPassword checks password against u's with checkPassword, the
// limiter SignIn and Authenticate use. A disabled account's password may
// still be changed, as without the check; a locked one's may not.
func (s *Service) verifyOldPassword(ctx context.Context, p Principal, u User, password string) error {
	if u.Locked {
		return errLockedOldPassword
	}
	a := attempt{tenantID: u.TenantID, user: &u, password: password, clientIP: p.ClientIP, action: "user.password_verify", by: p}
	_, reason, err := s.checkPassword(ctx, a)
	switch {
	case reason == reasonDisabled:
		return nil
	case reason == reasonLocked:
		return errLockedOldPassword
	case reason != "":
		if err := s.recordFailure(ctx, a, u, reason); err != nil {
			return err
		}
		return ErrWrongPassword
	case KindOf(err) == TooMany:
		e := *AsError(err)
		e.Field = "old_password"
		return &e
	}
	return err
}
