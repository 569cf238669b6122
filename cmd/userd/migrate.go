package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

func runMigrate(ctx context.Context, args []string, getenv env, std streams) error {
	c := newFlags("migrate", getenv, std)
	c.dbFlag()
	c.syncFlag()
	c.outputFlag()
	if err := c.parse(args); err != nil {
		return err
	}
	if err := c.args(0); err != nil {
		return err
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.ApplyMigrations(ctx)
	if err != nil {
		return fmt.Errorf("migrate %s: %w", redactURL(c.db), err)
	}
	current, latest, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	out := migrateResult{DB: redactURL(c.db), Applied: applied, Version: current, Latest: latest}
	return c.print(std, out, func(w io.Writer) {
		switch len(applied) {
		case 0:
			fmt.Fprintf(w, "%s: no migration to apply; the schema is at version %d, the latest this userd knows\n", out.DB, current)
		case 1:
			fmt.Fprintf(w, "%s: applied migration %d; the schema is now at version %d\n", out.DB, applied[0], current)
		default:
			vs := make([]string, len(applied))
			for i, v := range applied {
				vs[i] = strconv.FormatInt(v, 10)
			}
			fmt.Fprintf(w, "%s: applied migrations %s; the schema is now at version %d\n", out.DB, strings.Join(vs, ", "), current)
		}
	})
}

// migrateResult is what userd migrate -o json prints.
type migrateResult struct {
	DB      string  `json:"db"`
	Applied []int64 `json:"applied"` // the versions applied now, oldest first
	Version int64   `json:"version"` // the schema version the database now has
	Latest  int64   `json:"latest"`  // the latest version this userd knows
}
