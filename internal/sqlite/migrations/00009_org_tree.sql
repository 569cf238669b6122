-- The org tree's ancestry and its counts, for page-number listings of a
-- subtree (OneAccess's ListOrganizations: a total and an offset) that must
-- not read a large tenant's tree per request.
--
-- org_tree has one row per org and each org at or above it: ancestor_id is
-- the org above (0: the tenant, above every root org), depth how many
-- levels down from it the org sits (0: the org itself; a root org is at
-- depth 1 below the tenant). An org's subtree, level by level and each
-- level in id order, is one index range of the primary key. The tree is at
-- most 64 levels deep, so an org has at most 65 rows.
--
-- org_counts has, per ancestor, depth and block of 1024 org ids (first_id,
-- a multiple of 1024), how many rows org_tree has: a selection's total is
-- the sum of its rows, and adding them up in order finds the block holding
-- the n-th org, so only that block's index entries are skipped to reach it.
-- Blocks are smaller than user_counts' 4096: a tenant has far fewer orgs
-- than users, so the rows to add up stay few (about 20 a level for 20,000
-- orgs) while the skip stays short.
--
-- Triggers keep both in the transaction of every insert, move (an update
-- of parent_id) and delete of an org, after the store's tree checks ran in
-- that transaction: no store method can forget them. A move rewrites the
-- moved org's subtree's rows (its size times the levels above it).

-- +goose Up
CREATE TABLE org_tree (
    tenant_id   INTEGER NOT NULL,
    ancestor_id INTEGER NOT NULL,
    depth       INTEGER NOT NULL,
    org_id      INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, ancestor_id, depth, org_id)
) WITHOUT ROWID;
-- An org's ancestors, for writes.
CREATE INDEX org_tree_org ON org_tree (tenant_id, org_id);
-- The tenant's orgs in id order, for the listing of every org but the roots.
CREATE INDEX org_tree_tenant ON org_tree (tenant_id, org_id, depth) WHERE ancestor_id = 0;

CREATE TABLE org_counts (
    tenant_id   INTEGER NOT NULL,
    ancestor_id INTEGER NOT NULL,
    depth       INTEGER NOT NULL,
    first_id    INTEGER NOT NULL,
    n           INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, ancestor_id, depth, first_id)
) WITHOUT ROWID;

INSERT INTO org_tree (tenant_id, ancestor_id, depth, org_id)
    WITH RECURSIVE up (tenant_id, org_id, ancestor_id, depth) AS (
        SELECT tenant_id, id, id, 0 FROM orgs
        UNION ALL
        SELECT up.tenant_id, up.org_id, coalesce(o.parent_id, 0), up.depth + 1
            FROM up JOIN orgs o ON o.tenant_id = up.tenant_id AND o.id = up.ancestor_id
            WHERE up.depth < 64)
    SELECT tenant_id, ancestor_id, depth, org_id FROM up;
INSERT INTO org_counts (tenant_id, ancestor_id, depth, first_id, n)
    SELECT tenant_id, ancestor_id, depth, org_id - org_id % 1024, count(*) FROM org_tree GROUP BY 1, 2, 3, 4;

-- +goose StatementBegin
CREATE TRIGGER orgs_tree_insert AFTER INSERT ON orgs BEGIN
    INSERT INTO org_tree (tenant_id, ancestor_id, depth, org_id)
        SELECT new.tenant_id, ancestor_id, depth + 1, new.id FROM org_tree
            WHERE tenant_id = new.tenant_id AND org_id = new.parent_id
        UNION ALL SELECT new.tenant_id, 0, 1, new.id WHERE new.parent_id IS NULL
        UNION ALL SELECT new.tenant_id, new.id, 0, new.id;
END;
-- +goose StatementEnd

-- A move cuts the org's subtree from the orgs above the org, then hangs it
-- below the new parent's ancestors (or the tenant, for a new root).
-- +goose StatementBegin
CREATE TRIGGER orgs_tree_move AFTER UPDATE OF parent_id ON orgs WHEN old.parent_id IS NOT new.parent_id BEGIN
    DELETE FROM org_tree WHERE tenant_id = new.tenant_id
        AND org_id IN (SELECT org_id FROM org_tree WHERE tenant_id = new.tenant_id AND ancestor_id = new.id)
        AND ancestor_id IN (SELECT ancestor_id FROM org_tree WHERE tenant_id = new.tenant_id AND org_id = new.id AND depth > 0);
    INSERT INTO org_tree (tenant_id, ancestor_id, depth, org_id)
        SELECT new.tenant_id, a.ancestor_id, a.depth + 1 + s.depth, s.org_id
        FROM (SELECT ancestor_id, depth FROM org_tree WHERE tenant_id = new.tenant_id AND org_id = new.parent_id
              UNION ALL SELECT 0, 0 WHERE new.parent_id IS NULL) AS a,
             (SELECT depth, org_id FROM org_tree WHERE tenant_id = new.tenant_id AND ancestor_id = new.id) AS s;
END;
-- +goose StatementEnd

-- An org is deleted only without children, so only its own rows go.
-- +goose StatementBegin
CREATE TRIGGER orgs_tree_delete AFTER DELETE ON orgs BEGIN
    DELETE FROM org_tree WHERE tenant_id = old.tenant_id AND org_id = old.id;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER orgs_tree_refuse BEFORE UPDATE OF tenant_id, id ON orgs WHEN old.tenant_id <> new.tenant_id OR old.id <> new.id BEGIN
    SELECT RAISE(ABORT, 'orgs: an org keeps its tenant and id, so org_tree stays true');
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER org_tree_count_insert AFTER INSERT ON org_tree BEGIN
    INSERT INTO org_counts (tenant_id, ancestor_id, depth, first_id, n)
        VALUES (new.tenant_id, new.ancestor_id, new.depth, new.org_id - new.org_id % 1024, 1)
        ON CONFLICT DO UPDATE SET n = n + 1;
END;
-- +goose StatementEnd

-- A block's row goes when its count reaches 0, so moves and deletes leave
-- no empty rows for readers to add up.
-- +goose StatementBegin
CREATE TRIGGER org_tree_count_delete AFTER DELETE ON org_tree BEGIN
    UPDATE org_counts SET n = n - 1 WHERE tenant_id = old.tenant_id AND ancestor_id = old.ancestor_id
        AND depth = old.depth AND first_id = old.org_id - old.org_id % 1024;
    DELETE FROM org_counts WHERE tenant_id = old.tenant_id AND ancestor_id = old.ancestor_id
        AND depth = old.depth AND first_id = old.org_id - old.org_id % 1024 AND n = 0;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER org_tree_count_delete;
DROP TRIGGER org_tree_count_insert;
DROP TRIGGER orgs_tree_refuse;
DROP TRIGGER orgs_tree_delete;
DROP TRIGGER orgs_tree_move;
DROP TRIGGER orgs_tree_insert;
DROP TABLE org_counts;
DROP TABLE org_tree;
