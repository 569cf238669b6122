-- Signing in: console roles, console sessions, one-time sign-in links and
-- failed sign-in counts. Each user-owned row goes with its user (ON DELETE
-- CASCADE), so deleting a user ends its sessions at once. Only SHA-256
-- hashes of session and link secrets are stored.

-- +goose Up
CREATE TABLE console_roles (
    tenant_id bigint NOT NULL,
    user_id   bigint NOT NULL,
    role      text NOT NULL CHECK (role IN ('admin', 'viewer')),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX console_roles_role_idx ON console_roles (tenant_id, role);

CREATE TABLE sessions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tenant_id    bigint NOT NULL,
    user_id      bigint NOT NULL,
    hash         bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    client_ip    text NOT NULL,
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id, created_at);

CREATE TABLE signin_links (
    hash       bytea PRIMARY KEY,
    tenant_id  bigint NOT NULL REFERENCES tenants (id),
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE TABLE signin_failures (
    tenant_id      bigint NOT NULL,
    user_id        bigint NOT NULL,
    failures       integer NOT NULL,
    last_failed_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

-- +goose Down
DROP TABLE signin_failures;
DROP TABLE signin_links;
DROP TABLE sessions;
DROP TABLE console_roles;
