package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

const subscriptionColumns = `id, tenant_id, url, format, event_types, secret, token, encryption_key, disabled, failing, last_error, position, created_at, updated_at`

var errNoSubscription = directory.Errorf(directory.NotFound, "", "no such webhook subscription")

func scanSubscription(row pgx.Row) (directory.Subscription, error) {
	var (
		s                         directory.Subscription
		types, secret, token, key string
	)
	err := row.Scan(&s.ID, &s.TenantID, &s.URL, &s.Format, &types, &secret, &token, &key, &s.Disabled, &s.Failing, &s.LastError, &s.Position, &s.CreatedAt, &s.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return directory.Subscription{}, errNoSubscription
	}
	if types != "" {
		s.EventTypes = strings.Fields(types)
	}
	s.Secret, s.Token, s.EncryptionKey = directory.Secret(secret), directory.Secret(token), directory.Secret(key)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return s, err
}

// CreateSubscription inserts a webhook subscription.
func (s *Store) CreateSubscription(ctx context.Context, sub directory.Subscription, ev directory.Event) (directory.Subscription, error) {
	id, err := s.insert(ctx, ev, `INSERT INTO webhook_subscriptions (tenant_id, url, format, event_types, secret, token, encryption_key, disabled, failing, last_error, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
		sub.TenantID, sub.URL, string(sub.Format), strings.Join(sub.EventTypes, " "), sub.Secret.Reveal(), sub.Token.Reveal(), sub.EncryptionKey.Reveal(),
		sub.Disabled, sub.Failing, sub.LastError, sub.Position, sub.CreatedAt, sub.UpdatedAt)
	if err != nil {
		return directory.Subscription{}, storeError("create webhook subscription", err)
	}
	sub.ID = id
	return sub, nil
}

// Subscription returns a subscription of tenantID.
func (s *Store) Subscription(ctx context.Context, tenantID, id int64) (directory.Subscription, error) {
	sub, err := scanSubscription(s.pool.QueryRow(ctx, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id))
	return sub, storeError("read webhook subscription", err)
}

// Subscriptions returns a page of tenantID's subscriptions by id.
func (s *Store) Subscriptions(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Subscription, error) {
	return query(ctx, s, "list webhook subscriptions", scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, limit)
}

// CountSubscriptions returns how many subscriptions tenantID has.
func (s *Store) CountSubscriptions(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM webhook_subscriptions WHERE tenant_id = $1`, tenantID).Scan(&n)
	return n, storeError("count webhook subscriptions", err)
}

// UpdateSubscription stores the changeable fields of sub.
func (s *Store) UpdateSubscription(ctx context.Context, sub directory.Subscription, ev directory.Event) (directory.Subscription, error) {
	var out directory.Subscription
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = scanSubscription(tx.QueryRow(ctx, `UPDATE webhook_subscriptions
			SET url = $3, event_types = $4, disabled = $5, failing = $6, last_error = $7, updated_at = $8
			WHERE tenant_id = $1 AND id = $2 RETURNING `+subscriptionColumns,
			sub.TenantID, sub.ID, sub.URL, strings.Join(sub.EventTypes, " "), sub.Disabled, sub.Failing, sub.LastError, sub.UpdatedAt))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	return out, storeError("update webhook subscription", err)
}

// DeleteSubscription removes a subscription with its log and remote ids.
func (s *Store) DeleteSubscription(ctx context.Context, tenantID, id int64, ev directory.Event) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return errNoSubscription
		}
		ev.ObjectID = strconv.FormatInt(id, 10)
		return insertEvent(ctx, tx, ev)
	})
	return storeError("delete webhook subscription", err)
}

// ActiveSubscriptions returns every tenant's enabled, healthy subscriptions.
func (s *Store) ActiveSubscriptions(ctx context.Context) ([]directory.Subscription, error) {
	return query(ctx, s, "list active webhook subscriptions", scanSubscription, `SELECT `+subscriptionColumns+` FROM webhook_subscriptions
		WHERE NOT disabled AND NOT failing ORDER BY id`)
}

