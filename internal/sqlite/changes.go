package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/userd/userd/internal/directory"
)

// recordChanges writes the change-log entries of one write, all of one
// tenant, in its transaction, at the tenant's next positions. SQLite has
// one writer, so positions follow commit order.
func recordChanges(ctx context.Context, tx querier, changes []directory.Change) error {
	if len(changes) == 0 {
		return nil
	}
	n := int64(len(changes))
	var last int64
	err := tx.QueryRowContext(ctx, `INSERT INTO change_heads (tenant_id, last) VALUES (?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET last = last + excluded.last RETURNING last`, changes[0].TenantID, n).Scan(&last)
	if err != nil {
		return err
	}
	for i, c := range changes {
		fields := c.Fields
		if fields == nil {
			fields = []string{}
		}
		fieldsJSON, err := json.Marshal(fields)
		if err != nil {
			return fmt.Errorf("sqlite: encode change fields: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO changes (tenant_id, position, object_type, object_id, op, version, fields, time)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, c.TenantID, last-n+1+int64(i), c.Type, c.ObjectID, c.Op, c.Version, string(fieldsJSON), micros(c.Time)); err != nil {
			return err
		}
	}
	return nil
}

// Changes returns up to limit change-log entries of the tenant after the
// position after, or ErrResync when entries after it were pruned.
func (s *Store) Changes(ctx context.Context, tenantID, after int64, limit int) ([]directory.Change, error) {
	changes, err := queryAll(ctx, s.rq, scanChange, `SELECT tenant_id, position, object_type, object_id, op, version, fields, time
		FROM changes WHERE tenant_id = ? AND position > ? ORDER BY position LIMIT ?`, tenantID, after, limit)
	if err != nil {
		return nil, err
	}
	// Checked after the read: a prune that deleted entries after `after`
	// before the read had committed its mark by then, so a page with a
	// gap is never answered.
	var pruned int64
	err = s.rq.QueryRowContext(ctx, `SELECT position FROM change_pruned WHERE tenant_id = ?`, tenantID).Scan(&pruned)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, storeError(err)
	}
	if after < pruned {
		return nil, directory.ErrResync
	}
	return changes, nil
}

// LastChange returns the position of the tenant's newest change-log entry,
// or 0 when it has none.
func (s *Store) LastChange(ctx context.Context, tenantID int64) (int64, error) {
	var last int64
	err := s.rq.QueryRowContext(ctx, `SELECT last FROM change_heads WHERE tenant_id = ?`, tenantID).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return last, storeError(err)
}

func scanChange(sc scanner) (directory.Change, error) {
	var (
		c      directory.Change
		fields string
		at     sql.NullInt64
	)
	if err := sc.Scan(&c.TenantID, &c.Position, &c.Type, &c.ObjectID, &c.Op, &c.Version, &fields, &at); err != nil {
		return c, err
	}
	c.Time = fromMicros(at)
	if err := json.Unmarshal([]byte(fields), &c.Fields); err != nil {
		return c, fmt.Errorf("sqlite: change %d of tenant %d: decode fields: %w", c.Position, c.TenantID, err)
	}
	if len(c.Fields) == 0 {
		c.Fields = nil
	}
	return c, nil
}

// PruneChanges deletes up to limit entries recorded before before, oldest
// first, and remembers per tenant the newest position it deleted.
func (s *Store) PruneChanges(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.write(ctx, func(tx querier) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM changes WHERE (tenant_id, position) IN (
			SELECT tenant_id, position FROM changes WHERE time < ? ORDER BY time LIMIT ?)
			RETURNING tenant_id, position`, before.UnixMicro(), limit)
		if err != nil {
			return err
		}
		newest := map[int64]int64{}
		for rows.Next() {
			var tenant, pos int64
			if err := rows.Scan(&tenant, &pos); err != nil {
				rows.Close()
				return err
			}
			newest[tenant] = max(newest[tenant], pos)
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for tenant, pos := range newest {
			if _, err := tx.ExecContext(ctx, `INSERT INTO change_pruned (tenant_id, position) VALUES (?, ?)
				ON CONFLICT (tenant_id) DO UPDATE SET position = max(position, excluded.position)`, tenant, pos); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}
