-- Webhook subscriptions (issue 12): where a tenant's change events go, the
-- log of their deliveries, the ids applications gave objects in answer to
-- OneAccess create callbacks, and the lease that lets one node deliver at a
-- time. The secrets are stored as given: every delivery is signed with them.

-- +goose Up
CREATE TABLE webhook_subscriptions (
    id             bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    url            text NOT NULL,
    format         text NOT NULL,
    event_types    text NOT NULL,
    secret         text NOT NULL,
    token          text NOT NULL,
    encryption_key text NOT NULL,
    disabled       boolean NOT NULL,
    failing        boolean NOT NULL,
    last_error     text NOT NULL,
    position       bigint NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    UNIQUE (tenant_id, id)
);

CREATE TABLE webhook_deliveries (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id       bigint NOT NULL,
    subscription_id bigint NOT NULL,
    message_id      text NOT NULL,
    position        bigint NOT NULL,
    event_type      text NOT NULL,
    status          text NOT NULL,
    status_code     integer NOT NULL,
    attempts        integer NOT NULL,
    latency_us      bigint NOT NULL,
    error           text NOT NULL,
    at              timestamptz NOT NULL,
    FOREIGN KEY (tenant_id, subscription_id) REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, id);

CREATE TABLE webhook_remote_ids (
    subscription_id bigint NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    object_type     text NOT NULL,
    object_id       bigint NOT NULL,
    remote_id       text NOT NULL,
    PRIMARY KEY (subscription_id, object_type, object_id)
);

CREATE TABLE leases (
    name       text PRIMARY KEY,
    holder     text NOT NULL,
    expires_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE leases;
DROP TABLE webhook_remote_ids;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_subscriptions;
