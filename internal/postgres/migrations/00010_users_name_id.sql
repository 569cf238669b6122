-- The name prefix index with the user's id after the name, so a page of a
-- name search (ordered by lower(name) ~<~, then id) comes in order from
-- the index alone. Without the id, users sharing a name came out of the
-- index unordered and the planner sorted each group of equal names: a
-- name many users share was read whole for every page that touched it.
-- The index keeps its name, so plans and tests that name it still hold.

-- +goose Up
CREATE INDEX users_name_prefix_id_idx ON users (tenant_id, lower(name) text_pattern_ops, id);
DROP INDEX users_name_prefix_idx;
ALTER INDEX users_name_prefix_id_idx RENAME TO users_name_prefix_idx;
ANALYZE users;

-- +goose Down
CREATE INDEX users_name_prefix_noid_idx ON users (tenant_id, lower(name) text_pattern_ops);
DROP INDEX users_name_prefix_idx;
ALTER INDEX users_name_prefix_noid_idx RENAME TO users_name_prefix_idx;
