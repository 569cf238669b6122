package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
)

const orgColumns = `id, tenant_id, name, code, parent_id, created_at, updated_at, version`

func scanOrg(sc scanner) (directory.Org, error) {
	var (
		o                directory.Org
		code             sql.NullString
		parent           sql.NullInt64
		created, updated sql.NullInt64
	)
	if err := sc.Scan(&o.ID, &o.TenantID, &o.Name, &code, &parent, &created, &updated, &o.Version); err != nil {
		return o, err
	}
	o.Code, o.ParentID = code.String, parent.Int64
	o.CreatedAt, o.UpdatedAt = fromMicros(created), fromMicros(updated)
	return o, nil
}

// orgArgs returns the values of the columns name, name_lower, code,
// code_lower, parent_id, updated_at.
func orgArgs(o *directory.Org) []any {
	var codeLower any
	if o.Code != "" {
		codeLower = strings.ToLower(o.Code)
	}
	return []any{o.Name, strings.ToLower(o.Name), nullString(o.Code), codeLower, nullID(o.ParentID), micros(o.UpdatedAt)}
}

// orgConflict names the field behind a constraint error on writing an org:
// the only unique value is the code and the only reference the parent.
func orgConflict(err error) error {
	switch {
	case isUniqueViolation(err):
		return directory.Violation(directory.Taken, "code", err)
	case isForeignKeyViolation(err):
		return directory.Violation(directory.Missing, "parent_id", err)
	}
	return err
}

// CreateOrg inserts o with version 1, once checks pass on the org tree.
func (s *Store) CreateOrg(ctx context.Context, o directory.Org, ev directory.Event, checks ...directory.TreeCheck) (directory.Org, error) {
	err := s.write(ctx, func(tx querier) error {
		if err := orgTree(tx, o.TenantID).check(ctx, checks); err != nil {
			return err
		}
		args := append([]any{o.TenantID}, orgArgs(&o)...)
		args = append(args, micros(o.CreatedAt))
		err := tx.QueryRowContext(ctx, `INSERT INTO orgs (tenant_id, name, name_lower, code, code_lower, parent_id, updated_at, created_at, version)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) RETURNING id`, args...).Scan(&o.ID)
		if err != nil {
			return orgConflict(err)
		}
		ev.ObjectID = strconv.FormatInt(o.ID, 10)
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Created(ev.Changes, o.ID))
	})
	if err != nil {
		return directory.Org{}, err
	}
	o.Version = 1
	return o, nil
}

// Org returns one org of the tenant.
func (s *Store) Org(ctx context.Context, tenantID, id int64) (directory.Org, error) {
	o, err := scanOrg(s.rq.QueryRowContext(ctx, `SELECT `+orgColumns+` FROM orgs WHERE tenant_id = ? AND id = ?`, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return directory.Org{}, notFound("org")
	}
	return o, storeError(err)
}

// OrgsByID returns the orgs of the tenant among ids.
func (s *Store) OrgsByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.Org, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(ctx, s.rq, scanOrg, `SELECT `+orgColumns+` FROM orgs
		WHERE tenant_id = ? AND id IN (SELECT value FROM json_each(?))`, tenantID, idList(ids))
}

// ListOrgs returns up to f.Limit orgs with id > f.AfterID matching f, by id.
func (s *Store) ListOrgs(ctx context.Context, tenantID int64, f directory.OrgFilter) ([]directory.Org, error) {
	query := `SELECT ` + orgColumns + ` FROM orgs WHERE tenant_id = ? AND id > ?`
	args := []any{tenantID, f.AfterID}
	if f.ParentID != 0 {
		query += ` AND parent_id = ?`
		args = append(args, f.ParentID)
	}
	if f.Roots {
		query += ` AND parent_id IS NULL`
	}
	if f.Query != "" {
		lo, hi := prefixRange(f.Query)
		query += ` AND (name_lower >= ? AND name_lower < ? OR code_lower >= ? AND code_lower < ?)`
		args = append(args, lo, hi, lo, hi)
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	return queryAll(ctx, s.rq, scanOrg, query, args...)
}

// UpdateOrg stores o if the stored version is still o.Version and checks
// pass on the org tree.
func (s *Store) UpdateOrg(ctx context.Context, o directory.Org, ev directory.Event, checks ...directory.TreeCheck) (directory.Org, error) {
	err := s.write(ctx, func(tx querier) error {
		if err := orgTree(tx, o.TenantID).check(ctx, checks); err != nil {
			return err
		}
		args := append(orgArgs(&o), o.TenantID, o.ID, o.Version)
		res, err := tx.ExecContext(ctx, `UPDATE orgs SET (name, name_lower, code, code_lower, parent_id, updated_at) = (?, ?, ?, ?, ?, ?),
			version = version + 1 WHERE tenant_id = ? AND id = ? AND version = ?`, args...)
		if err != nil {
			return orgConflict(err)
		}
		if err := checkUpdated(ctx, tx, res, "org", `SELECT 1 FROM orgs WHERE tenant_id = ? AND id = ?`, o.TenantID, o.ID); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Versioned(ev.Changes, o.Version+1))
	})
	if err != nil {
		return directory.Org{}, err
	}
	o.Version++
	return o, nil
}

// DeleteOrg removes an org that has no members and no child orgs.
func (s *Store) DeleteOrg(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error {
		stored, err := checkVersion(ctx, tx, "org", `SELECT version FROM orgs WHERE tenant_id = ? AND id = ?`, tenantID, id, version)
		if err != nil {
			return err
		}
		members, err := exists(ctx, tx, `SELECT 1 FROM memberships WHERE tenant_id = ? AND org_id = ? LIMIT 1`, tenantID, id)
		if err != nil {
			return err
		}
		if members {
			return directory.Violation(directory.HasMembers, "", nil)
		}
		children, err := exists(ctx, tx, `SELECT 1 FROM orgs WHERE tenant_id = ? AND parent_id = ? LIMIT 1`, tenantID, id)
		if err != nil {
			return err
		}
		if children {
			return directory.Violation(directory.HasChildren, "", nil)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM orgs WHERE tenant_id = ? AND id = ?`, tenantID, id); err != nil {
			return err
		}
		if err := insertEvent(ctx, tx, ev); err != nil {
			return err
		}
		return recordChanges(ctx, tx, directory.Versioned(ev.Changes, stored+1))
	})
}