// RecordDeliveries logs ds and moves their subscription on (see
// directory.WebhookStore).
func (s *Store) RecordDeliveries(ctx context.Context, ds []directory.Delivery, remotes []directory.RemoteID) error {
	if len(ds) == 0 {
		return nil
	}
	// Every statement goes in one batch, one round trip: the write joins
	// a group commit with the API's writes (commit.go), which wait for it.
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		extra := make([]bool, len(ds)) // whether d queued a remote id too
		for i, d := range ds {
			var remote directory.RemoteID
			if remotes != nil {
				remote = remotes[i]
			}
			extra[i] = queueDelivery(b, d, remote)
		}
		b.Queue(`DELETE FROM webhook_deliveries WHERE subscription_id = $1 AND id <=
			(SELECT id FROM webhook_deliveries WHERE subscription_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)`,
			ds[0].SubscriptionID, directory.MaxDeliveryLog)
		results := tx.SendBatch(ctx, b)
		defer results.Close()
		for i := range ds {
			tag, err := results.Exec()
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 0 {
				return errNoSubscription
			}
			n := 1 // the log entry
			if extra[i] {
				n++
			}
			for range n {
				if _, err := results.Exec(); err != nil {
					return err
				}
			}
		}
		return results.Close()
	})
	return storeError("record webhook deliveries", err)
}

// queueDelivery queues the statements that record d: the subscription's
// position (or failing mark), the log entry and, for a OneAccess create,
// the application's id. It reports whether it queued the last.
func queueDelivery(b *pgx.Batch, d directory.Delivery, remote directory.RemoteID) (withRemote bool) {
	if d.Status == directory.Delivered {
		b.Queue(`UPDATE webhook_subscriptions SET position = greatest(position, $3), last_error = ''
			WHERE tenant_id = $1 AND id = $2`, d.TenantID, d.SubscriptionID, d.Position)
	} else {
		b.Queue(`UPDATE webhook_subscriptions SET failing = true, last_error = $3
			WHERE tenant_id = $1 AND id = $2`, d.TenantID, d.SubscriptionID, d.Error)
	}
	b.Queue(`INSERT INTO webhook_deliveries (tenant_id, subscription_id, message_id, position, event_type, status, status_code, attempts, latency_us, error, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, d.TenantID, d.SubscriptionID, d.MessageID, d.Position, d.EventType, string(d.Status),
		d.StatusCode, d.Attempts, d.Latency.Microseconds(), d.Error, d.Time)
	if d.Status == directory.Delivered && remote.ID != "" {
		b.Queue(`INSERT INTO webhook_remote_ids (subscription_id, object_type, object_id, remote_id) VALUES ($1, $2, $3, $4)
			ON CONFLICT (subscription_id, object_type, object_id) DO UPDATE SET remote_id = excluded.remote_id`,
			d.SubscriptionID, remote.ObjectType, remote.ObjectID, remote.ID)
		return true
	}
	return false
}

func scanDelivery(row pgx.Row) (directory.Delivery, error) {
	var (
		d       directory.Delivery
		latency int64
	)
	err := row.Scan(&d.ID, &d.TenantID, &d.SubscriptionID, &d.MessageID, &d.Position, &d.EventType, &d.Status, &d.StatusCode, &d.Attempts, &latency, &d.Error, &d.Time)
	d.Latency = time.Duration(latency) * time.Microsecond
	d.Time = d.Time.UTC()
	return d, err
}

// Deliveries returns a page of a subscription's delivery log.
func (s *Store) Deliveries(ctx context.Context, tenantID, subscriptionID, afterID int64, limit int) ([]directory.Delivery, error) {
	return query(ctx, s, "list webhook deliveries", scanDelivery, `SELECT id, tenant_id, subscription_id, message_id, position, event_type, status, status_code, attempts, latency_us, error, at
		FROM webhook_deliveries WHERE tenant_id = $1 AND subscription_id = $2 AND id > $3 ORDER BY id LIMIT $4`, tenantID, subscriptionID, afterID, limit)
}

// RemoteID returns the id an application gave an object, or "".
func (s *Store) RemoteID(ctx context.Context, tenantID, subscriptionID int64, objectType string, objectID int64) (string, error) {
	var id string
	err := s.pool.QueryRow(ctx, `SELECT r.remote_id FROM webhook_remote_ids r JOIN webhook_subscriptions s ON s.id = r.subscription_id
		WHERE s.tenant_id = $1 AND r.subscription_id = $2 AND r.object_type = $3 AND r.object_id = $4`, tenantID, subscriptionID, objectType, objectID).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	return id, storeError("read remote id", err)
}

// AcquireLease takes or renews a lease (see directory.WebhookStore). The
// row lock of the upsert serialises nodes racing for it.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	var got string
	err := s.pool.QueryRow(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.holder = excluded.holder OR leases.expires_at < $4
		RETURNING holder`, name, holder, now.Add(ttl), now).Scan(&got)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return got == holder, storeError("acquire lease", err)
}
