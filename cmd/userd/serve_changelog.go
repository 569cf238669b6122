package main

import (
	"context"
	"flag"
	"log/slog"
	"time"

	"github.com/userd/userd/internal/directory"
)

// changeLogConfig holds the settings of the change log (docs/api/changes.md).
type changeLogConfig struct {
	// retention is how long change-log entries are kept.
	retention time.Duration
	// pruneEvery is how often the entries older than retention are
	// deleted.
	pruneEvery time.Duration
	// poll is how often a waiting reader of the pull feed reads the log
	// for the changes of other nodes.
	poll time.Duration
}

func (c *changeLogConfig) define(f *flag.FlagSet) {
	f.DurationVar(&c.retention, "change-retention", directory.DefaultChangeRetention, "how long the change log keeps each change; a feed reader further behind must resync (GET /admin/v1/changes answers 410)")
	f.DurationVar(&c.pruneEvery, "change-prune-interval", 10*time.Minute, "how often changes older than --change-retention are deleted, in batches of 1000")
	f.DurationVar(&c.poll, "change-poll", directory.DefaultChangePoll, "how often a waiting feed reader looks for changes other nodes committed (this node's wake it at once)")
}

// check reports a setting that cannot work.
func (c *changeLogConfig) check() error {
	switch {
	case c.retention <= 0:
		return usageError("--change-retention must be positive, such as 720h (30 days)")
	case c.pruneEvery <= 0:
		return usageError("--change-prune-interval must be positive, such as 10m")
	case c.poll <= 0:
		return usageError("--change-poll must be positive, such as 1s")
	}
	return nil
}

// firstPrune is how long after start a node first prunes (or sooner, with a
// shorter --change-prune-interval): not at once, so a node that starts
// under load serves first, and soon, so nodes that restart often still
// prune.
const firstPrune = time.Minute

// startPruning prunes the change log in the background, first shortly
// after start and then every pruneEvery, until ctx ends or the returned
// stop is called. Every node prunes; on a shared PostgreSQL database the
// batches of several nodes skip each other's rows.
func (c *changeLogConfig) startPruning(ctx context.Context, svc *directory.Service, logger *slog.Logger) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		wait := time.NewTimer(min(firstPrune, c.pruneEvery))
		defer wait.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-wait.C:
			}
			n, err := svc.PruneChanges(ctx, c.retention)
			switch {
			case err != nil && ctx.Err() == nil:
				logger.Warn("could not prune the change log; will retry", "err", err)
			case n > 0:
				logger.Info("pruned the change log", "deleted", n, "retention", c.retention)
			}
			wait.Reset(c.pruneEvery)
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
