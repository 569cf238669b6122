package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// forceGenericPlan makes the statements after it in the same transaction
// run on their generic plan, the one PostgreSQL makes once per connection
// and statement, rather than plan them afresh with each run's values. It
// is local to the transaction: a batch without BEGIN is one implicit
// transaction up to its Sync, so the setting ends with the batch, on
// success or failure, and no other statement of the connection sees it.
const forceGenericPlan = `SELECT set_config('plan_cache_mode', 'force_generic_plan', true)`

// queryGenericInto is queryInto for a statement whose generic plan is
// right whatever its values (TestListUsersPlan shows the plan). With the
// default plan_cache_mode = auto, PostgreSQL plans a prepared statement
// afresh at each run while a custom plan's estimate plus the cost it
// guesses for planning stays below the generic plan's; for a prefix range
// read that is every run, and planning costs the database several times
// what reading the page does. The setting and the statement go in one
// round trip.
func queryGenericInto[T any](ctx context.Context, s *Store, op string, scan func(pgx.Row) (T, error), dst []T, sql string, args ...any) ([]T, error) {
	var out []T
	err := s.readHeavy(ctx, func(q querier) error {
		b := &pgx.Batch{}
		b.Queue(forceGenericPlan)
		b.Queue(sql, args...)
		br := q.SendBatch(ctx, b)
		if _, err := br.Exec(); err != nil {
			br.Close()
			return err
		}
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return err
		}
		out, err = pgx.AppendRows(dst[:0], rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
		if err != nil {
			br.Close()
			return err
		}
		return br.Close()
	})
	return out, storeError(op, err)
}

// listUsers runs a query of listUsersArgs, appending its rows to dst.
func listUsers(ctx context.Context, s *Store, scan func(pgx.Row) (directory.User, error), dst []directory.User, sel string, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	q, args, generic := listUsersArgs(sel, tenantID, f)
	if generic {
		return queryGenericInto(ctx, s, "list users", scan, dst, q, args...)
	}
	return queryInto(ctx, s, "list users", scan, dst, q, args...)
}
