package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

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
	var follow, system bool
	var poll time.Duration
	c.flags.BoolVar(&system, "system", false, "instead of a tenant's, print the events of no tenant: failed token requests with unknown client_ids, and how many were not recorded")
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
	if system {
		if c.tenant != "" {
			return usageError("give --tenant or --system, not both")
		}
		st, svc, err := c.open(ctx)
		if err != nil {
			return err
		}
		defer st.Close()
		// Tenant 0 is no tenant: the audit log keeps there what no tenant owns.
		return auditTail(ctx, c, std, svc, directory.System(0), n, follow, poll)
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
			(&eventTable{w: w}).print(evs)
		})
	}
	enc := json.NewEncoder(std.stdout)
	table := eventTable{w: std.stdout, widths: slices.Clone(followWidths)}
	for {
		if c.output != "json" && (len(evs) > 0 || !table.headed) {
			if err := table.print(evs); err != nil {
				return err
			}
		}
		for _, ev := range evs {
			if c.output == "json" {
				if err := enc.Encode(admin.EventJSON(ev)); err != nil {
					return err
				}
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

// eventTable prints audit events in aligned columns under a header row,
// each column as wide as its longest value. Its columns only ever widen,
// and the one of unbounded width (the changed fields) comes last, so the
// events --follow prints later line up with the earlier ones unless an id
// is longer than every one before it; widths starts at usual widths for
// --follow.
type eventTable struct {
	w      io.Writer
	widths []int
	headed bool
}

var eventHeader = []string{"TIME", "ACTION", "ACTOR", "OBJECT", "ADDRESS", "FIELDS"}

// followWidths are the starting column widths of audit tail --follow: room
// for the usual actions, actors ("client:udc_..."), ids and addresses.
var followWidths = []int{20, 14, 28, 16, 15, 0}

// print writes evs, after the header row the first time.
func (t *eventTable) print(evs []directory.Event) error {
	rows := make([][]string, 0, len(evs)+1)
	if !t.headed {
		rows = append(rows, eventHeader)
		t.headed = true
	}
	for _, ev := range evs {
		row := []string{ev.Time.UTC().Format(time.RFC3339), ev.Action, ev.Actor, ev.ObjectID, ev.ClientIP, strings.Join(ev.Fields, ",")}
		for i, cell := range row {
			if cell == "" {
				row[i] = "-"
			}
		}
		rows = append(rows, row)
	}
	if t.widths == nil {
		t.widths = make([]int, len(eventHeader))
	}
	for _, row := range rows {
		for i, cell := range row {
			t.widths[i] = max(t.widths[i], utf8.RuneCountInString(cell))
		}
	}
	var b strings.Builder
	for _, row := range rows {
		for i, cell := range row {
			if i == len(row)-1 {
				b.WriteString(cell + "\n")
				break
			}
			b.WriteString(cell + strings.Repeat(" ", t.widths[i]-utf8.RuneCountInString(cell)+2))
		}
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}
