package auth

import (
	"context"
	"time"
)

// BeginPasswordCheck implements directory.PasswordGuard with the token
// endpoint's limits (Options.MaxClientFailures per key, here a user,
// MaxAddressFailures per source address, in FailureWindow), counted apart
// from client authentications: the Service calls it before it verifies a
// user's old password, so that call cannot be used to guess passwords
// faster than the token endpoint lets anyone guess client secrets.
func (a *Authenticator) BeginPasswordCheck(ctx context.Context, key, clientIP string) (end func(failed bool), retryAfter time.Duration, err error) {
	at, retryAfter, err := a.pwChecks.begin(ctx, key, clientIP)
	if err != nil || retryAfter > 0 {
		return nil, retryAfter, err
	}
	return at.end, 0, nil
}
