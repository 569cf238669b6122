package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/userd/userd/internal/directory"
)

// tree is a tenant's org tree or manager tree as the writer's transaction
// sees it. The writer runs one transaction at a time and each write in its
// own savepoint, so a check through it sees every earlier write and no
// later one can slip in before this write is done.
type tree struct {
	tx       querier
	tenantID int64
	what     string // "org" or "user", for NotFound
	parent   string // the query of a node's parent: tenant, id
	children string // the query of the children of nodes: tenant, JSON list of ids
}

func orgTree(tx querier, tenantID int64) tree {
	return tree{tx, tenantID, "org",
		`SELECT parent_id FROM orgs WHERE tenant_id = ? AND id = ?`,
		`SELECT id FROM orgs WHERE tenant_id = ? AND parent_id IN (SELECT value FROM json_each(?))`}
}

func managerTree(tx querier, tenantID int64) tree {
	return tree{tx, tenantID, "user",
		`SELECT manager_id FROM users WHERE tenant_id = ? AND id = ?`,
		`SELECT id FROM users WHERE tenant_id = ? AND manager_id IN (SELECT value FROM json_each(?))`}
}

// Parent returns the parent of node id, 0 for a root.
func (t tree) Parent(ctx context.Context, id int64) (int64, error) {
	var parent sql.NullInt64
	err := t.tx.QueryRowContext(ctx, t.parent, t.tenantID, id).Scan(&parent)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, notFound(t.what)
	}
	return parent.Int64, storeError(err)
}

// Children returns the nodes whose parent is one of ids.
func (t tree) Children(ctx context.Context, ids []int64) ([]int64, error) {
	return queryAll(ctx, t.tx, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, t.children, t.tenantID, idList(ids))
}

// check runs checks against t; nil checks are skipped.
func (t tree) check(ctx context.Context, checks []directory.TreeCheck) error {
	for _, c := range checks {
		if c == nil {
			continue
		}
		if err := c(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// OrgNamed returns the org below parent (0: a root) named name ignoring
// case, or 0. The writer runs one write at a time, so nothing needs
// locking.
func (t tree) OrgNamed(ctx context.Context, parent int64, name string) (int64, error) {
	var id int64
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM orgs WHERE tenant_id = ? AND name_lower = ? AND parent_id IS ? LIMIT 1`,
		t.tenantID, strings.ToLower(name), nullID(parent)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, storeError(err)
}
