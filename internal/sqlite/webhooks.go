package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

const subscriptionColumns = `id, tenant_id, url, format, event_types, secret, token, encryption_key, disabled, failing, last_error, position, created_at, updated_at`

func scanSubscription(sc scanner) (directory.Subscription, error) {
	var (
		s                         directory.Subscription
		types, secret, token, key string
		created, updated          sql.NullInt64
	)
	err := sc.Scan(&s.ID, &s.TenantID, &s.URL, &s.Format, &types, &secret, &token, &key, &s.Disabled, &s.Failing, &s.LastError, &s.Position, &created, &updated)
	if types != "" {
		s.EventTypes = strings.Fields(types)
	}
	s.Secret, s.Token, s.EncryptionKey = directory.Secret(secret), directory.Secret(token), directory.Secret(key)
	s.CreatedAt, s.UpdatedAt = fromMicros(created), fromMicros(updated)
	return s, err
}

// CreateSubscription inserts a webhook subscription.
func (s *Store) CreateSubscription(ctx context.Context, sub directory.Subscription, ev directory.Event) (directory.Subscription, error) {
	err := s.write(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO webhook_subscriptions (tenant_id, url, format, event_types, secret, token, encryption_key, disabled, failing, last_error, position, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			sub.TenantID, sub.URL, string(sub.Format), strings.Join(sub.EventTypes, " "), sub.Secret.Reveal(), sub.Token.Reveal(), sub.EncryptionKey.Reveal(),
			sub.Disabled, sub.Failing, sub.LastError, sub.Position, micros(sub.CreatedAt), micros(sub.UpdatedAt)).Scan(&sub.ID)
		if err != nil {
			return err
		}
		ev.ObjectID = strconv.FormatInt(sub.ID, 10)
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.Subscription{}, err
	}
	return sub, nil
}

var errNoSubscription = directory.Errorf(directory.NotFound, "", "no such webhook subscription")

