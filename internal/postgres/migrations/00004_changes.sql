-- The change log (docs/api/changes.md): one row per user or org created,
-- updated or deleted, written in the transaction of the change.
--
-- Positions are per tenant and follow commit order. A sequence would not:
-- its values are handed out at insert, so a transaction holding position 5
-- can commit after one holding 6, and a reader that saw 6 and pages "after
-- 6" would skip 5 for ever. Instead each writing transaction takes its
-- positions from change_heads.last with INSERT ... ON CONFLICT DO UPDATE as
-- its last statement: the row lock on the tenant's head is held until the
-- transaction ends, so the next writer of the tenant gets the next positions
-- only once this one's commit is visible.
-- change_pruned remembers the newest position retention deleted, so a
-- reader behind it is told to resync instead of skipping entries.

-- +goose Up
CREATE TABLE change_heads (
    tenant_id bigint PRIMARY KEY REFERENCES tenants (id),
    last      bigint NOT NULL
);

CREATE TABLE change_pruned (
    tenant_id bigint PRIMARY KEY REFERENCES tenants (id),
    position  bigint NOT NULL
);

CREATE TABLE changes (
    tenant_id   bigint NOT NULL,
    position    bigint NOT NULL,
    object_type text NOT NULL,
    object_id   bigint NOT NULL,
    op          text NOT NULL,
    version     bigint NOT NULL,
    -- Field names; never values.
    fields      text[] NOT NULL,
    time        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, position)
);
CREATE INDEX changes_time ON changes (time);

-- +goose Down
DROP TABLE changes;
DROP TABLE change_pruned;
DROP TABLE change_heads;
