package postgres

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// tree is a tenant's org tree or manager tree as a write transaction sees
// it. check takes a transaction-scoped advisory lock on the tenant's tree
// first, so writes that change the same tree run their checks one after
// the other; under READ COMMITTED each query after the lock sees every
// write committed before it was granted. A write that only adds new nodes
// (a created org or user) takes the lock shared: new leaves change no
// other node's depth, so they need not wait for each other, only for moves.
type tree struct {
	tx       pgx.Tx
	tenantID int64
	shared   bool   // take the lock shared; see newNodes
	lock     string // names the tree in the advisory lock key
	what     string // "org" or "user", for NotFound
	parent   string // the query of a node's parent: tenant, id
	children string // the query of the children of nodes: tenant, ids
}

func orgTree(tx pgx.Tx, tenantID int64) tree {
	return tree{tx, tenantID, false, "userd org tree", "org",
		`SELECT COALESCE(parent_id, 0) FROM orgs WHERE tenant_id = $1 AND id = $2`,
		`SELECT id FROM orgs WHERE tenant_id = $1 AND parent_id = ANY($2)`}
}

func managerTree(tx pgx.Tx, tenantID int64) tree {
	return tree{tx, tenantID, false, "userd manager tree", "user",
		`SELECT COALESCE(manager_id, 0) FROM users WHERE tenant_id = $1 AND id = $2`,
		`SELECT id FROM users WHERE tenant_id = $1 AND manager_id = ANY($2)`}
}

// newNodes returns t for a write that only adds new nodes below existing
// ones.
func (t tree) newNodes() tree {
	t.shared = true
	return t
}

// Parent returns the parent of node id, 0 for a root.
func (t tree) Parent(ctx context.Context, id int64) (int64, error) {
	var parent int64
	err := t.tx.QueryRow(ctx, t.parent, t.tenantID, id).Scan(&parent)
	return parent, notFound(err, t.what)
}

// Children returns the nodes whose parent is one of ids.
func (t tree) Children(ctx context.Context, ids []int64) ([]int64, error) {
	rows, err := t.tx.Query(ctx, t.children, t.tenantID, ids)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// check locks the tenant's tree for the rest of the transaction and runs
// checks against it; nil checks are skipped, and with none there is no lock.
func (t tree) check(ctx context.Context, checks []directory.TreeCheck) error {
	locked := false
	for _, c := range checks {
		if c == nil {
			continue
		}
		if !locked {
			if err := t.take(ctx); err != nil {
				return err
			}
			locked = true
		}
		if err := c(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// take locks the tenant's tree for the rest of the transaction. The key
// mixes the tree's name with the tenant id; two trees that happen to share
// a key only wait for each other.
func (t tree) take(ctx context.Context) error {
	lock := `SELECT pg_advisory_xact_lock(hashtextextended($1, $2))`
	if t.shared {
		lock = `SELECT pg_advisory_xact_lock_shared(hashtextextended($1, $2))`
	}
	_, err := t.tx.Exec(ctx, lock, t.lock, t.tenantID)
	return err
}

// OrgNamed returns the org below parent (0: a root) named name ignoring
// case, or 0. It first takes a transaction-scoped advisory lock on the
// name among parent's children, so two writes that would give siblings
// one name run their checks one after the other (the second sees the
// first's row once it commits); writes of other names do not wait. It is
// the last lock a write takes, after the tree's, so locks are always taken
// in one order.
func (t tree) OrgNamed(ctx context.Context, parent int64, name string) (int64, error) {
	// The database folds case for the comparison, as its unique index on
	// usernames does; the lock key folds it in Go, which agrees for every
	// letter but a few whose lower case depends on the locale.
	key := "userd org name " + strconv.FormatInt(parent, 10) + " " + strings.ToLower(name)
	if _, err := t.tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, $2))`, key, t.tenantID); err != nil {
		return 0, err
	}
	var id int64
	err := t.tx.QueryRow(ctx, `SELECT id FROM orgs WHERE tenant_id = $1 AND lower(name) = lower($2) AND parent_id IS NOT DISTINCT FROM NULLIF($3, 0::bigint) LIMIT 1`,
		t.tenantID, name, parent).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return id, err
}
