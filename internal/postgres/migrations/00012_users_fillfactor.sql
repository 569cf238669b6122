-- Room on each page of users for a row's next version, so an update that
-- changes no indexed column (a PATCH of city and grade, say) is a HOT
-- update: the new version goes on the same page, and no index of users
-- gets a new entry. On full pages, as COPY and a fresh import leave them,
-- the new version went to another page and every one of the table's
-- indexes got an entry; the bench's PATCH was HOT four times in ten.
-- 85 leaves about 1.2 kB of each 8 kB page free: two or three versions
-- of a typical row, which page pruning reclaims as the page fills.
--
-- The setting applies to pages written from now on. An existing table's
-- pages stay as full as they are until the table is rewritten (VACUUM
-- FULL, CLUSTER or pg_repack); migrate does not rewrite it. See
-- docs/operations.md.

-- +goose Up
ALTER TABLE users SET (fillfactor = 85);

-- +goose Down
ALTER TABLE users RESET (fillfactor);
