package main

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/sqlite"
)

// sqliteYard runs the yardsticks on SQLite: userd's readers (their
// pragmas and number), each statement prepared once per connection as
// userd's readers prepare theirs.
type sqliteYard struct {
	db     *sql.DB
	tenant int64
	stmts  sync.Map // query text → *sql.Stmt
}

func openSQLiteYard(ctx context.Context, path string, tenantID int64) (*sqliteYard, error) {
	db, err := sqlite.OpenReaders(ctx, path)
	if err != nil {
		return nil, err
	}
	return &sqliteYard{db: db, tenant: tenantID}, nil
}

// query runs query, prepared on first use, and appends up to most of its
// rows to b as JSON objects, returning how many it wrote.
func (y *sqliteYard) query(ctx context.Context, b []byte, most int, query string, args ...any) (_ []byte, n int, err error) {
	st, ok := y.stmts.Load(query)
	if !ok {
		prepared, err := y.db.PrepareContext(ctx, query)
		if err != nil {
			return b, 0, fmt.Errorf("prepare: %w", err)
		}
		if st, ok = y.stmts.LoadOrStore(query, prepared); ok {
			_ = prepared.Close()
		}
	}
	rows, err := st.(*sql.Stmt).QueryContext(ctx, args...)
	if err != nil {
		return b, 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return b, 0, err
	}
	names := memberNames(cols)
	// Each column as the driver gives it (int64, float64, string, []byte
	// or nil), which database/sql does not convert, as userd's scan.
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() && n < most {
		if err := rows.Scan(dest...); err != nil {
			return b, n, err
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		for i, v := range vals {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, names[i]...)
			b = appendValue(b, v)
		}
		b = append(b, '}')
		n++
	}
	return b, n, rows.Err()
}

func (y *sqliteYard) brief(ctx context.Context, b []byte, id int64) ([]byte, bool, error) {
	b, n, err := y.query(ctx, b, 1, sqlite.UserBriefSQL, y.tenant, id)
	return b, n > 0, err
}

func (y *sqliteYard) cards(ctx context.Context, b []byte, ids []int64) ([]byte, error) {
	list := make([]byte, 0, 20*len(ids)+2)
	list = append(list, '[')
	for i, id := range ids {
		if i > 0 {
			list = append(list, ',')
		}
		list = strconv.AppendInt(list, id, 10)
	}
	list = append(list, ']')
	b = append(b, '[')
	b, _, err := y.query(ctx, b, len(ids), sqlite.UsersByIDSQL, y.tenant, string(list))
	return append(b, ']'), err
}

func (y *sqliteYard) list(ctx context.Context, b []byte, f directory.UserFilter) ([]byte, error) {
	query, args := sqlite.ListUsersSQL(y.tenant, f)
	b = append(b, '[')
	b, _, err := y.query(ctx, b, pageSize, query, args...)
	return append(b, ']'), err
}

func (y *sqliteYard) update(context.Context, []byte, int64, userUpdate, bool) ([]byte, bool, error) {
	return nil, false, errNoWrites
}

func (y *sqliteYard) patch(context.Context, []byte, int64, userPatch, bool) ([]byte, bool, error) {
	return nil, false, errNoWrites
}

// appendValue appends a value of the driver as JSON.
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case int64:
		return strconv.AppendInt(b, v, 10)
	case float64:
		return strconv.AppendFloat(b, v, 'g', -1, 64)
	case string:
		return appendString(b, v)
	case []byte:
		return appendString(b, v)
	case nil:
		return append(b, "null"...)
	}
	return appendString(b, fmt.Sprint(v))
}
