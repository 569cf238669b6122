package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// tenantJSON is a tenant as the CLI prints it with -o json.
type tenantJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func runTenant(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("tenant", args, "create", "list")
	if err != nil {
		return err
	}
	c := newFlags("tenant "+sub, getenv, std)
	var name string
	if sub == "create" {
		c.flags.StringVar(&name, "name", "", "tenant name: 1 to 63 characters of a-z, 0-9 and '-'")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	st, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		if name == "" {
			return usageError("tenant create needs --name")
		}
		t, err := svc.CreateTenant(ctx, name)
		if err != nil {
			return fmt.Errorf("create tenant: %w", err)
		}
		return c.print(std, tenantJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt}, func(w io.Writer) {
			fmt.Fprintf(w, "created tenant %q with id %d\n", t.Name, t.ID)
		})
	default:
		ts, err := svc.Tenants(ctx)
		if err != nil {
			return fmt.Errorf("list tenants: %w", err)
		}
		out := struct {
			Tenants []tenantJSON `json:"tenants"`
		}{Tenants: []tenantJSON{}}
		for _, t := range ts {
			out.Tenants = append(out.Tenants, tenantJSON{ID: t.ID, Name: t.Name, CreatedAt: t.CreatedAt})
		}
		return c.print(std, out, func(w io.Writer) {
			tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tCREATED")
			for _, t := range ts {
				fmt.Fprintf(tw, "%d\t%s\t%s\n", t.ID, t.Name, t.CreatedAt.Format(time.RFC3339))
			}
			tw.Flush()
		})
	}
}
