-- An index on users' phones, for the OneAccess dialect's rule that a
-- mobile number is unique in its tenant (directory.Service.PhoneInUse):
-- a lookup by phone reads only the users that have it. Not unique: the
-- other APIs let users share a phone. Users without one are left out.

-- +goose Up
CREATE INDEX users_phone ON users (tenant_id, phone) WHERE phone <> '';

-- +goose Down
DROP INDEX users_phone;
