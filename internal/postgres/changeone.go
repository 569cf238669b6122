package postgres

import "github.com/userd/userd/internal/directory"

// queueChangeValues is the SELECT list that queues one change-log entry
// (change_queue's columns as queueChangesFrom inserts them) from scalar
// parameters: an update of one user has exactly one entry, which this
// sends and plans more cheaply than seven one-element arrays through
// unnest. Its arguments are oneChangeArgs.
const queueChangeValues = `INSERT INTO change_queue (tenant_id, object_type, object_id, op, version, fields, time)
SELECT $1, $2, $3, $4, $5, COALESCE($6::text[], '{}'), $7`

// oneChangeArgs returns the arguments of queueChangeValues for c.
func oneChangeArgs(c directory.Change) []any {
	return []any{c.TenantID, c.Type, c.ObjectID, c.Op, c.Version, c.Fields, c.Time}
}
