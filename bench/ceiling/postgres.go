package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/postgres"
)

// postgresYard runs the yardsticks on PostgreSQL, on pools of the size and
// settings userd's store gives the URL (postgres.PoolConfig). pgx prepares
// each statement once per connection, as for userd.
type postgresYard struct {
	pool *pgxpool.Pool
	// generic runs the statements userd runs on their generic plan: with
	// plan_cache_mode = force_generic_plan set once per connection, where
	// userd sets it in a batch before each such statement.
	generic *pgxpool.Pool
	// async writes with synchronous_commit = off: no durable write can be
	// faster.
	async  *pgxpool.Pool
	tenant int64
}

// textResults asks for every column as text, which query copies into
// the JSON as a string.
var textResults = pgx.QueryResultFormats{pgx.TextFormatCode}

// updateSQL is the least a write of the bench's openapi-put must do in
// userd's store: one UPDATE of its columns and of the version and
// updated_at, as the store sets them, by tenant and id, with the audit
// event and the change-log entry every write of userd commits with it, in
// one statement, a transaction of its own. What it leaves out is the read
// before the write.
var updateSQL = logged(`UPDATE users SET phone = $3, enterprise_id = $4, active = $5, updated_at = $6, version = version + 1
	WHERE tenant_id = $1 AND id = $2`, "$6", "{phone,enterprise_id}")

// patchSQL is the same for the bench's admin-patch, whose columns no index
// holds.
var patchSQL = logged(`UPDATE users SET city = $3, grade = $4, updated_at = $5, version = version + 1
	WHERE tenant_id = $1 AND id = $2`, "$5", "{city,grade}")

// logged wraps update, an UPDATE of one user of tenant $1, in the rows
// userd writes with it: an audit event and a change-log entry naming
// fields, at the time parameter at. It returns the user's new version.
func logged(update, at, fields string) string {
	return `WITH u AS (` + update + ` RETURNING id, version),
	a AS (INSERT INTO audit_events (tenant_id, time, actor, action, object_id, fields, client_ip)
		SELECT $1, ` + at + `, 'client-bench', 'user.update', u.id::text, '` + fields + `', '127.0.0.1' FROM u)
	INSERT INTO change_queue (tenant_id, object_type, object_id, op, version, fields, time)
	SELECT $1, 'user', u.id, 'update', u.version, '` + fields + `', ` + at + ` FROM u RETURNING version`
}

func openPostgresYard(ctx context.Context, dbURL string, tenantID int64) (*postgresYard, error) {
	y := &postgresYard{tenant: tenantID}
	for _, p := range []struct {
		pool  **pgxpool.Pool
		param string
		value string
	}{{&y.pool, "", ""}, {&y.generic, "plan_cache_mode", "force_generic_plan"}, {&y.async, "synchronous_commit", "off"}} {
		cfg, err := postgres.PoolConfig(dbURL)
		if err != nil {
			y.close()
			return nil, err
		}
		if p.param != "" {
			cfg.ConnConfig.RuntimeParams[p.param] = p.value
		}
		if *p.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
			y.close()
			return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
		}
	}
	return y, nil
}

func (y *postgresYard) close() {
	for _, p := range []*pgxpool.Pool{y.pool, y.generic, y.async} {
		if p != nil {
			p.Close()
		}
	}
}

// query runs query on pool and appends up to most of its rows to b as JSON
// objects, returning how many it wrote.
func query(ctx context.Context, pool *pgxpool.Pool, b []byte, most int, query string, args ...any) (_ []byte, n int, err error) {
	rows, err := pool.Query(ctx, query, append([]any{textResults}, args...)...)
	if err != nil {
		return b, 0, err
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	members := memberNames(names)
	for rows.Next() && n < most {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for i, v := range rows.RawValues() {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, members[i]...)
			if v == nil {
				b = append(b, "null"...)
			} else {
				b = appendString(b, v)
			}
		}
		b = append(b, '}')
		n++
	}
	return b, n, rows.Err()
}

func (y *postgresYard) brief(ctx context.Context, b []byte, id int64) ([]byte, bool, error) {
	b, n, err := query(ctx, y.pool, b, 1, postgres.UserBriefSQL, y.tenant, id)
	return b, n > 0, err
}

func (y *postgresYard) cards(ctx context.Context, b []byte, ids []int64) ([]byte, error) {
	b = append(b, '[')
	b, _, err := query(ctx, y.pool, b, len(ids), postgres.UsersByIDSQL, y.tenant, ids)
	return append(b, ']'), err
}

func (y *postgresYard) list(ctx context.Context, b []byte, f directory.UserFilter) ([]byte, error) {
	sql, args, generic := postgres.ListUsersSQL(y.tenant, f)
	pool := y.pool
	if generic {
		pool = y.generic
	}
	b = append(b, '[')
	b, _, err := query(ctx, pool, b, pageSize, sql, args...)
	return append(b, ']'), err
}

func (y *postgresYard) update(ctx context.Context, b []byte, id int64, in userUpdate, durable bool) ([]byte, bool, error) {
	pool := y.pool
	if !durable {
		pool = y.async
	}
	return written(b, id, pool.QueryRow(ctx, updateSQL, y.tenant, id, in.phone, in.enterpriseID, in.active, time.Now().UTC()))
}

func (y *postgresYard) patch(ctx context.Context, b []byte, id int64, in userPatch, durable bool) ([]byte, bool, error) {
	pool := y.pool
	if !durable {
		pool = y.async
	}
	return written(b, id, pool.QueryRow(ctx, patchSQL, y.tenant, id, in.city, in.grade, time.Now().UTC()))
}

// written appends the id and new version an update's row returns; found
// is false when the update matched no user.
func written(b []byte, id int64, row pgx.Row) ([]byte, bool, error) {
	var version int64
	err := row.Scan(&version)
	if errors.Is(err, pgx.ErrNoRows) {
		return b, false, nil
	}
	if err != nil {
		return b, false, err
	}
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, version, 10)
	return append(b, '}'), true, nil
}
