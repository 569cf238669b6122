package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

// Secret returns the installation secret called name, storing generated if
// there is none yet.
func (s *Store) Secret(ctx context.Context, name string, generated []byte) ([]byte, error) {
	var value []byte
	err := s.rq.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	if err == nil {
		return value, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, storeError(err)
	}
	err = s.write(ctx, func(tx querier) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, generated); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, name).Scan(&value)
	})
	return value, err
}

const tenantColumns = `id, name, created_at`

func scanTenant(sc scanner) (directory.Tenant, error) {
	var t directory.Tenant
	var created sql.NullInt64
	err := sc.Scan(&t.ID, &t.Name, &created)
	t.CreatedAt = fromMicros(created)
	return t, err
}

// CreateTenant inserts a tenant.
func (s *Store) CreateTenant(ctx context.Context, t directory.Tenant) (directory.Tenant, error) {
	err := s.write(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO tenants (name, created_at) VALUES (?, ?) RETURNING id`, t.Name, micros(t.CreatedAt)).Scan(&t.ID)
		if isUniqueViolation(err) {
			return directory.Violation(directory.Taken, "name", err)
		}
		return err
	})
	if err != nil {
		return directory.Tenant{}, err
	}
	return t, nil
}

// Tenant returns a tenant by id.
func (s *Store) Tenant(ctx context.Context, id int64) (directory.Tenant, error) {
	return s.tenant(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = ?`, id)
}

// TenantByName returns a tenant by name.
func (s *Store) TenantByName(ctx context.Context, name string) (directory.Tenant, error) {
	return s.tenant(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE name = ?`, name)
}

func (s *Store) tenant(ctx context.Context, query string, arg any) (directory.Tenant, error) {
	t, err := scanTenant(s.rq.QueryRowContext(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Tenant{}, notFound("tenant")
	}
	return t, storeError(err)
}

// Tenants lists every tenant by id.
func (s *Store) Tenants(ctx context.Context) ([]directory.Tenant, error) {
	return queryAll(ctx, s.rq, scanTenant, `SELECT `+tenantColumns+` FROM tenants ORDER BY id`)
}

// queryAll runs query on the readers and scans every row with scan.
func queryAll[T any](ctx context.Context, q querier, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, storeError(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, storeError(err)
		}
		out = append(out, v)
	}
	return out, storeError(rows.Err())
}

func parseScopes(s string) directory.Scopes {
	var out directory.Scopes
	for _, f := range strings.Fields(s) {
		out = append(out, directory.Scope(f))
	}
	return out
}

const clientColumns = `id, tenant_id, client_id, secret_hash, name, scopes, disabled, created_at, updated_at`

func scanClient(sc scanner) (directory.Client, error) {
	var (
		c                directory.Client
		scopes           string
		created, updated sql.NullInt64
	)
	err := sc.Scan(&c.ID, &c.TenantID, &c.ClientID, &c.SecretHash, &c.Name, &scopes, &c.Disabled, &created, &updated)
	c.Scopes = parseScopes(scopes)
	c.CreatedAt, c.UpdatedAt = fromMicros(created), fromMicros(updated)
	return c, err
}

// CreateClient inserts an API client.
func (s *Store) CreateClient(ctx context.Context, c directory.Client, ev directory.Event) (directory.Client, error) {
	err := s.write(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO clients (tenant_id, client_id, secret_hash, name, scopes, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.TenantID, c.ClientID, c.SecretHash, c.Name, c.Scopes.String(), c.Disabled, micros(c.CreatedAt), micros(c.UpdatedAt)).Scan(&c.ID)
		if isUniqueViolation(err) {
			return directory.Violation(directory.Taken, "client_id", err)
		}
		if err != nil {
			return err
		}
		ev.ObjectID = strconv.FormatInt(c.ID, 10)
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.Client{}, err
	}
	return c, nil
}

// ClientByClientID finds a client of any tenant by its client_id.
func (s *Store) ClientByClientID(ctx context.Context, clientID string) (directory.Client, error) {
	c, err := scanClient(s.rq.QueryRowContext(ctx, `SELECT `+clientColumns+` FROM clients WHERE client_id = ?`, clientID))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Client{}, notFound("client")
	}
	return c, storeError(err)
}

// Clients returns up to limit of the tenant's clients after afterID, by id.
func (s *Store) Clients(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Client, error) {
	return queryAll(ctx, s.rq, scanClient, `SELECT `+clientColumns+` FROM clients WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, afterID, limit)
}

