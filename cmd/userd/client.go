package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/userd/userd/internal/directory"
)

// clientJSON is a client as the CLI prints it; Secret is set only on create.
type clientJSON struct {
	ClientID     string    `json:"client_id"`
	ClientSecret string    `json:"client_secret,omitempty"`
	TenantID     int64     `json:"tenant_id"`
	Name         string    `json:"name"`
	Scope        string    `json:"scope"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

func newClientJSON(c directory.Client) clientJSON {
	return clientJSON{ClientID: c.ClientID, TenantID: c.TenantID, Name: c.Name, Scope: c.Scopes.String(), Disabled: c.Disabled, CreatedAt: c.CreatedAt}
}

func runClient(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("client", args, std)
	if err != nil {
		return err
	}
	c := newFlags("client "+sub, getenv, std)
	c.dbFlag()
	c.outputFlag()
	c.tenantFlag()
	var name, scope string
	if sub != "list" {
		c.syncFlag()
	}
	if sub == "create" {
		c.flags.StringVar(&name, "name", "", "a `NAME` people recognise the client by")
		c.flags.StringVar(&scope, "scope", "users:read", "space-separated `SCOPES`: users:read, users:write, admin")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	nargs := 0
	if sub == "disable" || sub == "enable" {
		nargs = 1
	}
	if err := c.args(nargs); err != nil {
		return err
	}
	if nargs == 1 {
		return setClientDisabled(ctx, c, std, c.positional[0], sub == "disable")
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
		cl, secret, err := svc.CreateClient(ctx, p, name, scopes)
		if err != nil {
			return fmt.Errorf("create client: %w", err)
		}
		out := newClientJSON(cl)
		out.ClientSecret = secret.Reveal()
		return c.print(std, out, func(w io.Writer) {
			fmt.Fprintf(w, "client_id:     %s\nclient_secret: %s\nscope:         %s\n\nThe secret is shown only now; store it safely.\n", cl.ClientID, secret.Reveal(), cl.Scopes)
		})
	}
	cls, err := directory.Collect(func(after int64) ([]directory.Client, int64, error) {
		return svc.Clients(ctx, p, after, directory.MaxPageSize)
	})
	if err != nil {
		return fmt.Errorf("list clients: %w", err)
	}
	out := struct {
		Clients []clientJSON `json:"clients"`
	}{Clients: []clientJSON{}}
	for _, cl := range cls {
		out.Clients = append(out.Clients, newClientJSON(cl))
	}
	return c.print(std, out, func(w io.Writer) {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CLIENT_ID\tNAME\tSCOPE\tDISABLED")
		for _, cl := range cls {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%t\n", cl.ClientID, cl.Name, cl.Scopes, cl.Disabled)
		}
		tw.Flush()
	})
}

// setClientDisabled disables or enables the client clientID. Client ids are
// unique across tenants, so the client names its tenant; a --tenant given
// must be that one.
func setClientDisabled(ctx context.Context, c *commonFlags, std streams, clientID string, disabled bool) error {
	verb := "enable"
	if disabled {
		verb = "disable"
	}
	st, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	cl, err := st.ClientByClientID(ctx, clientID)
	if err == nil && c.tenant != "" {
		var t directory.Tenant
		if t, err = resolveTenant(ctx, st, c.tenant); err != nil {
			return err
		}
		if t.ID != cl.TenantID {
			err = directory.Errorf(directory.NotFound, "", "no such client")
		}
	}
	if err == nil {
		cl, err = svc.SetClientDisabled(ctx, directory.System(cl.TenantID), clientID, disabled)
	}
	if err != nil {
		return fmt.Errorf("%s client %s: %w", verb, clientID, err)
	}
	return c.print(std, newClientJSON(cl), func(w io.Writer) {
		fmt.Fprintf(w, "client %s of tenant %d is now %sd\n", cl.ClientID, cl.TenantID, verb)
	})
}
