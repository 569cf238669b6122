package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// Scopes are stored as their canonical space-separated string.
func parseScopes(s string) (directory.Scopes, error) {
	scopes, err := directory.ParseScopes(s)
	if err != nil {
		return nil, fmt.Errorf("stored scopes %q: %w", s, err)
	}
	return scopes, nil
}

const clientSelect = `SELECT id, tenant_id, client_id, secret_hash, name, scopes, disabled, created_at, updated_at FROM clients `

func scanClient(row pgx.Row) (directory.Client, error) {
	var (
		c      directory.Client
		scopes string
	)
	err := row.Scan(&c.ID, &c.TenantID, &c.ClientID, &c.SecretHash, &c.Name, &scopes, &c.Disabled, &c.CreatedAt, &c.UpdatedAt)
	if err != nil {
		return directory.Client{}, notFound(err, "client")
	}
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	c.Scopes, err = parseScopes(scopes)
	return c, err
}

// CreateClient inserts c and returns it with its id.
func (s *Store) CreateClient(ctx context.Context, c directory.Client, ev directory.Event) (directory.Client, error) {
	id, err := s.insert(ctx, ev, `INSERT INTO clients (tenant_id, client_id, secret_hash, name, scopes, disabled, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		c.TenantID, c.ClientID, c.SecretHash, c.Name, c.Scopes.String(), c.Disabled, c.CreatedAt, c.UpdatedAt)
	if err != nil {
		return directory.Client{}, storeError("create client", err)
	}
	c.ID = id
	return c, nil
}

// ClientByClientID finds a client of any tenant by its public client_id.
func (s *Store) ClientByClientID(ctx context.Context, clientID string) (directory.Client, error) {
	c, err := scanClient(s.pool.QueryRow(ctx, clientSelect+`WHERE client_id = $1`, clientID))
	return c, storeError("read client", err)
}

// Clients returns up to limit clients of tenantID after afterID, by id.
func (s *Store) Clients(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Client, error) {
	return query(ctx, s, "list clients", scanClient, clientSelect+`WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, limit)
}

// CountClients returns how many clients tenantID has.
func (s *Store) CountClients(ctx context.Context, tenantID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM clients WHERE tenant_id = $1`, tenantID).Scan(&n)
	return n, storeError("count clients", err)
}

// SetClientDisabled disables or re-enables a client of tenantID.
func (s *Store) SetClientDisabled(ctx context.Context, tenantID int64, clientID string, disabled bool, ev directory.Event) (directory.Client, error) {
	var c directory.Client
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		c, err = scanClient(tx.QueryRow(ctx, `UPDATE clients SET disabled = $3, updated_at = $4
			WHERE tenant_id = $1 AND client_id = $2
			RETURNING id, tenant_id, client_id, secret_hash, name, scopes, disabled, created_at, updated_at`,
			tenantID, clientID, disabled, ev.Time))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.Client{}, storeError("set client disabled", err)
	}
	return c, nil
}

const tokenColumns = `id, tenant_id, name, scopes, hash, expires_at, revoked_at, created_at`

func scanToken(row pgx.Row) (directory.APIToken, error) {
	var (
		t                directory.APIToken
		scopes           string
		expires, revoked *time.Time
	)
	err := row.Scan(&t.ID, &t.TenantID, &t.Name, &scopes, &t.Hash, &expires, &revoked, &t.CreatedAt)
	if err != nil {
		return directory.APIToken{}, notFound(err, "token")
	}
	t.ExpiresAt, t.RevokedAt, t.CreatedAt = utc(expires), utc(revoked), t.CreatedAt.UTC()
	t.Scopes, err = parseScopes(scopes)
	return t, err
}

// CreateAPIToken inserts t and returns it with its id.
func (s *Store) CreateAPIToken(ctx context.Context, t directory.APIToken, ev directory.Event) (directory.APIToken, error) {
	id, err := s.insert(ctx, ev, `INSERT INTO api_tokens (tenant_id, name, scopes, hash, expires_at, revoked_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		t.TenantID, t.Name, t.Scopes.String(), t.Hash, nullTime(t.ExpiresAt), nullTime(t.RevokedAt), t.CreatedAt)
	if err != nil {
		return directory.APIToken{}, storeError("create token", err)
	}
	t.ID = id
	return t, nil
}

// APITokenByHash finds a token of any tenant, revoked or not, by its hash.
func (s *Store) APITokenByHash(ctx context.Context, hash []byte) (directory.APIToken, error) {
	t, err := scanToken(s.pool.QueryRow(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE hash = $1`, hash))
	return t, storeError("read token", err)
}

// APITokens returns up to limit tokens of tenantID after afterID, by id.
func (s *Store) APITokens(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.APIToken, error) {
	return query(ctx, s, "list tokens", scanToken, `SELECT `+tokenColumns+` FROM api_tokens WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, limit)
}

// CountAPITokens returns how many tokens of tenantID are usable at at.
func (s *Store) CountAPITokens(ctx context.Context, tenantID int64, at time.Time) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM api_tokens
		WHERE tenant_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)`, tenantID, at).Scan(&n)
	return n, storeError("count tokens", err)
}

// RevokeAPIToken marks a token of tenantID revoked at ev.Time, keeping an
// earlier revocation time.
func (s *Store) RevokeAPIToken(ctx context.Context, tenantID, id int64, ev directory.Event) (directory.APIToken, error) {
	var t directory.APIToken
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		t, err = scanToken(tx.QueryRow(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $3)
			WHERE tenant_id = $1 AND id = $2 RETURNING `+tokenColumns, tenantID, id, ev.Time))
		if err != nil {
			return err
		}
		return insertEvent(ctx, tx, ev)
	})
	if err != nil {
		return directory.APIToken{}, storeError("revoke token", err)
	}
	return t, nil
}
