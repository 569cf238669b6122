-- Webhook subscriptions (issue 12): where a tenant's change events go, the
-- log of their deliveries, the ids applications gave objects in answer to
-- OneAccess create callbacks, and the lease that lets one node deliver at a
-- time. The secrets are stored as given: every delivery is signed with them.

-- +goose Up
CREATE TABLE webhook_subscriptions (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id      INTEGER NOT NULL REFERENCES tenants (id),
    url            TEXT NOT NULL,
    format         TEXT NOT NULL,
    event_types    TEXT NOT NULL,
    secret         TEXT NOT NULL,
    token          TEXT NOT NULL,
    encryption_key TEXT NOT NULL,
    disabled       INTEGER NOT NULL,
    failing        INTEGER NOT NULL,
    last_error     TEXT NOT NULL,
    position       INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id       INTEGER NOT NULL,
    subscription_id INTEGER NOT NULL,
    message_id      TEXT NOT NULL,
    position        INTEGER NOT NULL,
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL,
    status_code     INTEGER NOT NULL,
    attempts        INTEGER NOT NULL,
    latency_us      INTEGER NOT NULL,
    error           TEXT NOT NULL,
    at              INTEGER NOT NULL,
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

CREATE TABLE webhook_remote_ids (
    subscription_id INTEGER NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    object_type     TEXT NOT NULL,
    object_id       INTEGER NOT NULL,
    remote_id       TEXT NOT NULL,
    PRIMARY KEY (subscription_id, object_type, object_id)
);

CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP TABLE webhook_remote_ids;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
