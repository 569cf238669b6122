package postgres

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestConnectErrors connects to the test server in ways that fail and
// checks that what a retry fixes (nothing listens on the port) is
// Unavailable, while what it never fixes (a missing database, a missing
// role, a certificate that does not verify) is not, and that each message
// says what to change in --db.
func TestConnectErrors(t *testing.T) {
	base, err := url.Parse(serverURL(t))
	if err != nil {
		t.Fatal(err)
	}
	at := func(edit func(u *url.URL)) string {
		u := *base
		edit(&u)
		return u.String()
	}
	tests := []struct {
		name      string
		url       string
		retryable bool
		want      string // in the message
	}{
		{"closed port", at(func(u *url.URL) { u.Host = closedPort(t) }), true, "retry later, or check the host and port in --db (USERD_DB)"},
		{"missing database", at(func(u *url.URL) { u.Path = "/userd_no_such_database" }), false, `database "userd_no_such_database" does not exist`},
		{"missing role", at(func(u *url.URL) { u.User = url.User("userd_no_such_role") }), false, "check the user and password in --db (USERD_DB)"},
		{"certificate not trusted", at(func(u *url.URL) {
			q := u.Query()
			q.Set("sslmode", "verify-full")
			u.RawQuery = q.Encode()
		}), false, "check sslmode, sslrootcert and the host name in --db (USERD_DB)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openURL(t, tc.url)
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			for op, call := range map[string]func() error{
				"Ping":    func() error { return s.Ping(ctx) },
				"Migrate": func() error { return s.Migrate(ctx) },
				"Tenants": func() error { _, err := s.Tenants(ctx); return err },
			} {
				err := call()
				if err == nil {
					t.Fatalf("%s: got no error, want one", op)
				}
				if got := directory.KindOf(err) == directory.Unavailable; got != tc.retryable {
					t.Errorf("%s: got kind %v, want retryable (Unavailable) %v: %v", op, directory.KindOf(err), tc.retryable, err)
				}
				if msg := directory.AsError(err).Message; !strings.Contains(msg, tc.want) {
					t.Errorf("%s: got message %q, want it to contain %q", op, msg, tc.want)
				}
			}
		})
	}
}
