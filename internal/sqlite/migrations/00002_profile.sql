-- The profile of a user (directory.Profile): the name parts, codes and
-- other attributes SCIM and the OneAccess family carry. Every column has a
-- default, so the users stored before keep a valid, empty profile; adding
-- a column with a constant default rewrites no row. external_id is NULL
-- when absent, so its index holds only the users that have one.
-- other_emails and other_phones are JSON arrays of {"value", "type"}
-- objects (directory.EncodeContacts), at most 9 each: one column read with
-- the row rather than a child table to join on every read. Birthday and
-- hire_date are dates written yyyy-mm-dd, or ''.

-- +goose Up
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE users ADD COLUMN given_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN middle_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN family_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN honorific_prefix TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN honorific_suffix TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN title TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN user_type TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN preferred_language TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN locale TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN timezone TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN profile_url TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN email_type TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN phone_type TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN other_emails TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN other_phones TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN postal_code TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN address_type TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN organization TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN division TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN department TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN cost_center TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN gender TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN birthday TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN identity_type TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN identity_number TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN area TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN hire_date TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN work_place TEXT NOT NULL DEFAULT '';
-- Entries end with the rowid (id): a lookup by external id reads its users
-- in id order.
CREATE INDEX users_external_id ON users (tenant_id, external_id) WHERE external_id IS NOT NULL;

-- +goose Down
DROP INDEX users_external_id;
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
