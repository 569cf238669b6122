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
	sub, args, err := subcommand("client", args, "create", "list", "disable", "enable")
	if err != nil {
		return err
	}
	c := newFlags("client "+sub, getenv, std)
	var tenant, name, scope string
	c.flags.StringVar(&tenant, "tenant", "", "tenant id or name")
	if sub == "create" {
		c.flags.StringVar(&name, "name", "", "a name people recognise the client by")
		c.flags.StringVar(&scope, "scope", "users:read", `space-separated scopes: "users:read", "users:write", "admin"`)
	}
	if err := c.parse(args); err != nil {
		return err
	}
	st, svc, p, err := c.openTenant(ctx, tenant)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
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
	case "list":
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
	default:
		if len(c.positional) != 1 {
			return usageError(fmt.Sprintf("usage: userd client %s --tenant ID CLIENT_ID", sub))
		}
		cl, err := svc.SetClientDisabled(ctx, p, c.positional[0], sub == "disable")
		if err != nil {
			return fmt.Errorf("%s client: %w", sub, err)
		}
		return c.print(std, newClientJSON(cl), func(w io.Writer) {
			fmt.Fprintf(w, "client %s is now %sd\n", cl.ClientID, sub)
		})
	}
}