// Subscription returns a subscription of tenantID.
func (s *Store) Subscription(ctx context.Context, tenantID, id int64) (directory.Subscription, error) {
	sub, err := scanSubscription(s.rq.QueryRowContext(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Subscription{}, errNoSubscription
	}
	return sub, storeError(err)
}

// Subscriptions returns a page of tenantID's subscriptions by id.
func (s *Store) Subscriptions(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Subscription, error) {
	return queryAll(ctx, s.rq, scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, afterID, limit)
}

// CountSubscriptions returns how many subscriptions tenantID has.
func (s *Store) CountSubscriptions(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.rq.QueryRowContext(ctx, `SELECT count(*) FROM webhook_subscriptions WHERE tenant_id = ?`, tenantID).Scan(&n)
	return n, storeError(err)
}

// UpdateSubscription stores the changeable fields of sub.
func (s *Store) UpdateSubscription(ctx context.Context, sub directory.Subscription, ev directory.Event) (directory.Subscription, error) {
	var out directory.Subscription
	err := s.write(ctx, func(tx querier) error {
		var err error
		out, err = scanSubscription(tx.QueryRowContext(ctx, `UPDATE webhook_subscriptions
			SET url = ?, event_types = ?, disabled = ?, failing = ?, last_error = ?, updated_at = ?
			WHERE tenant_id = ? AND id = ? RETURNING `+subscriptionColumns,
			sub.URL, strings.Join(sub.EventTypes, " "), sub.Disabled, sub.Failing, sub.LastError, micros(sub.UpdatedAt), sub.TenantID, sub.ID))
		if errors.Is(err, sql.ErrNoRows) {
			return errNoSubscription
		}
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, err
}

// DeleteSubscription removes a subscription with its log and remote ids.
func (s *Store) DeleteSubscription(ctx context.Context, tenantID, id int64, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM webhook_subscriptions WHERE tenant_id = ? AND id = ?`, tenantID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errNoSubscription
		}
		return insertEvent(ctx, tx, ev)
	})
}

// ActiveSubscriptions returns every tenant's enabled, healthy subscriptions.
func (s *Store) ActiveSubscriptions(ctx context.Context) ([]directory.Subscription, error) {
	return queryAll(ctx, s.rq, scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE NOT disabled AND NOT failing ORDER BY id`)
}

// RecordDeliveries logs ds and moves their subscription on (see
// directory.WebhookStore).
func (s *Store) RecordDeliveries(ctx context.Context, ds []directory.Delivery, remotes []directory.RemoteID) error {
	if len(ds) == 0 {
		return nil
	}
	return s.write(ctx, func(tx querier) error {
		for i, d := range ds {
			var remote directory.RemoteID
			if remotes != nil {
				remote = remotes[i]
			}
			if err := recordDelivery(ctx, tx, d, remote); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM webhook_deliveries WHERE subscription_id = ? AND id <=
			(SELECT id FROM webhook_deliveries WHERE subscription_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
			ds[0].SubscriptionID, ds[0].SubscriptionID, directory.MaxDeliveryLog)
		return err
	})
}

func recordDelivery(ctx context.Context, tx querier, d directory.Delivery, remote directory.RemoteID) error {
	var res sql.Result
	var err error
	if d.Status == directory.Delivered {
		res, err = tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET position = max(position, ?), last_error = ''
			WHERE tenant_id = ? AND id = ?`, d.Position, d.TenantID, d.SubscriptionID)
	} else {
		res, err = tx.ExecContext(ctx, `UPDATE webhook_subscriptions SET failing = 1, last_error = ?
			WHERE tenant_id = ? AND id = ?`, d.Error, d.TenantID, d.SubscriptionID)
	}
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errNoSubscription
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, position, event_type, status, status_code, attempts, latency_us, error, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, d.TenantID, d.SubscriptionID, d.MessageID, d.Position, d.EventType, string(d.Status),
		d.StatusCode, d.Attempts, d.Latency.Microseconds(), d.Error, micros(d.Time)); err != nil {
		return err
	}
	if d.Status == directory.Delivered && remote.ID != "" {
		_, err = tx.ExecContext(ctx, `INSERT INTO webhook_remote_ids (subscription_id, object_type, object_id, remote_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (subscription_id, object_type, object_id) DO UPDATE SET remote_id = excluded.remote_id`,
			d.SubscriptionID, remote.ObjectType, remote.ObjectID, remote.ID)
	}
	return err
}

func scanDelivery(sc scanner) (directory.Delivery, error) {
	var (
		d       directory.Delivery
		latency int64
		at      sql.NullInt64
	)
	err := sc.Scan(&d.ID, &d.TenantID, &d.SubscriptionID, &d.MessageID, &d.Position, &d.EventType, &d.Status, &d.StatusCode, &d.Attempts, &latency, &d.Error, &at)
	d.Latency = time.Duration(latency) * time.Microsecond
	d.Time = fromMicros(at)
	return d, err
}

// Deliveries returns a page of a subscription's delivery log.
func (s *Store) Deliveries(ctx context.Context, tenantID, subscriptionID, afterID int64, limit int) ([]directory.Delivery, error) {
	return queryAll(ctx, s.rq, scanDelivery, `SELECT id, tenant_id, subscription_id, message_id, position, event_type, status, status_code, attempts, latency_us, error, at
		FROM webhook_deliveries WHERE tenant_id = ? AND subscription_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, subscriptionID, afterID, limit)
}

// RemoteID returns the id an application gave an object, or "".
func (s *Store) RemoteID(ctx context.Context, tenantID, subscriptionID int64, objectType string, objectID int64) (string, error) {
	var id string
	err := s.rq.QueryRowContext(ctx, `SELECT r.remote_id FROM webhook_remote_ids r JOIN webhook_subscriptions s ON s.id = r.subscription_id
		WHERE s.tenant_id = ? AND r.subscription_id = ? AND r.object_type = ? AND r.object_id = ?`, tenantID, subscriptionID, objectType, objectID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return id, storeError(err)
}

// AcquireLease takes or renews a lease (see directory.WebhookStore).
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var got string
	err := s.write(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.holder = excluded.holder OR leases.expires_at < ?
			RETURNING holder`, name, holder, micros(now.Add(ttl)), micros(now)).Scan(&got)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		return err
	})
	return got == holder, err
}
