package storewatch

import (
	"context"
	"time"

	"github.com/userd/userd/internal/directory"
)

func (s *store) Changes(ctx context.Context, tenantID, after int64, limit int) ([]directory.Change, error) {
	return timed(ctx, s, "Changes", func(ctx context.Context) ([]directory.Change, error) {
		return s.next.Changes(ctx, tenantID, after, limit)
	})
}

func (s *store) LastChange(ctx context.Context, tenantID int64) (int64, error) {
	return timed(ctx, s, "LastChange", func(ctx context.Context) (int64, error) { return s.next.LastChange(ctx, tenantID) })
}

func (s *store) PruneChanges(ctx context.Context, before time.Time, limit int) (int, error) {
	return timed(ctx, s, "PruneChanges", func(ctx context.Context) (int, error) { return s.next.PruneChanges(ctx, before, limit) })
}
