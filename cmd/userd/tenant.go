package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/userd/userd/internal/directory"
)

// tenantJSON is a tenant as the CLI prints it with -o json.
type tenantJSON struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

func runTenant(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("tenant", args, std)
	if err != nil {
		return err
	}
	c := newFlags("tenant "+sub, getenv, std)
	c.dbFlag()
	c.outputFlag()
	var name string
	if sub == "create" {
		c.syncFlag()
		c.flags.StringVar(&name, "name", "", "the tenant's `NAME`: 1 to 63 characters of a-z, 0-9 and '-', not all digits")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	if err := c.args(0); err != nil {
		return err
	}
	if sub == "create" && name == "" {
		return usageError("tenant create needs --name, e.g. userd tenant create --name acme")
	}
	st, svc, err := c.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
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

// resolveTenant finds the tenant a --tenant value names: digits are an id,
// anything else a name, and nothing the database's only tenant. A tenant
// named with digits (made before names had to hold a letter) is never
// chosen by a guess: where its name and an id disagree, the value is refused.
func resolveTenant(ctx context.Context, st directory.Store, v string) (directory.Tenant, error) {
	if v == "" {
		ts, err := st.Tenants(ctx)
		if err != nil {
			return directory.Tenant{}, fmt.Errorf("list tenants: %w", err)
		}
		switch len(ts) {
		case 1:
			return ts[0], nil
		case 0:
			return directory.Tenant{}, usageError("the database has no tenant yet: create one with userd tenant create --name NAME (userd serve creates tenant \"default\" on its first start)")
		}
		names := make([]string, 0, 5)
		for _, t := range ts[:min(len(ts), 5)] {
			names = append(names, t.Name)
		}
		if len(ts) > 5 {
			names = append(names, "...")
		}
		return directory.Tenant{}, usageError(fmt.Sprintf("the database has %d tenants (%s): say which with --tenant NAME", len(ts), strings.Join(names, ", ")))
	}
	byName, nameErr := st.TenantByName(ctx, v)
	if directory.KindOf(nameErr) != directory.NotFound && nameErr != nil {
		return directory.Tenant{}, fmt.Errorf("find tenant %q: %w", v, nameErr)
	}
	if strings.Trim(v, "0123456789") != "" {
		if nameErr != nil {
			return directory.Tenant{}, usageError(fmt.Sprintf("--tenant %s: there is no tenant named %q (userd tenant list shows them)", v, v))
		}
		return byName, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	var byID directory.Tenant
	if err == nil {
		byID, err = st.Tenant(ctx, id)
		if err != nil && directory.KindOf(err) != directory.NotFound {
			return directory.Tenant{}, fmt.Errorf("find tenant %s: %w", v, err)
		}
	}
	switch {
	case err != nil && nameErr != nil:
		return directory.Tenant{}, usageError(fmt.Sprintf("--tenant %s: there is no tenant with id %s (userd tenant list shows them)", v, v))
	case err != nil:
		return directory.Tenant{}, usageError(fmt.Sprintf("--tenant %s: digits name a tenant id and there is no tenant with id %s; the tenant named %q has id %d: give --tenant %d", v, v, v, byName.ID, byName.ID))
	case nameErr == nil && byName.ID != byID.ID:
		return directory.Tenant{}, usageError(fmt.Sprintf("--tenant %s is ambiguous: it is the id of tenant %q and the name of tenant %d; give --tenant %s or --tenant %d", v, byID.Name, byName.ID, byID.Name, byName.ID))
	}
	return byID, nil
}
