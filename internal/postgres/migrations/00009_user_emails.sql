-- Every email of every user, one row each, so that a filter on any of a
-- user's emails (SCIM emails.value, emails.type, emails[...]) reads an
-- index rather than each user's other_emails list. position 0 is the
-- primary email (users.email, email_type); 1 to 9 are the others, in the
-- order of users.other_emails. value_lower is lower(value), as the users
-- indexes on lower(email) have it.
--
-- Triggers keep the rows in the transaction of every insert, delete and
-- change of emails of a user, whichever path writes it (create, bulk
-- import, COPY, update, PATCH): no store method can forget them. Inserts
-- and deletes are statement triggers, so an import of many users writes
-- its emails in one statement; a change of emails is a row trigger that
-- fires only when the emails changed (transition tables do not combine
-- with a column list), and rebuilds that user's rows. The user's row lock,
-- which an UPDATE holds until commit, orders concurrent changes of one
-- user's emails.

-- +goose Up
CREATE TABLE user_emails (
    tenant_id   bigint NOT NULL,
    user_id     bigint NOT NULL,
    position    smallint NOT NULL,
    value       text NOT NULL,
    value_lower text NOT NULL,
    type        text NOT NULL,
    is_primary  boolean NOT NULL,
    CONSTRAINT user_emails_pkey PRIMARY KEY (user_id, position)
);

INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
    SELECT tenant_id, id, 0, email, lower(email), email_type, true FROM users WHERE email IS NOT NULL
    UNION ALL
    SELECT u.tenant_id, u.id, e.n, e.c ->> 'value', lower(e.c ->> 'value'), coalesce(e.c ->> 'type', ''), false
    FROM users u, jsonb_array_elements(u.other_emails) WITH ORDINALITY AS e (c, n) WHERE u.other_emails <> '[]';

-- Equality and prefix ranges (the byte-wise ~>=~ and ~<~, as on
-- users_email_prefix_idx) on the lowercased value read this index; with
-- the user id last, a lookup reads no table row.
CREATE INDEX user_emails_value_idx ON user_emails (tenant_id, value_lower text_pattern_ops, user_id);
ANALYZE user_emails;

-- +goose StatementBegin
CREATE FUNCTION insert_user_emails() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
        SELECT tenant_id, id, 0, email, lower(email), email_type, true FROM changed WHERE email IS NOT NULL
        UNION ALL
        SELECT u.tenant_id, u.id, e.n, e.c ->> 'value', lower(e.c ->> 'value'), coalesce(e.c ->> 'type', ''), false
        FROM changed u, jsonb_array_elements(u.other_emails) WITH ORDINALITY AS e (c, n) WHERE u.other_emails <> '[]';
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION update_user_emails() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_emails WHERE user_id = new.id;
    INSERT INTO user_emails (tenant_id, user_id, position, value, value_lower, type, is_primary)
        SELECT new.tenant_id, new.id, 0, new.email, lower(new.email), new.email_type, true WHERE new.email IS NOT NULL
        UNION ALL
        SELECT new.tenant_id, new.id, e.n, e.c ->> 'value', lower(e.c ->> 'value'), coalesce(e.c ->> 'type', ''), false
        FROM jsonb_array_elements(new.other_emails) WITH ORDINALITY AS e (c, n) WHERE new.other_emails <> '[]';
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION delete_user_emails() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM user_emails e USING changed c WHERE e.user_id = c.id;
    RETURN NULL;
END $$;
-- +goose StatementEnd

CREATE TRIGGER user_emails_insert AFTER INSERT ON users
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION insert_user_emails();
CREATE TRIGGER user_emails_update AFTER UPDATE OF email, email_type, other_emails ON users
    FOR EACH ROW WHEN (old.email IS DISTINCT FROM new.email OR old.email_type IS DISTINCT FROM new.email_type
        OR old.other_emails IS DISTINCT FROM new.other_emails)
    EXECUTE FUNCTION update_user_emails();
CREATE TRIGGER user_emails_delete AFTER DELETE ON users
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION delete_user_emails();

-- +goose Down
DROP TRIGGER user_emails_delete ON users;
DROP TRIGGER user_emails_update ON users;
DROP TRIGGER user_emails_insert ON users;
DROP FUNCTION delete_user_emails();
DROP FUNCTION update_user_emails();
DROP FUNCTION insert_user_emails();
DROP TABLE user_emails;
