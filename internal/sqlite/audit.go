package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/userd/userd/internal/directory"
)

// insertEvent writes ev in the transaction of the change it describes.
func insertEvent(ctx context.Context, q querier, ev directory.Event) error {
	fields := ev.Fields
	if fields == nil {
		fields = []string{}
	}
	fieldsJSON, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("sqlite: encode event fields: %w", err)
	}
	_, err = q.ExecContext(ctx, `INSERT INTO audit_events (tenant_id, time, actor, action, object_id, fields, client_ip)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, ev.TenantID, micros(ev.Time), ev.Actor, ev.Action, ev.ObjectID, string(fieldsJSON), ev.ClientIP)
	return err
}

func scanEvent(sc scanner) (directory.Event, error) {
	var (
		ev     directory.Event
		at     sql.NullInt64
		fields []byte
	)
	if err := sc.Scan(&ev.ID, &ev.TenantID, &at, &ev.Actor, &ev.Action, &ev.ObjectID, &fields, &ev.ClientIP); err != nil {
		return ev, err
	}
	ev.Time = fromMicros(at)
	if err := json.Unmarshal(fields, &ev.Fields); err != nil {
		return ev, fmt.Errorf("sqlite: event %d: decode fields: %w", ev.ID, err)
	}
	return ev, nil
}

// AuditEvents returns up to limit events of the tenant with id > afterID,
// oldest first.
func (s *Store) AuditEvents(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Event, error) {
	return queryAll(ctx, s.rq, scanEvent, `SELECT id, tenant_id, time, actor, action, object_id, fields, client_ip
		FROM audit_events WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?`, tenantID, afterID, limit)
}

// FindAuditEvents returns the events of tenantID that match f, oldest
// first.
func (s *Store) FindAuditEvents(ctx context.Context, tenantID int64, f directory.EventFilter) ([]directory.Event, error) {
	query := `SELECT id, tenant_id, time, actor, action, object_id, fields, client_ip
		FROM audit_events WHERE tenant_id = ? AND id > ?`
	args := []any{tenantID, f.AfterID}
	for _, c := range []struct{ column, value string }{{"actor", f.Actor}, {"object_id", f.ObjectID}, {"action", f.Action}} {
		if c.value != "" {
			query += ` AND ` + c.column + ` = ?`
			args = append(args, c.value)
		}
	}
	if !f.Since.IsZero() {
		query += ` AND time >= ?`
		args = append(args, micros(f.Since))
	}
	if !f.Until.IsZero() {
		query += ` AND time < ?`
		args = append(args, micros(f.Until))
	}
	query += ` ORDER BY id LIMIT ?`
	args = append(args, f.Limit)
	return queryAll(ctx, s.rq, scanEvent, query, args...)
}

// RecordEvent writes an event that is not part of a change.
func (s *Store) RecordEvent(ctx context.Context, ev directory.Event) error {
	return s.write(ctx, func(tx querier) error { return insertEvent(ctx, tx, ev) })
}
