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
-- of parent_id) and delete of an org: no store method can forget them.
-- They run after the store's tree checks, under the tenant's tree lock
-- (shared for creates and deletes, which change no other org's place;
-- exclusive for moves), so a move never interleaves with a write below
-- it. A move rewrites the moved org's subtree's rows (its size times the
-- levels above it). Counts are upserted in key order, so writers that
-- share a row take the row locks in one order.

-- +goose Up
CREATE TABLE org_tree (
    tenant_id   bigint NOT NULL,
    ancestor_id bigint NOT NULL,
    depth       integer NOT NULL,
    org_id      bigint NOT NULL,
    CONSTRAINT org_tree_pkey PRIMARY KEY (tenant_id, ancestor_id, depth, org_id)
);
-- An org's ancestors, for writes.
CREATE INDEX org_tree_org_idx ON org_tree (tenant_id, org_id);
-- The tenant's orgs in id order, for the listing of every org but the roots.
CREATE INDEX org_tree_tenant_idx ON org_tree (tenant_id, org_id, depth) WHERE ancestor_id = 0;

CREATE TABLE org_counts (
    tenant_id   bigint NOT NULL,
    ancestor_id bigint NOT NULL,
    depth       integer NOT NULL,
    first_id    bigint NOT NULL,
    n           bigint NOT NULL,
    CONSTRAINT org_counts_pkey PRIMARY KEY (tenant_id, ancestor_id, depth, first_id)
);

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

-- The console and the admin API page an org's children, and the roots, by
-- id: each page one index range, however many siblings there are.
CREATE INDEX orgs_parent_id_idx ON orgs (tenant_id, parent_id, id) WHERE parent_id IS NOT NULL;
DROP INDEX orgs_parent_idx;
CREATE INDEX orgs_root_idx ON orgs (tenant_id, id) WHERE parent_id IS NULL;

-- +goose StatementBegin
CREATE FUNCTION org_tree_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO org_tree (tenant_id, ancestor_id, depth, org_id)
            SELECT new.tenant_id, ancestor_id, depth + 1, new.id FROM org_tree
                WHERE tenant_id = new.tenant_id AND org_id = new.parent_id
            UNION ALL SELECT new.tenant_id, 0, 1, new.id WHERE new.parent_id IS NULL
            UNION ALL SELECT new.tenant_id, new.id, 0, new.id;
    ELSIF TG_OP = 'DELETE' THEN
        -- An org is deleted only without children, so only its own rows go.
        DELETE FROM org_tree WHERE tenant_id = old.tenant_id AND org_id = old.id;
    ELSIF old.tenant_id <> new.tenant_id OR old.id <> new.id THEN
        RAISE EXCEPTION 'orgs: an org keeps its tenant and id, so org_tree stays true';
    ELSIF old.parent_id IS DISTINCT FROM new.parent_id THEN
        -- A move cuts the subtree from the orgs above the org, then hangs
        -- it below the new parent's ancestors (or the tenant).
        DELETE FROM org_tree WHERE tenant_id = new.tenant_id
            AND org_id IN (SELECT org_id FROM org_tree WHERE tenant_id = new.tenant_id AND ancestor_id = new.id)
            AND ancestor_id IN (SELECT ancestor_id FROM org_tree WHERE tenant_id = new.tenant_id AND org_id = new.id AND depth > 0);
        INSERT INTO org_tree (tenant_id, ancestor_id, depth, org_id)
            SELECT new.tenant_id, a.ancestor_id, a.depth + 1 + s.depth, s.org_id
            FROM (SELECT ancestor_id, depth FROM org_tree WHERE tenant_id = new.tenant_id AND org_id = new.parent_id
                  UNION ALL SELECT 0, 0 WHERE new.parent_id IS NULL) AS a,
                 (SELECT depth, org_id FROM org_tree WHERE tenant_id = new.tenant_id AND ancestor_id = new.id) AS s;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION count_org_tree() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO org_counts AS c (tenant_id, ancestor_id, depth, first_id, n)
        SELECT tenant_id, ancestor_id, depth, org_id - org_id % 1024,
            CASE TG_OP WHEN 'INSERT' THEN count(*) ELSE -count(*) END
        FROM changed GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_id, ancestor_id, depth, first_id) DO UPDATE SET n = c.n + excluded.n;
    IF TG_OP = 'DELETE' THEN
        -- A block's row goes when its count reaches 0, so moves and deletes
        -- leave no empty rows for readers to add up.
        DELETE FROM org_counts c USING (SELECT DISTINCT tenant_id, ancestor_id, depth, org_id - org_id % 1024 AS first_id FROM changed) d
            WHERE c.tenant_id = d.tenant_id AND c.ancestor_id = d.ancestor_id AND c.depth = d.depth
              AND c.first_id = d.first_id AND c.n = 0;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER orgs_tree AFTER INSERT OR DELETE OR UPDATE OF tenant_id, id, parent_id ON orgs
    FOR EACH ROW EXECUTE FUNCTION org_tree_write();
CREATE TRIGGER org_tree_count_insert AFTER INSERT ON org_tree
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_org_tree();
CREATE TRIGGER org_tree_count_delete AFTER DELETE ON org_tree
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION count_org_tree();

-- +goose Down
DROP TRIGGER org_tree_count_delete ON org_tree;
DROP TRIGGER org_tree_count_insert ON org_tree;
DROP TRIGGER orgs_tree ON orgs;
DROP FUNCTION count_org_tree();
DROP FUNCTION org_tree_write();
DROP INDEX orgs_root_idx;
CREATE INDEX orgs_parent_idx ON orgs (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
DROP INDEX orgs_parent_id_idx;
DROP TABLE org_counts;
DROP TABLE org_tree;
