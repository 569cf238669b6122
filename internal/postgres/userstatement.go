package postgres

import (
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// updateUserStatement returns UpdateUser's write as one statement, so the
// committer can pipeline it with the writes around it: the UPDATE of
// update (updateUserQuery, guarded by the version), ev and the change-log
// entries of changes (all of the user's tenant) inserted only when the
// UPDATE matched. It writes nothing when the user is missing or at another
// version; its row is the new version, or NULL and whether the user
// exists. *version receives the new version.
func updateUserStatement(update string, args []any, ev directory.Event, changes []directory.Change, version *int64) *statement {
	sql := `WITH updated AS (` + update + `),
	event AS (` + insertEventInto + `
		SELECT ` + shiftParams(eventValues, len(args)) + ` FROM updated)`
	args = append(args, eventArgs(ev)...)
	if len(changes) == 1 {
		sql += `,
	change AS (` + shiftParams(queueChangeValues, len(args)) + ` FROM updated)`
		args = append(args, oneChangeArgs(changes[0])...)
	} else if changeArgs, ok := changeArgs(changes); ok {
		sql += `,
	change AS (` + shiftParams(queueChangesFrom, len(args)) + `
		WHERE EXISTS (SELECT 1 FROM updated) ORDER BY c.ord)`
		args = append(args, changeArgs...)
	}
	// $1 and $2 are the tenant and the user (updateUserQuery).
	sql += `
SELECT version, true FROM updated
UNION ALL
SELECT NULL, EXISTS (SELECT 1 FROM users WHERE tenant_id = $1 AND id = $2) WHERE NOT EXISTS (SELECT 1 FROM updated)`
	return &statement{sql: sql, args: args, scan: func(row pgx.Row) (outcome, err error) {
		var v *int64
		var exists bool
		if err := row.Scan(&v, &exists); err != nil {
			return nil, err
		}
		switch {
		case v != nil:
			*version = *v
			return nil, nil
		case exists:
			return directory.ErrVersionMismatch, nil
		default:
			return directory.Errorf(directory.NotFound, "", "no such user"), nil
		}
	}}
}

// shiftParams renumbers the parameters $1, $2, ... of sql to follow n
// others. sql has no '$' but in its parameters.
func shiftParams(sql string, n int) string {
	var b strings.Builder
	b.Grow(len(sql) + len(sql)/8)
	for {
		i := strings.IndexByte(sql, '$')
		if i < 0 {
			b.WriteString(sql)
			return b.String()
		}
		j := i + 1
		for j < len(sql) && '0' <= sql[j] && sql[j] <= '9' {
			j++
		}
		k, _ := strconv.Atoi(sql[i+1 : j])
		b.WriteString(sql[:i+1])
		b.WriteString(strconv.Itoa(k + n))
		sql = sql[j:]
	}
}
