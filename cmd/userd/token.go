package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/userd/userd/internal/directory"
)

// tokenJSON is an API token as the CLI prints it; Token is set only on create.
type tokenJSON struct {
	ID        int64      `json:"id"`
	Token     string     `json:"token,omitempty"`
	TenantID  int64      `json:"tenant_id"`
	Name      string     `json:"name"`
	Scope     string     `json:"scope"`
	ExpiresAt *time.Time `json:"expires_at"`
	RevokedAt *time.Time `json:"revoked_at"`
	CreatedAt time.Time  `json:"created_at"`
}

func newTokenJSON(t directory.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, TenantID: t.TenantID, Name: t.Name, Scope: t.Scopes.String(), ExpiresAt: timeOrNil(t.ExpiresAt), RevokedAt: timeOrNil(t.RevokedAt), CreatedAt: t.CreatedAt}
}

func timeOrNil(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func runToken(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("token", args, std)
	if err != nil {
		return err
	}
	c := newFlags("token "+sub, getenv, std)
	c.dbFlag()
	c.outputFlag()
	c.tenantFlag()
	var name, scope string
	var expires time.Duration
	if sub != "list" {
		c.syncFlag()
	}
	if sub == "create" {
		c.flags.StringVar(&name, "name", "", "a `NAME` people recognise the token by")
		c.flags.StringVar(&scope, "scope", "users:read", "space-separated `SCOPES`: users:read, users:write, admin")
		c.flags.DurationVar(&expires, "expires", 0, "`LIFETIME`, e.g. 720h; 0 never expires")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	if sub == "revoke" {
		if err := c.args(1); err != nil {
			return err
		}
		return revokeToken(ctx, c, std)
	}
	if err := c.args(0); err != nil {
		return err
	}
	st, svc, p, err := c.openTenant(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if sub == "create" {
		scopes, err := directory.ParseScopes(scope)
		if err != nil {
			return err
		}
		t, secret, err := svc.CreateAPIToken(ctx, p, name, scopes, expires)
		if err != nil {
			return fmt.Errorf("create token: %w", err)
		}
		out := newTokenJSON(t)
		out.Token = secret.Reveal()
		return c.print(std, out, func(w io.Writer) {
			fmt.Fprintf(w, "id:    %d\ntoken: %s\nscope: %s\n\nThe token is shown only now; store it safely.\n", t.ID, secret.Reveal(), t.Scopes)
		})
	}
	ts, err := directory.Collect(func(after int64) ([]directory.APIToken, int64, error) {
		return svc.APITokens(ctx, p, after, directory.MaxPageSize)
	})
	if err != nil {
		return fmt.Errorf("list tokens: %w", err)
	}
	out := struct {
		Tokens []tokenJSON `json:"tokens"`
	}{Tokens: []tokenJSON{}}
	for _, t := range ts {
		out.Tokens = append(out.Tokens, newTokenJSON(t))
	}
	return c.print(std, out, func(w io.Writer) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSCOPE\tEXPIRES\tREVOKED")
		for _, t := range ts {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Scopes, orDash(t.ExpiresAt), orDash(t.RevokedAt))
		}
		tw.Flush()
	})
}

func orDash(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

// revokeToken revokes the token whose id is the only argument. Token ids
// are unique across the installation, so without --tenant it is looked for
// in every tenant; with it, only in that one.
func revokeToken(ctx context.Context, c *commonFlags, std streams) error {
	id, err := strconv.ParseInt(c.positional[0], 10, 64)
	if err != nil || id <= 0 {
		return usageError(fmt.Sprintf("TOKEN_ID must be a positive number, as token list shows it, not %q", c.positional[0]))
	}
	st, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var tenants []directory.Tenant
	if c.tenant != "" {
		t, err := resolveTenant(ctx, st, c.tenant)
		if err != nil {
			return err
		}
		tenants = []directory.Tenant{t}
	} else if tenants, err = st.Tenants(ctx); err != nil {
		return fmt.Errorf("list tenants: %w", err)
	}
	for _, tn := range tenants {
		t, err := svc.RevokeAPIToken(ctx, directory.System(tn.ID), id)
		if directory.KindOf(err) == directory.NotFound {
			continue
		}
		if err != nil {
			return fmt.Errorf("revoke token %d: %w", id, err)
		}
		return c.print(std, newTokenJSON(t), func(w io.Writer) {
			fmt.Fprintf(w, "token %d of tenant %q revoked at %s\n", t.ID, tn.Name, t.RevokedAt.Format(time.RFC3339))
		})
	}
	if c.tenant != "" {
		return fmt.Errorf("revoke token %d: tenant %q has no such token", id, tenants[0].Name)
	}
	return fmt.Errorf("revoke token %d: no such token", id)
}
