package storewatch

import (
	"context"
	"time"

	"github.com/userd/userd/internal/directory"
)

// The directory.WebhookStore methods, watched like the rest.

func (s *store) CreateSubscription(ctx context.Context, sub directory.Subscription, ev directory.Event) (directory.Subscription, error) {
	return timed(ctx, s, "CreateSubscription", func(ctx context.Context) (directory.Subscription, error) {
		return s.next.CreateSubscription(ctx, sub, ev)
	})
}

func (s *store) Subscription(ctx context.Context, tenantID, id int64) (directory.Subscription, error) {
	return timed(ctx, s, "Subscription", func(ctx context.Context) (directory.Subscription, error) {
		return s.next.Subscription(ctx, tenantID, id)
	})
}

func (s *store) Subscriptions(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Subscription, error) {
	return timed(ctx, s, "Subscriptions", func(ctx context.Context) ([]directory.Subscription, error) {
		return s.next.Subscriptions(ctx, tenantID, afterID, limit)
	})
}

func (s *store) CountSubscriptions(ctx context.Context, tenantID int64) (int, error) {
	return timed(ctx, s, "CountSubscriptions", func(ctx context.Context) (int, error) { return s.next.CountSubscriptions(ctx, tenantID) })
}

func (s *store) UpdateSubscription(ctx context.Context, sub directory.Subscription, ev directory.Event) (directory.Subscription, error) {
	return timed(ctx, s, "UpdateSubscription", func(ctx context.Context) (directory.Subscription, error) {
		return s.next.UpdateSubscription(ctx, sub, ev)
	})
}

func (s *store) DeleteSubscription(ctx context.Context, tenantID, id int64, ev directory.Event) error {
	return run(ctx, s, "DeleteSubscription", func(ctx context.Context) error { return s.next.DeleteSubscription(ctx, tenantID, id, ev) })
}

func (s *store) ActiveSubscriptions(ctx context.Context) ([]directory.Subscription, error) {
	return timed(ctx, s, "ActiveSubscriptions", func(ctx context.Context) ([]directory.Subscription, error) { return s.next.ActiveSubscriptions(ctx) })
}

func (s *store) RecordDeliveries(ctx context.Context, ds []directory.Delivery, remotes []directory.RemoteID) error {
	return run(ctx, s, "RecordDeliveries", func(ctx context.Context) error { return s.next.RecordDeliveries(ctx, ds, remotes) })
}

func (s *store) Deliveries(ctx context.Context, tenantID, subscriptionID, afterID int64, limit int) ([]directory.Delivery, error) {
	return timed(ctx, s, "Deliveries", func(ctx context.Context) ([]directory.Delivery, error) {
		return s.next.Deliveries(ctx, tenantID, subscriptionID, afterID, limit)
	})
}

func (s *store) RemoteID(ctx context.Context, tenantID, subscriptionID int64, objectType string, objectID int64) (string, error) {
	return timed(ctx, s, "RemoteID", func(ctx context.Context) (string, error) {
		return s.next.RemoteID(ctx, tenantID, subscriptionID, objectType, objectID)
	})
}

func (s *store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	return timed(ctx, s, "AcquireLease", func(ctx context.Context) (bool, error) { return s.next.AcquireLease(ctx, name, holder, now, ttl) })
}
