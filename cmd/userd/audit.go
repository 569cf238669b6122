package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
)

// auditTailMax is the most events audit tail prints at first: one page.
const auditTailMax = directory.MaxPageSize

func runAudit(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("audit", args, std)
	if err != nil {
		return err
	}
	c := newFlags("audit "+sub, getenv, std)
	c.dbFlag()
	c.outputFlag()
	c.tenantFlag()
	var n int
	var follow bool
	var poll time.Duration
	c.flags.IntVar(&n, "n", 50, fmt.Sprintf("how many of the latest events to print first, `N` from 1 to %d", auditTailMax))
	c.flags.BoolVar(&follow, "follow", false, "keep printing new events as they are recorded, until interrupted (with -o json: one object per line)")
	c.flags.DurationVar(&poll, "poll", time.Second, "with --follow, how often to look for new events (a `DURATION` such as 500ms)")
	if err := c.parse(args); err != nil {
		return err
	}
	if err := c.args(0); err != nil {
		return err
	}
	if n < 1 || n > auditTailMax {
		return usageError(fmt.Sprintf("-n must be between 1 and %d, not %d", auditTailMax, n))
	}
	if poll <= 0 {
		return usageError("--poll must be positive, e.g. 1s")
	}
	st, svc, p, err := c.openTenant(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	return auditTail(ctx, c, std, svc, p, n, follow, poll)
}

// auditTail prints the latest n events of the principal's tenant, oldest
// first, then with follow every new one until ctx ends.
func auditTail(ctx context.Context, c *commonFlags, std streams, svc *directory.Service, p directory.Principal, n int, follow bool, poll time.Duration) error {
	after, err := latestEventsStart(ctx, svc, p, n)
	if err != nil {
		return err
	}
	evs, _, err := svc.AuditEvents(ctx, p, after, n)
	if err != nil {
		return fmt.Errorf("read audit events: %w", err)
	}
	if !follow {
		out := make([]any, len(evs))
		for i, ev := range evs {
			out[i] = admin.EventJSON(ev)
		}
		return c.print(std, map[string]any{"events": out}, func(w io.Writer) {
			for _, ev := range evs {
				printEvent(w, ev)
			}
		})
	}
	enc := json.NewEncoder(std.stdout)
	for {
		for _, ev := range evs {
			if c.output == "json" {
				if err := enc.Encode(admin.EventJSON(ev)); err != nil {
					return err
				}
			} else {
				printEvent(std.stdout, ev)
			}
			after = ev.ID
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(poll):
		}
		if evs, _, err = svc.AuditEvents(ctx, p, after, directory.MaxPageSize); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("read audit events: %w", err)
		}
	}
}

// latestEventsStart returns the id after which the tenant's latest n events
// begin, without reading the whole log: ids only grow, so it binary-searches
// for the largest id with at least n events after it, each probe reading at
// most n events.
func latestEventsStart(ctx context.Context, svc *directory.Service, p directory.Principal, n int) (int64, error) {
	lo, hi := int64(0), int64(directory.MaxSafeID) // at least n after lo, unless lo is 0; fewer than n after hi
	for lo+1 < hi {
		mid := lo + (hi-lo)/2
		evs, _, err := svc.AuditEvents(ctx, p, mid, n)
		if err != nil {
			return 0, fmt.Errorf("read audit events: %w", err)
		}
		if len(evs) == n {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}

// printEvent writes ev as one line: time, action, actor, object, fields
// and address.
func printEvent(w io.Writer, ev directory.Event) {
	object, fields, ip := ev.ObjectID, strings.Join(ev.Fields, ","), ev.ClientIP
	for _, s := range []*string{&object, &fields, &ip} {
		if *s == "" {
			*s = "-"
		}
	}
	fmt.Fprintf(w, "%s  %-14s %-32s %-8s %-24s %s\n", ev.Time.UTC().Format(time.RFC3339), ev.Action, ev.Actor, object, fields, ip)
}
