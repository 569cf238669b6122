-- Signing in: console roles, console sessions, one-time sign-in links and
-- failed sign-in counts. Each user-owned row goes with its user (ON DELETE
-- CASCADE), so deleting a user ends its sessions at once. Only SHA-256
-- hashes of session and link secrets are stored.

-- +goose Up
CREATE TABLE console_roles (
    tenant_id INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    role      TEXT NOT NULL CHECK (role IN ('admin', 'viewer')),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX console_roles_role ON console_roles (tenant_id, role);

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id    INTEGER NOT NULL,
    user_id      INTEGER NOT NULL,
    hash         BLOB NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    client_ip    TEXT NOT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user ON sessions (tenant_id, user_id, created_at);

CREATE TABLE signin_links (
    hash       BLOB PRIMARY KEY,
    tenant_id  INTEGER NOT NULL REFERENCES tenants (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE signin_failures (
    tenant_id      INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    failures       INTEGER NOT NULL,
    last_failed_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE signin_failures;
DROP TABLE signin_links;
DROP TABLE sessions;
DROP TABLE console_roles;
