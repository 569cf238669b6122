-- The change log (docs/api/changes.md): one row per user or org created,
-- updated or deleted, written in the transaction of the change. Positions
-- are per tenant, handed out from change_heads.last in the writing
-- transaction; SQLite has one writer, so they follow commit order.
-- change_pruned remembers the newest position retention deleted, so a
-- reader behind it is told to resync instead of skipping entries.

-- +goose Up
CREATE TABLE change_heads (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    last      INTEGER NOT NULL
);

CREATE TABLE change_pruned (
    tenant_id INTEGER PRIMARY KEY REFERENCES tenants (id),
    position  INTEGER NOT NULL
);

CREATE TABLE changes (
    tenant_id   INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    object_type TEXT NOT NULL,
    object_id   INTEGER NOT NULL,
    op          TEXT NOT NULL,
    version     INTEGER NOT NULL,
    -- A JSON array of field names; never values.
    fields      TEXT NOT NULL,
    time        INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, position)
) WITHOUT ROWID;
CREATE INDEX changes_time ON changes (time);

-- +goose Down
DROP TABLE changes;
DROP TABLE change_pruned;
DROP TABLE change_heads;
