-- Every email of every user, one row each, so that a filter on any of a
-- user's emails (SCIM emails.value, emails.type, emails[...]) reads an
-- index rather than each user's other_emails list. position 0 is the
-- primary email (users.email, email_type); 1 to 9 are the others, in the
-- order of users.other_emails. value_lower is the value lowercased as userd
-- lowercases (users.email_lower for the primary one; userd_lower, the
-- function the store registers with the driver, for the others), so the
-- table answers case-insensitive comparisons as users_email does.
--
-- Triggers rebuild a user's rows in the transaction of every insert of a
-- user and every change of its emails, whichever path writes it (create,
-- bulk import, update, PATCH), and delete them with the user: no store
-- method can forget them. The triggers call userd_lower, so the users
-- table is written through userd only (a sqlite3 shell can read it).

-- +goose Up
CREATE TABLE user_emails (
    tenant_id   INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    value       TEXT NOT NULL,
    value_lower TEXT NOT NULL,
    type        TEXT NOT NULL,
    is_primary  INTEGER NOT NULL,
    PRIMARY KEY (user_id, position)
) WITHOUT ROWID;

INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
    SELECT tenant_id, id, 0, email, email_lower, email_type, 1 FROM users WHERE email IS NOT NULL;
INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
    SELECT u.tenant_id, u.id, e.key + 1, e.value ->> 'value', userd_lower(e.value ->> 'value'), coalesce(e.value ->> 'type', ''), 0
    FROM users u, json_each(u.other_emails) e WHERE u.other_emails <> '[]';

-- Equality and prefix ranges on the lowercased value read this index;
-- with the user id last, its matches come in id order per value.
CREATE INDEX user_emails_value ON user_emails (tenant_id, value_lower, user_id);

-- +goose StatementBegin
CREATE TRIGGER user_emails_insert AFTER INSERT ON users BEGIN
    INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
        SELECT new.tenant_id, new.id, 0, new.email, new.email_lower, new.email_type, 1 WHERE new.email IS NOT NULL;
    INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
        SELECT new.tenant_id, new.id, e.key + 1, e.value ->> 'value', userd_lower(e.value ->> 'value'), coalesce(e.value ->> 'type', ''), 0
        FROM json_each(new.other_emails) e WHERE new.other_emails <> '[]';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_emails_update AFTER UPDATE OF email, email_lower, email_type, other_emails ON users
WHEN old.email IS NOT new.email OR old.email_lower IS NOT new.email_lower OR old.email_type IS NOT new.email_type
    OR old.other_emails IS NOT new.other_emails BEGIN
    DELETE FROM user_emails WHERE user_id = new.id;
    INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
        SELECT new.tenant_id, new.id, 0, new.email, new.email_lower, new.email_type, 1 WHERE new.email IS NOT NULL;
    INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
        SELECT new.tenant_id, new.id, e.key + 1, e.value ->> 'value', userd_lower(e.value ->> 'value'), coalesce(e.value ->> 'type', ''), 0
        FROM json_each(new.other_emails) e WHERE new.other_emails <> '[]';
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER user_emails_delete AFTER DELETE ON users BEGIN
    DELETE FROM user_emails WHERE user_id = old.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER user_emails_delete;
DROP TRIGGER user_emails_update;
DROP TRIGGER user_emails_insert;
DROP TABLE user_emails;
