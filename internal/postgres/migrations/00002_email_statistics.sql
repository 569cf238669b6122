-- Statistics on lower(email), which the planner does not take from the
-- email indexes because they are partial (WHERE email IS NOT NULL). Without
-- them it guessed that an email prefix matches 0.5% of the users, and at
-- 10M users listed a page by walking the users in id order, for seconds,
-- instead of reading the few matches through users_email_prefix_idx.
-- lower(username) and lower(name) have theirs from their full indexes.

-- +goose Up
CREATE STATISTICS users_email_lower_stats ON (lower(email)) FROM users;
ANALYZE users;

-- +goose Down
DROP STATISTICS users_email_lower_stats;
