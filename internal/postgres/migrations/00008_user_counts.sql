-- Maintained user counts, for page-number listings (OneAccess's ListUsers:
-- a total and an offset) that must not count or skip a large tenant's
-- users per request. Rows per tenant (org_id 0: every user) or org (its
-- members) and block of 4096 user ids (first_id, a multiple of 4096): how
-- many of those users there are. The sum of a selection's rows is its
-- total; adding the rows up block by block finds the block holding the
-- n-th user, and only that block's index entries are skipped to reach it.
--
-- Statement triggers keep the rows in the transaction of every insert and
-- delete of users and user_orgs, whichever path writes them (create, bulk
-- import, COPY, update of memberships, delete): no store method can
-- forget them, and a statement of many rows (an import) upserts one row
-- per block, not one per user. Concurrent writers would all add to the
-- newest block's row and wait on each other's row lock until commit, so
-- each block has up to 16 shard rows, picked by the writing backend:
-- writers on different connections mostly touch different rows, and
-- readers add the shards up (a few hundred rows for a million users).
-- Rows are upserted in key order, so two writers that do share a shard
-- take the locks in the same order.

-- +goose Up
CREATE TABLE user_counts (
    tenant_id bigint NOT NULL,
    org_id    bigint NOT NULL,
    first_id  bigint NOT NULL,
    shard     smallint NOT NULL,
    n         bigint NOT NULL,
    CONSTRAINT user_counts_pkey PRIMARY KEY (tenant_id, org_id, first_id, shard)
);

INSERT INTO user_counts (tenant_id, org_id, first_id, shard, n)
    SELECT tenant_id, 0, id - id % 4096, 0, count(*) FROM users GROUP BY 1, 3;
INSERT INTO user_counts (tenant_id, org_id, first_id, shard, n)
    SELECT tenant_id, org_id, user_id - user_id % 4096, 0, count(*) FROM user_orgs GROUP BY 1, 2, 3;

-- The org page seeks its members by user id.
CREATE INDEX user_orgs_org_user_idx ON user_orgs (tenant_id, org_id, user_id);
DROP INDEX user_orgs_org_idx;

-- +goose StatementBegin
CREATE FUNCTION count_users() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_counts AS c (tenant_id, org_id, first_id, shard, n)
        SELECT tenant_id, 0, id - id % 4096, pg_backend_pid() % 16,
            CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
        FROM changed GROUP BY 1, 3 ORDER BY 1, 3
        ON CONFLICT (tenant_id, org_id, first_id, shard) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_user_orgs() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_counts AS c (tenant_id, org_id, first_id, shard, n)
        SELECT tenant_id, org_id, user_id - user_id % 4096, pg_backend_pid() % 16,
            CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
        FROM changed GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
        ON CONFLICT (tenant_id, org_id, first_id, shard) DO UPDATE SET n = c.n + excluded.n;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- Users and memberships are counted on insert and delete only; an update
-- that moved one to another tenant, id, user or org would leave the counts
-- wrong, so none is allowed.
-- +goose StatementBegin
CREATE FUNCTION refuse_counted_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%: a row keeps its tenant, user and org, so user_counts stays true; delete and insert it instead', TG_TABLE_NAME;
END $$;
-- +goose StatementEnd

CREATE TRIGGER users_count_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_users();
CREATE TRIGGER users_count_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_users();
CREATE TRIGGER users_count_update BEFORE UPDATE OF tenant_id, id ON users
    FOR EACH ROW WHEN (old.tenant_id <> new.tenant_id OR old.id <> new.id) EXECUTE FUNCTION refuse_counted_move();
CREATE TRIGGER user_orgs_count_insert AFTER INSERT ON user_orgs
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_user_orgs();
CREATE TRIGGER user_orgs_count_delete AFTER DELETE ON user_orgs
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_user_orgs();
CREATE TRIGGER user_orgs_count_update BEFORE UPDATE OF tenant_id, user_id, org_id ON user_orgs
    FOR EACH ROW WHEN (old.tenant_id <> new.tenant_id OR old.user_id <> new.user_id OR old.org_id <> new.org_id)
    EXECUTE FUNCTION refuse_counted_move();

-- +goose Down
DROP TRIGGER user_orgs_count_update ON user_orgs;
DROP TRIGGER user_orgs_count_delete ON user_orgs;
DROP TRIGGER user_orgs_count_insert ON user_orgs;
DROP TRIGGER users_count_update ON users;
DROP TRIGGER users_count_delete ON users;
DROP TRIGGER users_count_insert ON users;
DROP FUNCTION refuse_counted_move();
DROP FUNCTION count_user_orgs();
DROP FUNCTION count_users();
CREATE INDEX user_orgs_org_idx ON user_orgs (tenant_id, org_id);
DROP INDEX user_orgs_org_user_idx;
DROP TABLE user_counts;
