package postgres

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/userd/userd/internal/directory"
)

// usersByIDSQL reads the columns of a directory.Card, in the order
// scanCard takes them, of the tenant's users among an array of ids: one
// statement, prepared once per connection, whatever the number of ids.
const usersByIDSQL = `SELECT id, tenant_id, COALESCE(email, ''), name, employee_number,
	COALESCE(manager_id, 0), phone, phone_country_code, address, city, province, country, comment, extension
	FROM users WHERE tenant_id = $1 AND id = ANY($2)`

// cardColumnCount is the number of columns usersByIDSQL selects.
const cardColumnCount = 14

// UsersByID returns the users of tenantID among ids, each as a
// directory.Card.
func (s *Store) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	users := make([]directory.User, 0, min(len(ids), directory.MaxBatch))
	err := s.read(ctx, func(q querier) error {
		users = users[:0]
		rows, err := q.Query(ctx, usersByIDSQL, tenantID, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		if err := checkCardFields(rows.FieldDescriptions()); err != nil {
			return err
		}
		for rows.Next() {
			u, err := scanCard(rows.RawValues())
			if err != nil {
				return err
			}
			users = append(users, u)
		}
		return rows.Err()
	})
	return users, storeError("read users", err)
}

// checkCardFields returns an error unless the columns of usersByIDSQL come
// as scanCard reads them: the integers as binary int8, the texts as text
// (either format holds the same bytes) and the extension as jsonb text,
// the formats pgx asks for them in.
func checkCardFields(fields []pgconn.FieldDescription) error {
	if len(fields) != cardColumnCount {
		return fmt.Errorf("got %d columns, want %d", len(fields), cardColumnCount)
	}
	for i, f := range fields {
		ok := false
		switch i {
		case 0, 1, 5:
			ok = f.DataTypeOID == pgtype.Int8OID && f.Format == pgx.BinaryFormatCode
		case 13:
			ok = f.DataTypeOID == pgtype.JSONBOID && f.Format == pgx.TextFormatCode
		default:
			ok = f.DataTypeOID == pgtype.TextOID
		}
		if !ok {
			return fmt.Errorf("column %q has type %d in format %d, which the read does not decode: was the schema changed outside userd?", f.Name, f.DataTypeOID, f.Format)
		}
	}
	return nil
}

// scanCard converts a row of usersByIDSQL, as checkCardFields found its
// columns, into a user. Its texts are substrings of one string per row:
// scanning each column into a string of its own cost an allocation per
// column, most of the allocations of a batch.
func scanCard(v [][]byte) (directory.User, error) {
	var r cardRow
	r.join(v)
	u := directory.User{
		ID: r.int8(0), TenantID: r.int8(1), Email: r.text(2), Name: r.text(3), EmployeeNumber: r.text(4),
		ManagerID: r.int8(5), Phone: r.text(6), PhoneCountryCode: r.text(7), Address: r.text(8),
		City: r.text(9), Province: r.text(10), Country: r.text(11), Comment: r.text(12),
	}
	if r.err != nil {
		return directory.User{}, fmt.Errorf("user %d: %w", u.ID, r.err)
	}
	var err error
	if u.Extension, err = directory.DecodeExtension(r.text(13)); err != nil {
		return directory.User{}, fmt.Errorf("user %d: decode extension: %w", u.ID, err)
	}
	return u, nil
}

// cardRow holds the raw values of a row of usersByIDSQL, their bytes
// copied into one string.
type cardRow struct {
	v   [][]byte
	s   string
	at  [cardColumnCount + 1]int // where each value starts in s, and where s ends
	err error
}

// join copies the values v into one string.
func (r *cardRow) join(v [][]byte) {
	r.v = v
	for i, b := range v {
		r.at[i+1] = r.at[i] + len(b)
	}
	var all strings.Builder
	all.Grow(r.at[len(v)])
	for _, b := range v {
		all.Write(b)
	}
	r.s = all.String()
}

// text returns value i as text.
func (r *cardRow) text(i int) string { return r.s[r.at[i]:r.at[i+1]] }

// int8 returns value i, a binary int8, recording an error in r.err when it
// is not 8 bytes long.
func (r *cardRow) int8(i int) int64 {
	if len(r.v[i]) != 8 {
		if r.err == nil {
			r.err = fmt.Errorf("column %d: an int8 of %d bytes, want 8", i, len(r.v[i]))
		}
		return 0
	}
	return int64(binary.BigEndian.Uint64(r.v[i]))
}
