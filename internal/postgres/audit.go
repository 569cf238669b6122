package postgres

import (
	"strconv"
	"strings"

	"context"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// insertEvent writes ev in the transaction of the change it describes.
func insertEvent(ctx context.Context, tx pgx.Tx, ev directory.Event) error {
	_, err := tx.Exec(ctx, insertEventSQL, eventArgs(ev)...)
	return err
}

const insertEventSQL = insertEventInto + `
	VALUES (` + eventValues + `)`

// insertEventInto and eventValues are the parts of insertEventSQL, which
// updateUserStatement uses too.
const (
	insertEventInto = `INSERT INTO audit_events (tenant_id, time, actor, action, object_id, fields, client_ip)`
	eventValues     = `$1, $2, $3, $4, $5, COALESCE($6::text[], '{}'), $7`
)

func eventArgs(ev directory.Event) []any {
	return []any{ev.TenantID, ev.Time, ev.Actor, ev.Action, ev.ObjectID, ev.Fields, ev.ClientIP}
}

// RecordEvent writes an event that is not part of a change.
func (s *Store) RecordEvent(ctx context.Context, ev directory.Event) error {
	_, err := s.pool.Exec(ctx, insertEventSQL, eventArgs(ev)...)
	return storeError("record event", err)
}

// AuditEvents returns up to limit events of tenantID with id > afterID,
// oldest first.
func (s *Store) AuditEvents(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Event, error) {
	return query(ctx, s, "list events", scanEvent, `SELECT id, tenant_id, time, actor, action, object_id, fields, client_ip
		FROM audit_events WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3`, tenantID, afterID, limit)
}

// FindAuditEvents returns the events of tenantID that match f, oldest
// first.
func (s *Store) FindAuditEvents(ctx context.Context, tenantID int64, f directory.EventFilter) ([]directory.Event, error) {
	where := []string{`tenant_id = $1`, `id > $2`}
	args := []any{tenantID, f.AfterID}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, cond+` $`+strconv.Itoa(len(args)))
	}
	for _, c := range []struct{ column, value string }{{"actor", f.Actor}, {"object_id", f.ObjectID}, {"action", f.Action}} {
		if c.value != "" {
			add(c.column+` =`, c.value)
		}
	}
	if !f.Since.IsZero() {
		add(`time >=`, f.Since)
	}
	if !f.Until.IsZero() {
		add(`time <`, f.Until)
	}
	args = append(args, f.Limit)
	q := `SELECT id, tenant_id, time, actor, action, object_id, fields, client_ip FROM audit_events WHERE ` +
		strings.Join(where, ` AND `) + ` ORDER BY id LIMIT $` + strconv.Itoa(len(args))
	return query(ctx, s, "find events", scanEvent, q, args...)
}

func scanEvent(row pgx.Row) (directory.Event, error) {
	var ev directory.Event
	err := row.Scan(&ev.ID, &ev.TenantID, &ev.Time, &ev.Actor, &ev.Action, &ev.ObjectID, &ev.Fields, &ev.ClientIP)
	ev.Time = ev.Time.UTC()
	if len(ev.Fields) == 0 {
		ev.Fields = nil
	}
	return ev, err
}
