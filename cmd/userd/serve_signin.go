package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/userd/userd/internal/directory"
)

// defineSignIn defines the flags of signing in (docs/security.md, "Signing
// in").
func defineSignIn(f *flag.FlagSet, l *directory.SignInLimits) {
	f.DurationVar(&l.SessionIdle, "session-idle", directory.DefaultSessionIdle, "a console session nobody used for this long ends")
	f.DurationVar(&l.SessionMaxAge, "session-max-age", directory.DefaultSessionMaxAge, "a console session ends this long after sign-in, however active")
	f.IntVar(&l.MaxAccountFailures, "signin-account-failures", directory.DefaultMaxAccountFailures, "failed sign-ins or password checks in a row, each within --signin-window of the last, that lock the account (unlock: userd user unlock)")
	f.IntVar(&l.MaxAddressFailures, "signin-address-failures", directory.DefaultMaxAddressFailures, "failed sign-ins or password checks from one address per --signin-window, per node, before 429")
	f.DurationVar(&l.Window, "signin-window", directory.DefaultSignInWindow, "the window failed sign-ins are counted in")
	f.IntVar(&l.MaxUserSessions, "max-user-sessions", directory.DefaultMaxUserSessions, "console sessions one user keeps; one more sign-in ends the oldest")
	f.DurationVar(&l.SetupLinkTTL, "setup-link-ttl", directory.DefaultSetupLinkTTL, "how long the first-administrator link printed at start works")
}

// printSetupLink prints the console's address and, while the default
// tenant has no console administrator, a one-time link that creates one.
// The link's secret is in its fragment, which browsers never send to a
// server, so no access log can hold it; it goes to stdout, never the log.
func printSetupLink(ctx context.Context, w io.Writer, base string, svc *directory.Service) error {
	t, err := svc.Store().TenantByName(ctx, directory.DefaultTenant)
	if directory.KindOf(err) == directory.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	secret, expires, ok, err := svc.CreateSetupLink(ctx, t.ID)
	if err != nil || !ok {
		return err
	}
	fmt.Fprintf(w, `
The web console is at %s/console/
Tenant %q has no console administrator yet. Open this link within %s
(until %s) to choose the first administrator's name and password; it works once:

  %s/console/setup#%s

`, base, t.Name, time.Until(expires).Round(time.Minute), expires.Format(time.RFC3339), base, secret.Reveal())
	return nil
}
