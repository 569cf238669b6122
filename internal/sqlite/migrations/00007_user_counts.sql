-- Maintained user counts, for page-number listings (OneAccess's ListUsers:
-- a total and an offset) that must not count or skip a large tenant's
-- users per request. One row per tenant (org_id 0: every user) or org
-- (its members) and block of 4096 user ids (first_id, a multiple of 4096):
-- how many of those users there are. The sum of a selection's rows is its
-- total; adding the rows up block by block finds the block holding the
-- n-th user, and only that block's index entries are skipped to reach it.
--
-- Triggers keep the rows in the transaction of every insert and delete
-- of a user or membership, whichever path writes it (create, bulk import,
-- update of memberships, delete): no store method can forget them. SQLite
-- has one writer, so one row per block is enough.

-- +goose Up
CREATE TABLE user_counts (
    tenant_id INTEGER NOT NULL,
    org_id    INTEGER NOT NULL,
    first_id  INTEGER NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, org_id, first_id)
) WITHOUT ROWID;

INSERT INTO user_counts (tenant_id, org_id, first_id, n)
    SELECT tenant_id, 0, id - id % 4096, count(*) FROM users GROUP BY 1, 3;
INSERT INTO user_counts (tenant_id, org_id, first_id, n)
    SELECT tenant_id, org_id, user_id - user_id % 4096, count(*) FROM memberships GROUP BY 1, 2, 3;

-- +goose StatementBegin
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_counts (tenant_id, org_id, first_id, n) VALUES (new.tenant_id, 0, new.id - new.id % 4096, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE user_counts SET n = n - 1 WHERE tenant_id = old.tenant_id AND org_id = 0 AND first_id = old.id - old.id % 4096;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER memberships_count_insert AFTER INSERT ON memberships BEGIN
    INSERT INTO user_counts (tenant_id, org_id, first_id, n) VALUES (new.tenant_id, new.org_id, new.user_id - new.user_id % 4096, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER memberships_count_delete AFTER DELETE ON memberships BEGIN
    UPDATE user_counts SET n = n - 1
        WHERE tenant_id = old.tenant_id AND org_id = old.org_id AND first_id = old.user_id - old.user_id % 4096;
END;
-- +goose StatementEnd

-- Users and memberships are counted on insert and delete only; an update
-- that moved one to another tenant, id, user or org would leave the counts
-- wrong, so none is allowed.
-- +goose StatementBegin
CREATE TRIGGER users_count_update BEFORE UPDATE OF tenant_id, id ON users BEGIN
    SELECT RAISE(ABORT, 'users: a user keeps its tenant and id, so user_counts stays true');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER memberships_count_update BEFORE UPDATE OF tenant_id, user_id, org_id ON memberships BEGIN
    SELECT RAISE(ABORT, 'memberships: move a membership by deleting and inserting it, so user_counts stays true');
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER memberships_count_update;
DROP TRIGGER users_count_update;
DROP TRIGGER memberships_count_delete;
DROP TRIGGER memberships_count_insert;
DROP TRIGGER users_count_delete;
DROP TRIGGER users_count_insert;
DROP TABLE user_counts;
