package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

const orgSelect = `SELECT id, tenant_id, name, COALESCE(code, ''), COALESCE(parent_id, 0), created_at, updated_at, version FROM orgs `

func scanOrg(row pgx.Row) (directory.Org, error) {
	var o directory.Org
	err := row.Scan(&o.ID, &o.TenantID, &o.Name, &o.Code, &o.ParentID, &o.CreatedAt, &o.UpdatedAt, &o.Version)
	if err != nil {
		return directory.Org{}, notFound(err, "org")
	}
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return o, nil
}

// CreateOrg inserts o and returns it with its id and version 1, once checks
// pass on the org tree.
func (s *Store) CreateOrg(ctx context.Context, o directory.Org, ev directory.Event, checks ...directory.TreeCheck) (directory.Org, error) {
	var id int64
	err := s.inTx(ctx, func(tx pgx.Tx) (err error) {
		if err := orgTree(tx, o.TenantID).newNodes().check(ctx, checks); err != nil {
			return err
		}
		id, err = insertTx(ctx, tx, ev, `INSERT INTO orgs (tenant_id, name, code, parent_id, created_at, updated_at, version)
			VALUES ($1, $2, NULLIF($3, ''), NULLIF($4, 0), $5, $6, 1) RETURNING id`,
			o.TenantID, o.Name, o.Code, o.ParentID, o.CreatedAt, o.UpdatedAt)
		if err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Created(ev.Changes, id))
	})
	if err != nil {
		return directory.Org{}, storeError("create org", err)
	}
	o.ID, o.Version = id, 1
	return o, nil
}

// Org returns one org of tenantID.
func (s *Store) Org(ctx context.Context, tenantID, id int64) (directory.Org, error) {
	var o directory.Org
	err := s.read(ctx, func(q querier) (err error) {
		o, err = scanOrg(q.QueryRow(ctx, orgSelect+`WHERE tenant_id = $1 AND id = $2`, tenantID, id))
		return err
	})
	return o, storeError("read org", err)
}

// OrgsByID returns the orgs of tenantID among ids.
func (s *Store) OrgsByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.Org, error) {
	return query(ctx, s, "read orgs", scanOrg, orgSelect+`WHERE tenant_id = $1 AND id = ANY($2)`, tenantID, ids)
}

// ListOrgs returns up to f.Limit orgs of tenantID with id > f.AfterID
// matching f, ordered by id.
func (s *Store) ListOrgs(ctx context.Context, tenantID int64, f directory.OrgFilter) ([]directory.Org, error) {
	where := []string{`tenant_id = $1`, `id > $2`}
	args := []any{tenantID, f.AfterID}
	if f.ParentID != 0 {
		args = append(args, f.ParentID)
		where = append(where, `parent_id = $`+strconv.Itoa(len(args)))
	}
	if f.Roots {
		where = append(where, `parent_id IS NULL`)
	}
	if f.Query != "" {
		args = append(args, likePrefix(f.Query))
		p := `$` + strconv.Itoa(len(args))
		where = append(where, `(lower(name) LIKE `+p+` OR lower(code) LIKE `+p+`)`)
	}
	args = append(args, f.Limit)
	q := orgSelect + `WHERE ` + strings.Join(where, ` AND `) + ` ORDER BY id LIMIT $` + strconv.Itoa(len(args))
	return query(ctx, s, "list orgs", scanOrg, q, args...)
}

// UpdateOrg stores o if the stored version is still o.Version and checks
// pass on the org tree, and returns it with the version incremented.
func (s *Store) UpdateOrg(ctx context.Context, o directory.Org, ev directory.Event, checks ...directory.TreeCheck) (directory.Org, error) {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		if err := orgTree(tx, o.TenantID).check(ctx, checks); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `UPDATE orgs SET name = $4, code = NULLIF($5, ''), parent_id = NULLIF($6, 0),
			updated_at = $7, version = version + 1
			WHERE tenant_id = $1 AND id = $2 AND version = $3 RETURNING version`,
			o.TenantID, o.ID, o.Version, o.Name, o.Code, o.ParentID, o.UpdatedAt).Scan(&o.Version)
		if err != nil {
			return versionError(ctx, tx, err, "orgs", "org", o.TenantID, o.ID)
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Versioned(ev.Changes, o.Version))
	})
	if err != nil {
		return directory.Org{}, storeError("update org", err)
	}
	return o, nil
}

// DeleteOrg removes an org that has no members and no child orgs. A version
// other than 0 must match the stored one.
func (s *Store) DeleteOrg(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Removing a leaf changes no other org's place, so the tree lock is
		// shared, as for a create; it keeps a move, which rewrites the
		// ancestry of everything below the moved org (migration 00011),
		// from interleaving with the delete. It comes before the row lock,
		// the order a move takes them in.
		if err := orgTree(tx, tenantID).newNodes().take(ctx); err != nil {
			return err
		}
		// The row lock makes a concurrent new member or child wait for this
		// transaction and then fail its foreign key check.
		stored, err := lockVersion(ctx, tx, "orgs", "org", tenantID, id, version)
		if err != nil {
			return err
		}
		var members, children bool
		err = tx.QueryRow(ctx, `SELECT
			EXISTS (SELECT 1 FROM user_orgs WHERE tenant_id = $1 AND org_id = $2),
			EXISTS (SELECT 1 FROM orgs WHERE tenant_id = $1 AND parent_id = $2)`, tenantID, id).Scan(&members, &children)
		switch {
		case err != nil:
			return err
		case members:
			return directory.Violation(directory.HasMembers, "", nil)
		case children:
			return directory.Violation(directory.HasChildren, "", nil)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM orgs WHERE tenant_id = $1 AND id = $2`, tenantID, id); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Versioned(ev.Changes, stored+1))
	})
	return storeError("delete org", err)
}
