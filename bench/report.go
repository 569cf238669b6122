package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"
)

// report is the outcome of one run, printed as a table and saved as JSON.
type report struct {
	Engine   string
	Users    int
	Conns    int
	Duration string
	Warmup   string
	Seeding  time.Duration // importing the users
	Startup  time.Duration // from exec of userd serve to the first 200 of /readyz
	Started  time.Time
	Load     string // the load average after the run, as /proc/loadavg shows it
	Rows     []result
	// Delivery is the change-delivery run's outcome (-delivery), nil when
	// there was none.
	Delivery *deliveryResult `json:",omitempty"`
}

// compare sets every row's ratio: its req/s to the ceiling's, or to its
// Against row's.
func (r *report) compare() {
	reqs := map[string]float64{}
	for _, row := range r.Rows {
		reqs[row.Path] = row.ReqPerSec
	}
	for i, row := range r.Rows {
		if row.Conns != r.Conns {
			continue // the ceiling ran at -conns: a ratio would compare loads
		}
		against := row.Against
		if against == "" {
			against = "ceiling"
		}
		if base := reqs[against]; base > 0 {
			r.Rows[i].Ratio = row.ReqPerSec / base
		}
	}
}

// print writes the table.
func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "\nuserd benchmark: %s, %d users, %d connections, %s measured per path after %s warm-up\n",
		r.Engine, r.Users, r.Conns, r.Duration, r.Warmup)
	seeding := "none (-reuse)"
	if r.Seeding > 0 {
		seeding = fmt.Sprintf("%s (%.0f users/s)", r.Seeding.Round(time.Millisecond), float64(r.Users)/r.Seeding.Seconds())
	}
	fmt.Fprintf(w, "seeding: %s   start-up to ready: %s   load average after: %s\n\n",
		seeding, r.Startup.Round(100*time.Microsecond), r.Load)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "path\treq/s\tp50\tp99\tserver p50\tserver p99\terrors\tvs ceiling\tserver anon RSS\t")
	for _, row := range r.Rows {
		ratio := "-"
		if row.Ratio > 0 {
			ratio = fmt.Sprintf("%.2f", row.Ratio)
		}
		serverP50, serverP99 := "-", "-"
		if row.ServerP99 > 0 {
			serverP50, serverP99 = ms(row.ServerP50), ms(row.ServerP99)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%s\t%d\t%s\t%.1f MB\t\n",
			row.Path, row.ReqPerSec, ms(row.P50), ms(row.P99), serverP50, serverP99, row.Errors, ratio, float64(row.AnonRSS)/(1<<20))
	}
	tw.Flush()
	rows := map[string]result{}
	for _, row := range r.Rows {
		rows[row.Path] = row
	}
	for _, row := range r.Rows {
		if base, ok := rows[row.Against]; ok && base.P50 > 0 && base.P99 > 0 {
			fmt.Fprintf(w, "%s vs %s: p50 %.2fx, p99 %.2fx, req/s %.2fx\n", row.Path, row.Against,
				float64(row.P50)/float64(base.P50), float64(row.P99)/float64(base.P99), row.Ratio)
		}
	}
	for _, row := range r.Rows {
		if row.UsersPerSec > 0 {
			fmt.Fprintf(w, "%s delivers %.0f users/s\n", row.Path, row.UsersPerSec)
		}
	}
	r.printCPU(w)
	if d := r.Delivery; d != nil {
		d.print(w)
	}
}

// printCPU writes where the machine's CPU went in each measured run: when
// idle is near 0 the machine is saturated and the rate is its cores
// divided by the total CPU per request, the last column.
func (r *report) printCPU(w io.Writer) {
	if len(r.Rows) == 0 {
		return
	}
	cores := r.Rows[0].CPU.CPUs
	fmt.Fprintf(w, "\nCPU per request during each measured run (µs; busy share of the machine)\n")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "path\tbench\tserver\tdatabase\tother\ttotal\tmachine idle\t%d cores ÷ total\t\n", cores)
	for _, row := range r.Rows {
		c := row.CPU
		share := func(us float64) string {
			if c.Machine == 0 {
				return "-"
			}
			return fmt.Sprintf("%.0f (%.0f%%)", us, 100*us/c.Machine)
		}
		limit := "-"
		if c.Total > 0 {
			limit = fmt.Sprintf("%.0f req/s", float64(c.CPUs)*1e6/c.Total)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%.0f%%\t%s\t\n",
			row.Path, share(c.Bench), share(c.Server), share(c.Database), share(c.Other), share(c.Total), c.Idle, limit)
	}
	tw.Flush()
}

// print writes the change-delivery figures.
func (d *deliveryResult) print(w io.Writer) {
	fmt.Fprintf(w, "\nchange delivery: %d changes written at %.0f/s (asked %d/s), %d write errors\n", d.Changes, d.Achieved, d.Rate, d.Errors)
	if d.FirstError != "" {
		fmt.Fprintf(w, "  first write error: %s\n", d.FirstError)
	}
	fmt.Fprintf(w, "  change to webhook:  p50 %s  p99 %s  max %s\n", ms(d.WebhookP50), ms(d.WebhookP99), ms(d.WebhookMax))
	fmt.Fprintf(w, "  change to feed:     p50 %s  p99 %s  max %s\n", ms(d.FeedP50), ms(d.FeedP99), ms(d.FeedMax))
	fmt.Fprintf(w, "  webhooks: %d missing, %d out of order, %d repeats (each with its first webhook-id)\n", d.Missing, d.OutOfOrder, d.Duplicates)
	if d.Outage > 0 {
		fmt.Fprintf(w, "  receiver down %s: %d changes committed meanwhile, all delivered %s after it came back (%.0f deliveries/s while writes went on)\n",
			d.Outage, d.Backlog, d.CatchUp.Round(time.Millisecond), d.CatchUpRate)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

// save writes the report as JSON into dir and returns the file's path.
func (r *report) save(dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("save the report: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d-%s.json", r.Engine, r.Users, r.Started.Format("20060102T150405Z")))
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return "", fmt.Errorf("save the report: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("save the report: %w", err)
	}
	return path, nil
}
