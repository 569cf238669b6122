package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// Secret returns the installation-wide secret called name, storing generated
// first if there is none yet.
func (s *Store) Secret(ctx context.Context, name string, generated []byte) ([]byte, error) {
	// Two statements, not one: after losing an insert race to another node,
	// only a new statement's snapshot sees the winner's row.
	if _, err := s.pool.Exec(ctx, `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, generated); err != nil {
		return nil, storeError("store secret", err)
	}
	var value []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, name).Scan(&value)
	return value, storeError("read secret", err)
}

// CreateTenant inserts t and returns it with its id.
func (s *Store) CreateTenant(ctx context.Context, t directory.Tenant) (directory.Tenant, error) {
	err := s.pool.QueryRow(ctx, `INSERT INTO tenants (name, created_at) VALUES ($1, $2) RETURNING id`, t.Name, t.CreatedAt).Scan(&t.ID)
	if err != nil {
		return directory.Tenant{}, storeError("create tenant", err)
	}
	return t, nil
}

const tenantColumns = `id, name, created_at`

func scanTenant(row pgx.Row) (directory.Tenant, error) {
	var t directory.Tenant
	err := row.Scan(&t.ID, &t.Name, &t.CreatedAt)
	t.CreatedAt = t.CreatedAt.UTC()
	return t, notFound(err, "tenant")
}

// Tenant returns the tenant with id.
func (s *Store) Tenant(ctx context.Context, id int64) (directory.Tenant, error) {
	t, err := scanTenant(s.pool.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE id = $1`, id))
	return t, storeError("read tenant", err)
}

// TenantByName returns the tenant called name.
func (s *Store) TenantByName(ctx context.Context, name string) (directory.Tenant, error) {
	t, err := scanTenant(s.pool.QueryRow(ctx, `SELECT `+tenantColumns+` FROM tenants WHERE name = $1`, name))
	return t, storeError("read tenant", err)
}

// Tenants returns every tenant, oldest first.
func (s *Store) Tenants(ctx context.Context) ([]directory.Tenant, error) {
	return query(ctx, s, "list tenants", scanTenant, `SELECT `+tenantColumns+` FROM tenants ORDER BY id`)
}
