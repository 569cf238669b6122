-- The initial schema. Every id comes from an identity sequence capped at
-- 2^53-1 (directory.MaxSafeID) so JavaScript clients read ids exactly, and a
-- sequence never hands out an id twice, even after a delete. Every object
-- but a tenant carries tenant_id, and references between objects include it,
-- so a row can never point into another tenant.

-- +goose Up
CREATE TABLE tenants (
    id         bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    name       text NOT NULL,
    created_at timestamptz NOT NULL,
    CONSTRAINT tenants_name_key UNIQUE (name)
);

-- Installation-wide secrets (token signing and cursor keys), shared by every node.
CREATE TABLE secrets (
    name  text PRIMARY KEY,
    value bytea NOT NULL
);

CREATE TABLE orgs (
    id         bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    tenant_id  bigint NOT NULL,
    name       text NOT NULL,
    code       text, -- NULL when the org has none
    parent_id  bigint,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL,
    version    bigint NOT NULL,
    CONSTRAINT orgs_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id),
    CONSTRAINT orgs_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT orgs_parent_fkey FOREIGN KEY (tenant_id, parent_id) REFERENCES orgs (tenant_id, id)
);
CREATE UNIQUE INDEX orgs_code_key ON orgs (tenant_id, code) WHERE code IS NOT NULL;
CREATE INDEX orgs_parent_idx ON orgs (tenant_id, parent_id) WHERE parent_id IS NOT NULL;
-- Prefix search ignoring case (ListOrgs Query): text_pattern_ops lets LIKE 'abc%'
-- use the index whatever the database collation.
CREATE INDEX orgs_name_prefix_idx ON orgs (tenant_id, lower(name) text_pattern_ops);
CREATE INDEX orgs_code_prefix_idx ON orgs (tenant_id, lower(code) text_pattern_ops) WHERE code IS NOT NULL;

CREATE TABLE users (
    id                   bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    tenant_id            bigint NOT NULL,
    username             text NOT NULL,
    name                 text NOT NULL,
    nick_name            text NOT NULL,
    email                text, -- NULL when the user has none
    phone                text NOT NULL,
    phone_country_code   text NOT NULL,
    active               boolean NOT NULL,
    locked               boolean NOT NULL,
    must_change_password boolean NOT NULL,
    password_changed_at  timestamptz,
    origin               text NOT NULL,
    client_ip            text NOT NULL,
    enterprise_id        text NOT NULL,
    grade                integer NOT NULL,
    employee_number      text NOT NULL,
    manager_id           bigint,
    address              text NOT NULL,
    city                 text NOT NULL,
    province             text NOT NULL,
    country              text NOT NULL,
    comment              text NOT NULL,
    extension            jsonb NOT NULL,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    version              bigint NOT NULL,
    password_hash        text NOT NULL,
    CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id),
    -- Also the index behind keyset pagination (tenant_id, id > after ORDER BY id).
    CONSTRAINT users_tenant_id_key UNIQUE (tenant_id, id),
    CONSTRAINT users_manager_fkey FOREIGN KEY (tenant_id, manager_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX users_username_key ON users (tenant_id, lower(username));
CREATE UNIQUE INDEX users_email_key ON users (tenant_id, lower(email)) WHERE email IS NOT NULL;
CREATE INDEX users_manager_idx ON users (tenant_id, manager_id) WHERE manager_id IS NOT NULL;
-- Prefix search ignoring case (ListUsers Username, Email and Query).
CREATE INDEX users_username_prefix_idx ON users (tenant_id, lower(username) text_pattern_ops);
CREATE INDEX users_email_prefix_idx ON users (tenant_id, lower(email) text_pattern_ops) WHERE email IS NOT NULL;
CREATE INDEX users_name_prefix_idx ON users (tenant_id, lower(name) text_pattern_ops);

-- A user's org memberships, in the order the user lists them. There is no
-- foreign key to users: the store writes memberships only together with
-- their user and deletes them with it, and the per-row check cost a bulk
-- import of 1000 users in 2 orgs up to a second on a table without
-- statistics yet (the cached plan of the check scanned users).
CREATE TABLE user_orgs (
    tenant_id  bigint NOT NULL,
    user_id    bigint NOT NULL,
    org_id     bigint NOT NULL,
    position   integer NOT NULL,
    is_primary boolean NOT NULL,
    CONSTRAINT user_orgs_pkey PRIMARY KEY (user_id, org_id),
    CONSTRAINT user_orgs_org_fkey FOREIGN KEY (tenant_id, org_id) REFERENCES orgs (tenant_id, id)
);
CREATE UNIQUE INDEX user_orgs_primary_key ON user_orgs (user_id) WHERE is_primary;
CREATE INDEX user_orgs_org_idx ON user_orgs (tenant_id, org_id);

CREATE TABLE clients (
    id          bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    tenant_id   bigint NOT NULL,
    client_id   text NOT NULL,
    secret_hash bytea NOT NULL,
    name        text NOT NULL,
    scopes      text NOT NULL, -- space-separated, canonical order
    disabled    boolean NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    CONSTRAINT clients_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id),
    CONSTRAINT clients_client_id_key UNIQUE (client_id)
);
CREATE INDEX clients_tenant_idx ON clients (tenant_id, id);

CREATE TABLE api_tokens (
    id         bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    tenant_id  bigint NOT NULL,
    name       text NOT NULL,
    scopes     text NOT NULL, -- space-separated, canonical order
    hash       bytea NOT NULL,
    expires_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz NOT NULL,
    CONSTRAINT api_tokens_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id),
    CONSTRAINT api_tokens_hash_key UNIQUE (hash)
);
CREATE INDEX api_tokens_tenant_idx ON api_tokens (tenant_id, id);

-- The audit log. No foreign key to tenants: a failed authentication may
-- name no tenant, and the log outlives what it describes.
CREATE TABLE audit_events (
    id        bigint GENERATED ALWAYS AS IDENTITY (MAXVALUE 9007199254740991) PRIMARY KEY,
    tenant_id bigint NOT NULL,
    time      timestamptz NOT NULL,
    actor     text NOT NULL,
    action    text NOT NULL,
    object_id text NOT NULL,
    fields    text[] NOT NULL,
    client_ip text NOT NULL
);
CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE clients;
DROP TABLE user_orgs;
DROP TABLE users;
DROP TABLE orgs;
DROP TABLE secrets;
DROP TABLE tenants;
