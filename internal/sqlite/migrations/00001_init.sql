-- The initial schema. Ids come from AUTOINCREMENT so a deleted row's id is
-- never handed out again. Times are Unix microseconds (UTC); NULL is the
-- zero time. Columns ending in _lower hold the value lowercased by userd
-- (Unicode-aware, unlike SQLite's lower()) for case-insensitive uniqueness
-- and prefix search through an index. Foreign keys pair the tenant with the
-- id, so a row can only ever reference a row of its own tenant.

-- +goose Up
CREATE TABLE tenants (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE orgs (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    code       TEXT,
    code_lower TEXT,
    parent_id  INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, parent_id) REFERENCES orgs (tenant_id, id)
);
CREATE UNIQUE INDEX orgs_code ON orgs (tenant_id, code) WHERE code IS NOT NULL;
CREATE INDEX orgs_code_lower ON orgs (tenant_id, code_lower) WHERE code_lower IS NOT NULL;
CREATE INDEX orgs_name_lower ON orgs (tenant_id, name_lower);
CREATE INDEX orgs_parent ON orgs (tenant_id, parent_id);

CREATE TABLE users (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id            INTEGER NOT NULL REFERENCES tenants (id),
    username             TEXT NOT NULL,
    username_lower       TEXT NOT NULL,
    name                 TEXT NOT NULL,
    name_lower           TEXT NOT NULL,
    nick_name            TEXT NOT NULL,
    email                TEXT,
    email_lower          TEXT,
    phone                TEXT NOT NULL,
    phone_country_code   TEXT NOT NULL,
    active               INTEGER NOT NULL,
    locked               INTEGER NOT NULL,
    must_change_password INTEGER NOT NULL,
    password_changed_at  INTEGER,
    origin               TEXT NOT NULL,
    client_ip            TEXT NOT NULL,
    enterprise_id        TEXT NOT NULL,
    grade                INTEGER NOT NULL,
    employee_number      TEXT NOT NULL,
    manager_id           INTEGER,
    address              TEXT NOT NULL,
    city                 TEXT NOT NULL,
    province             TEXT NOT NULL,
    country              TEXT NOT NULL,
    comment              TEXT NOT NULL,
    extension            TEXT NOT NULL,
    password_hash        TEXT NOT NULL,
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    version              INTEGER NOT NULL,
    UNIQUE (tenant_id, id),
    FOREIGN KEY (tenant_id, manager_id) REFERENCES users (tenant_id, id)
);
CREATE UNIQUE INDEX users_username ON users (tenant_id, username_lower);
CREATE UNIQUE INDEX users_email ON users (tenant_id, email_lower) WHERE email_lower IS NOT NULL;
CREATE INDEX users_name ON users (tenant_id, name_lower);
CREATE INDEX users_manager ON users (tenant_id, manager_id);

-- position keeps a user's memberships in the order they were given.
CREATE TABLE memberships (
    tenant_id  INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    org_id     INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    is_primary INTEGER NOT NULL,
    PRIMARY KEY (user_id, org_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    FOREIGN KEY (tenant_id, org_id) REFERENCES orgs (tenant_id, id)
) WITHOUT ROWID;
CREATE INDEX memberships_org ON memberships (tenant_id, org_id);
CREATE UNIQUE INDEX memberships_primary ON memberships (user_id) WHERE is_primary;

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id   INTEGER NOT NULL REFERENCES tenants (id),
    client_id   TEXT NOT NULL,
    secret_hash BLOB NOT NULL,
    name        TEXT NOT NULL,
    scopes      TEXT NOT NULL,
    disabled    INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX clients_client_id ON clients (client_id);
CREATE INDEX clients_tenant ON clients (tenant_id, id);

CREATE TABLE api_tokens (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    name       TEXT NOT NULL,
    scopes     TEXT NOT NULL,
    hash       BLOB NOT NULL,
    expires_at INTEGER,
    revoked_at INTEGER,
    created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens (hash);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, id);

-- Audit events have no foreign key: a failed authentication may name a
-- tenant that does not exist, and events outlive what they describe.
CREATE TABLE audit_events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    time      INTEGER NOT NULL,
    actor     TEXT NOT NULL,
    action    TEXT NOT NULL,
    object_id TEXT NOT NULL,
    fields    TEXT NOT NULL,
    client_ip TEXT NOT NULL
);
CREATE INDEX audit_events_tenant ON audit_events (tenant_id, id);

CREATE TABLE secrets (
    name  TEXT PRIMARY KEY,
    value BLOB NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE secrets;
DROP TABLE audit_events;
DROP TABLE api_tokens;
DROP TABLE clients;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE orgs;
DROP TABLE tenants;
