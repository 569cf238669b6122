package postgres

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// recordChangesSQL writes the change-log entries of one write, all of one
// tenant ($1), at the tenant's next positions. It takes them from
// change_heads with an upsert whose row lock is held until the
// transaction ends: the next writer of the tenant waits for it, and so
// gets larger positions only once this transaction's commit is visible.
// Positions thus follow commit order, which a sequence (handed out at
// insert) would not; see migration 00004. It must be the writing
// transaction's last statement, so the lock is held for no more than the
// commit.
const recordChangesSQL = `WITH head AS (
	INSERT INTO change_heads AS h (tenant_id, last) VALUES ($1, cardinality($2::text[]))
	ON CONFLICT (tenant_id) DO UPDATE SET last = h.last + excluded.last
	RETURNING last)
INSERT INTO changes (tenant_id, position, object_type, object_id, op, version, fields, time)
SELECT $1, head.last - cardinality($2::text[]) + c.ord, c.typ, c.id, c.op, c.version,
	COALESCE(string_to_array(NULLIF(c.fields, ''), ','), '{}'), c.at
FROM head, unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[])
	WITH ORDINALITY AS c(typ, id, op, version, fields, at, ord)`

// changeArgs returns the arguments of recordChangesSQL for changes, all of
// one tenant; ok is false when there are none.
func changeArgs(changes []directory.Change) (args []any, ok bool) {
	if len(changes) == 0 {
		return nil, false
	}
	n := len(changes)
	var (
		types, ops, fields = make([]string, n), make([]string, n), make([]string, n)
		ids, versions      = make([]int64, n), make([]int64, n)
		times              = make([]time.Time, n)
	)
	for i, c := range changes {
		types[i], ids[i], ops[i], versions[i], times[i] = c.Type, c.ObjectID, c.Op, c.Version, c.Time
		// Field names are the domain's own (letters and '_'), never a comma.
		fields[i] = strings.Join(c.Fields, ",")
	}
	return []any{changes[0].TenantID, types, ids, ops, versions, fields, times}, true
}

// recordChanges writes changes in tx; see recordChangesSQL.
func recordChanges(ctx context.Context, tx pgx.Tx, changes []directory.Change) error {
	args, ok := changeArgs(changes)
	if !ok {
		return nil
	}
	_, err := tx.Exec(ctx, recordChangesSQL, args...)
	return err
}

// queueChanges adds the write of changes to b, if there are any.
func queueChanges(b *pgx.Batch, changes []directory.Change) {
	if args, ok := changeArgs(changes); ok {
		b.Queue(recordChangesSQL, args...)
	}
}

// Changes returns up to limit change-log entries of tenantID after the
// position after, or ErrResync when entries after it were pruned. A
// statement sees only committed entries, and an entry's position is handed
// out only once every smaller one of its tenant has committed, so the page
// never has a hole that fills later.
func (s *Store) Changes(ctx context.Context, tenantID, after int64, limit int) ([]directory.Change, error) {
	changes, err := query(ctx, s, "read changes", scanChange, `SELECT tenant_id, position, object_type, object_id, op, version, fields, time
		FROM changes WHERE tenant_id = $1 AND position > $2 ORDER BY position LIMIT $3`, tenantID, after, limit)
	if err != nil {
		return nil, err
	}
	// Checked after the read: a prune that deleted entries after `after`
	// before the read had committed its mark by then, so a page with a gap
	// is never answered.
	var pruned int64
	err = s.pool.QueryRow(ctx, `SELECT position FROM change_pruned WHERE tenant_id = $1`, tenantID).Scan(&pruned)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, storeError("read changes", err)
	}
	if after < pruned {
		return nil, directory.ErrResync
	}
	return changes, nil
}

func scanChange(row pgx.Row) (directory.Change, error) {
	var c directory.Change
	err := row.Scan(&c.TenantID, &c.Position, &c.Type, &c.ObjectID, &c.Op, &c.Version, &c.Fields, &c.Time)
	c.Time = c.Time.UTC()
	if len(c.Fields) == 0 {
		c.Fields = nil
	}
	return c, err
}

// LastChange returns the position of tenantID's newest committed entry, or
// 0 when it has none.
func (s *Store) LastChange(ctx context.Context, tenantID int64) (int64, error) {
	var last int64
	err := s.pool.QueryRow(ctx, `SELECT last FROM change_heads WHERE tenant_id = $1`, tenantID).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return last, storeError("read the last change", err)
}

// PruneChanges deletes up to limit entries recorded before before, oldest
// first, and remembers per tenant the newest position it deleted.
func (s *Store) PruneChanges(ctx context.Context, before time.Time, limit int) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		n = 0
		rows, err := tx.Query(ctx, `DELETE FROM changes WHERE (tenant_id, position) IN (
			SELECT tenant_id, position FROM changes WHERE time < $1 ORDER BY time LIMIT $2 FOR UPDATE SKIP LOCKED)
			RETURNING tenant_id, position`, before, limit)
		if err != nil {
			return err
		}
		newest := map[int64]int64{}
		var tenant, pos int64
		if _, err := pgx.ForEachRow(rows, []any{&tenant, &pos}, func() error {
			newest[tenant] = max(newest[tenant], pos)
			n++
			return nil
		}); err != nil {
			return err
		}
		// By tenant, so nodes pruning at once lock the marks in one order.
		for _, tenant := range slices.Sorted(maps.Keys(newest)) {
			if _, err := tx.Exec(ctx, `INSERT INTO change_pruned AS p (tenant_id, position) VALUES ($1, $2)
				ON CONFLICT (tenant_id) DO UPDATE SET position = greatest(p.position, excluded.position)`, tenant, newest[tenant]); err != nil {
				return err
			}
		}
		return nil
	})
	return n, storeError("prune changes", err)
}