// CountClients returns how many clients the tenant has.
func (s *Store) CountClients(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.rq.QueryRowContext(ctx, `SELECT count(*) FROM clients WHERE tenant_id = ?`, tenantID).Scan(&n)
	return n, storeError(err)
}

// SetClientDisabled disables or re-enables a client of the tenant, stamping
// it with ev.Time.
func (s *Store) SetClientDisabled(ctx context.Context, tenantID int64, clientID string, disabled bool, ev directory.Event) (directory.Client, error) {
	var c directory.Client
	err := s.write(ctx, func(tx querier) error {
		var err error
		c, err = scanClient(tx.QueryRowContext(ctx, `UPDATE clients SET disabled = ?, updated_at = ?
			WHERE tenant_id = ? AND client_id = ? RETURNING `+clientColumns, disabled, micros(ev.Time), tenantID, clientID))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("client")
		}
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.Client{}, err
	}
	return c, nil
}

const tokenColumns = `id, tenant_id, name, scopes, hash, expires_at, revoked_at, created_at`

func scanToken(sc scanner) (directory.APIToken, error) {
	var (
		t                         directory.APIToken
		scopes                    string
		expires, revoked, created sql.NullInt64
	)
	err := sc.Scan(&t.ID, &t.TenantID, &t.Name, &scopes, &t.Hash, &expires, &revoked, &created)
	t.Scopes = parseScopes(scopes)
	t.ExpiresAt, t.RevokedAt, t.CreatedAt = fromMicros(expires), fromMicros(revoked), fromMicros(created)
	return t, err
}

// CreateAPIToken inserts an API token.
func (s *Store) CreateAPIToken(ctx context.Context, t directory.APIToken, ev directory.Event) (directory.APIToken, error) {
	err := s.write(ctx, func(tx querier) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO api_tokens (tenant_id, name, scopes, hash, expires_at, revoked_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			t.TenantID, t.Name, t.Scopes.String(), t.Hash, micros(t.ExpiresAt), micros(t.RevokedAt), micros(t.CreatedAt)).Scan(&t.ID)
		if isUniqueViolation(err) {
			return directory.Violation(directory.Taken, "token", err)
		}
		if err != nil {
			return err
		}
		ev.ObjectID = strconv.FormatInt(t.ID, 10)
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.APIToken{}, err
	}
	return t, nil
}

// APITokenByHash finds a token of any tenant by its hash.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (directory.APIToken, error) {
	t, err := scanToken(s.rq.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.APIToken{}, notFound("token")
	}
	return t, storeError(err)
}

// APITokens returns up to limit of the tenant's tokens after afterID, by id.
func (s *Store) APITokens(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.APIToken, error) {
	return queryAll(ctx, s.rq, scanToken, `SELECT `+tokenColumns+` FROM api_tokens WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, afterID, limit)
}

// CountAPITokens returns how many of the tenant's tokens are usable at at.
func (s *Store) CountAPITokens(ctx context.Context, tenantID int64, at time.Time) (int, error) {
	var n int
	err := s.rq.QueryRowContext(ctx, `SELECT count(*) FROM api_tokens
		WHERE tenant_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`, tenantID, micros(at)).Scan(&n)
	return n, storeError(err)
}

// RevokeAPIToken marks a token of the tenant revoked at ev.Time, keeping the
// time of an earlier revocation.
func (s *Store) RevokeAPIToken(ctx context.Context, tenantID, id int64, ev directory.Event) (directory.APIToken, error) {
	var t directory.APIToken
	err := s.write(ctx, func(tx querier) error {
		var err error
		t, err = scanToken(tx.QueryRowContext(ctx, `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, ?)
			WHERE tenant_id = ? AND id = ? RETURNING `+tokenColumns, micros(ev.Time), tenantID, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound("token")
		}
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.APIToken{}, err
	}
	return t, nil
}
