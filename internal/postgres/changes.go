package postgres

import (
	"context"
	"errors"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// recordChangesSQL queues the change-log entries of one write, all of one
// tenant ($1), in the order given. It takes no lock: the entries get their
// positions once committed, from sequence (see migration 00004).
const recordChangesSQL = queueChangesFrom + `
ORDER BY c.ord`

// queueChangesFrom is recordChangesSQL but its ORDER BY, so that
// updateUserStatement can add a condition.
const queueChangesFrom = `INSERT INTO change_queue (tenant_id, object_type, object_id, op, version, fields, time)
SELECT $1, c.typ, c.id, c.op, c.version, COALESCE(string_to_array(NULLIF(c.fields, ''), ','), '{}'), c.at
FROM unnest($2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::timestamptz[])
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
// position after, or ErrResync when entries after it were pruned. It first
// gives positions to the tenant's committed entries still queued, as many
// as the page needs: a page holds every change committed before the call
// unless it is full. A page the log already holds sequences nothing, and a
// page at its head at most one transaction's worth, however many entries
// wait.
func (s *Store) Changes(ctx context.Context, tenantID, after int64, limit int) ([]directory.Change, error) {
	upTo := int64(math.MaxInt64)
	if after <= math.MaxInt64-int64(limit) {
		upTo = after + int64(limit)
	}
	if err := s.sequence(ctx, tenantID, upTo); err != nil {
		return nil, err
	}
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

// sequenceBatch bounds the entries one sequencing transaction moves.
const sequenceBatch = 1000

// sequence gives positions to the committed entries of tenantID still in
// change_queue, oldest seq first, in transactions of up to sequenceBatch
// entries, until the tenant's last position is upTo or more or none is
// left (math.MaxInt64: all of them). It holds the tenant's change_heads row
// while it does, so one sequencer at a time moves a tenant's entries, each
// after the previous one's commit; a statement sees only committed entries,
// so an entry still in flight is left for a later call and gets a later
// position.
func (s *Store) sequence(ctx context.Context, tenantID, upTo int64) error {
	for {
		// The queue is looked at only when the head is short of upTo: until
		// a vacuum, a look scans the rows numbering deleted from it.
		var pending bool
		if err := s.pool.QueryRow(ctx, `SELECT CASE WHEN coalesce((SELECT last FROM change_heads WHERE tenant_id = $1), 0) < $2
			THEN EXISTS (SELECT 1 FROM change_queue WHERE tenant_id = $1) ELSE false END`, tenantID, upTo).Scan(&pending); err != nil {
			return storeError("sequence changes", err)
		}
		if !pending {
			return nil
		}
		var moved int
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			var last int64
			// Creates the head on the tenant's first entry; locks it in
			// any case, until this transaction ends.
			if err := tx.QueryRow(ctx, `INSERT INTO change_heads AS h (tenant_id, last) VALUES ($1, 0)
				ON CONFLICT (tenant_id) DO UPDATE SET last = h.last RETURNING last`, tenantID).Scan(&last); err != nil {
				return err
			}
			// A new snapshot: it sees the entries the previous sequencer
			// moved as moved.
			return tx.QueryRow(ctx, `WITH moved AS (
					DELETE FROM change_queue WHERE seq IN (
						SELECT seq FROM change_queue WHERE tenant_id = $1 ORDER BY seq LIMIT $3)
					RETURNING *),
				numbered AS (
					SELECT *, $2::bigint + row_number() OVER (ORDER BY seq) AS position FROM moved),
				inserted AS (
					INSERT INTO changes (tenant_id, position, object_type, object_id, op, version, fields, time)
					SELECT tenant_id, position, object_type, object_id, op, version, fields, time FROM numbered),
				head AS (
					UPDATE change_heads SET last = $2 + (SELECT count(*) FROM numbered) WHERE tenant_id = $1)
				SELECT count(*) FROM numbered`, tenantID, last, sequenceBatch).Scan(&moved)
		})
		if err != nil {
			return storeError("sequence changes", err)
		}
		if moved < sequenceBatch {
			return nil
		}
	}
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
// 0 when it has none, once the committed entries still queued have their
// positions.
func (s *Store) LastChange(ctx context.Context, tenantID int64) (int64, error) {
	if err := s.sequence(ctx, tenantID, math.MaxInt64); err != nil {
		return 0, err
	}
	var last int64
	err := s.pool.QueryRow(ctx, `SELECT last FROM change_heads WHERE tenant_id = $1`, tenantID).Scan(&last)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	return last, storeError("read the last change", err)
}

// PruneChanges gives positions to every queued entry, then deletes up to
// limit entries recorded before before, oldest first, and remembers per
// tenant the newest position it deleted.
func (s *Store) PruneChanges(ctx context.Context, before time.Time, limit int) (int, error) {
	// The entries of tenants nobody reads get their positions here, so the
	// queue does not grow without bound.
	tenants, err := query(ctx, s, "prune changes", func(row pgx.Row) (int64, error) {
		var id int64
		return id, row.Scan(&id)
	}, `SELECT DISTINCT tenant_id FROM change_queue`)
	if err != nil {
		return 0, err
	}
	for _, tenant := range tenants {
		if err := s.sequence(ctx, tenant, math.MaxInt64); err != nil {
			return 0, err
		}
	}
	var n int
	err = s.inTx(ctx, func(tx pgx.Tx) error {
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

// Autovacuum reports whether the server runs autovacuum, which reclaims
// the rows numbering deletes from change_queue; without it every read at
// the log's end scans them all (docs/operations.md, "The change log").
func (s *Store) Autovacuum(ctx context.Context) (bool, error) {
	var on bool
	err := s.pool.QueryRow(ctx, `SELECT current_setting('autovacuum')::boolean`).Scan(&on)
	return on, storeError("read the server's autovacuum setting", err)
}
