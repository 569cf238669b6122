-- The profile of a user (directory.Profile): the name parts, codes and
-- other attributes SCIM and the OneAccess family carry. Every column has a
-- default, so the users stored before keep a valid, empty profile; adding
-- a column with a constant default rewrites no row (PostgreSQL 11 and later). external_id is NULL
-- when absent, so its index holds only the users that have one.
-- other_emails and other_phones are jsonb arrays of {"value", "type"}
-- objects (directory.EncodeContacts), at most 9 each: one column read with
-- the row rather than a child table to join on every read. Birthday and
-- hire_date are dates written yyyy-mm-dd, or ''.

-- +goose Up
ALTER TABLE users ADD COLUMN external_id text;
ALTER TABLE users ADD COLUMN given_name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN middle_name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN honorific_prefix text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN honorific_suffix text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN display_name text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN title text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN user_type text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN preferred_language text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN locale text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN timezone text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN profile_url text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_type text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone_type text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN other_emails jsonb NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN other_phones jsonb NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN postal_code text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN address_type text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN organization text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN division text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN department text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN cost_center text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN gender text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN birthday text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN identity_type text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN identity_number text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN area text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN hire_date text NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN work_place text NOT NULL DEFAULT '';
-- With the id last, a lookup by external id reads its users in id order.
CREATE INDEX users_external_id_idx ON users (tenant_id, external_id, id) WHERE external_id IS NOT NULL;

-- +goose Down
DROP INDEX users_external_id_idx;
ALTER TABLE users DROP COLUMN work_place;
ALTER TABLE users DROP COLUMN hire_date;
ALTER TABLE users DROP COLUMN area;
ALTER TABLE users DROP COLUMN identity_number;
ALTER TABLE users DROP COLUMN identity_type;
ALTER TABLE users DROP COLUMN birthday;
ALTER TABLE users DROP COLUMN gender;
ALTER TABLE users DROP COLUMN cost_center;
ALTER TABLE users DROP COLUMN department;
ALTER TABLE users DROP COLUMN division;
ALTER TABLE users DROP COLUMN organization;
ALTER TABLE users DROP COLUMN address_type;
ALTER TABLE users DROP COLUMN postal_code;
ALTER TABLE users DROP COLUMN other_phones;
ALTER TABLE users DROP COLUMN other_emails;
ALTER TABLE users DROP COLUMN phone_type;
ALTER TABLE users DROP COLUMN email_type;
ALTER TABLE users DROP COLUMN profile_url;
ALTER TABLE users DROP COLUMN timezone;
ALTER TABLE users DROP COLUMN locale;
ALTER TABLE users DROP COLUMN preferred_language;
ALTER TABLE users DROP COLUMN user_type;
ALTER TABLE users DROP COLUMN title;
ALTER TABLE users DROP COLUMN display_name;
ALTER TABLE users DROP COLUMN honorific_suffix;
ALTER TABLE users DROP COLUMN honorific_prefix;
ALTER TABLE users DROP COLUMN family_name;
ALTER TABLE users DROP COLUMN middle_name;
ALTER TABLE users DROP COLUMN given_name;
ALTER TABLE users DROP COLUMN external_id;
