-- The change log (docs/api/changes.md): one entry per user or org created,
-- updated or deleted, written in the transaction of the change.
--
-- Positions follow commit order, which a sequence alone cannot give: its
-- values are handed out at insert, so a transaction holding 5 can commit
-- after one holding 6, and a reader that saw 6 and pages "after 6" would
-- skip 5 for ever. So a write only queues its entries (change_queue, seq
-- from a sequence, no lock taken), and positions are given later, to
-- committed entries only, by one sequencer at a time per tenant (it holds
-- the tenant's change_heads row): it moves the queued entries it can see,
-- all committed, into changes at the tenant's next positions, in seq order.
-- An entry committed later gets a later position, so a reader paging by
-- position skips nothing. seq order among the committed entries respects
-- every change that saw another's result: an entry is queued before its
-- transaction commits, and one that saw that commit is queued after it.
-- change_pruned remembers the newest position retention deleted, so a
-- reader behind it is told to resync instead of skipping entries.

-- +goose Up
CREATE TABLE change_queue (
    seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id   bigint NOT NULL,
    object_type text NOT NULL,
    object_id   bigint NOT NULL,
    op          text NOT NULL,
    version     bigint NOT NULL,
    -- Field names; never values.
    fields      text[] NOT NULL,
    time        timestamptz NOT NULL
);
CREATE INDEX change_queue_tenant ON change_queue (tenant_id, seq);

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
    fields      text[] NOT NULL,
    time        timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, position)
);
CREATE INDEX changes_time ON changes (time);

-- +goose Down
DROP TABLE changes;
DROP TABLE change_pruned;
DROP TABLE change_heads;
DROP TABLE change_queue;
