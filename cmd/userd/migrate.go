package main

import (
	"context"
	"fmt"
	"io"
)

func runMigrate(ctx context.Context, args []string, getenv env, std streams) error {
	c := newFlags("migrate", getenv, std)
	c.flags.Usage = func() {
		fmt.Fprintln(std.stderr, "Usage: userd migrate [--db URL]\n\nApplies every pending schema migration and exits.")
		c.flags.PrintDefaults()
	}
	if err := c.parse(args); err != nil {
		return err
	}
	st, err := c.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fmt.Errorf("migrate %s: %w", redactURL(c.db), err)
	}
	return c.print(std, map[string]any{"migrated": true, "db": redactURL(c.db)}, func(w io.Writer) {
		fmt.Fprintf(w, "%s is up to date\n", redactURL(c.db))
	})
}
