package postgres

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
)

// A column is how a read decodes a column from its raw value (pgx's
// RawValues), and so the type and format the column must come in: those
// pgx asks for, binary for the numbers, booleans, times and arrays, text
// for the texts and jsonb. Decoding the raw values by hand costs a
// fraction of pgx's Scan, which plans and converts each column of each
// row; checkFields makes a changed schema an error, not a wrong decode.
type column uint8

const (
	int8Column      column = iota // bigint
	int4Column                    // integer
	textColumn                    // text, in either format (the same bytes)
	boolColumn                    // boolean
	timeColumn                    // timestamptz
	jsonbColumn                   // jsonb, as text
	int8ArrayColumn               // bigint[]
	boolArrayColumn               // boolean[]
)

// fits reports whether f comes as c decodes it.
func (c column) fits(f pgconn.FieldDescription) bool {
	binary := f.Format == pgx.BinaryFormatCode
	switch c {
	case int8Column:
		return f.DataTypeOID == pgtype.Int8OID && binary
	case int4Column:
		return f.DataTypeOID == pgtype.Int4OID && binary
	case textColumn:
		return f.DataTypeOID == pgtype.TextOID
	case boolColumn:
		return f.DataTypeOID == pgtype.BoolOID && binary
	case timeColumn:
		return f.DataTypeOID == pgtype.TimestamptzOID && binary
	case jsonbColumn:
		return f.DataTypeOID == pgtype.JSONBOID && f.Format == pgx.TextFormatCode
	case int8ArrayColumn:
		return f.DataTypeOID == pgtype.Int8ArrayOID && binary
	case boolArrayColumn:
		return f.DataTypeOID == pgtype.BoolArrayOID && binary
	}
	return false
}

// checkFields returns an error unless fields come as columns say, in
// their order.
func checkFields(fields []pgconn.FieldDescription, columns []column) error {
	if len(fields) != len(columns) {
		return fmt.Errorf("got %d columns, want %d", len(fields), len(columns))
	}
	for i, f := range fields {
		if !columns[i].fits(f) {
			return fmt.Errorf("column %q has type %d in format %d, which the read does not decode: was the schema changed outside userd?", f.Name, f.DataTypeOID, f.Format)
		}
	}
	return nil
}

// checkedValues returns the raw values of row, which must be a
// pgx.CollectableRow (the rows of Query, or of pgx.AppendRows), once its
// fields come as columns say; *checked, false for a query's first row,
// records that they did, so a query checks them once.
func checkedValues(row pgx.Row, columns []column, checked *bool) ([][]byte, error) {
	raw, ok := row.(pgx.CollectableRow)
	if !ok {
		return nil, fmt.Errorf("read a row: a %T has no raw values", row)
	}
	if !*checked {
		if err := checkFields(raw.FieldDescriptions(), columns); err != nil {
			return nil, err
		}
		*checked = true
	}
	return raw.RawValues(), nil
}

// maxRawColumns is the most columns a rawRow holds: those of userSelect.
const maxRawColumns = userColumnCount

// rawRow holds the raw values of a row whose fields checkFields passed,
// their bytes copied into one string: its texts are substrings of it, one
// allocation a row where a string per column cost one a column. Its
// decoders record the first malformed value in err and return the zero
// value.
type rawRow struct {
	v   [][]byte
	s   string
	at  [maxRawColumns + 1]int // where each value starts in s, and where s ends
	err error
}

// join copies the values v into one string.
func (r *rawRow) join(v [][]byte) {
	r.v, r.err = v, nil
	if len(v) > maxRawColumns {
		r.v = nil
		r.fail(-1, fmt.Sprintf("%d values, more than %d", len(v), maxRawColumns))
		return
	}
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

// fail records what is wrong with value i, unless an earlier value was.
func (r *rawRow) fail(i int, what string) {
	if r.err == nil {
		r.err = fmt.Errorf("column %d: %s", i, what)
	}
}

// sized returns value i if it is n bytes long, else records an error
// (NULL included) and returns nil.
func (r *rawRow) sized(i, n int) []byte {
	if i >= len(r.v) {
		r.fail(i, "missing")
		return nil
	}
	b := r.v[i]
	if b == nil {
		r.fail(i, "NULL where a value is due")
		return nil
	}
	if len(b) != n {
		r.fail(i, fmt.Sprintf("a value of %d bytes, want %d", len(b), n))
		return nil
	}
	return b
}

// text returns value i as text; NULL is an error.
func (r *rawRow) text(i int) string {
	if i >= len(r.v) || r.v[i] == nil {
		r.fail(i, "NULL where a text is due")
		return ""
	}
	return r.s[r.at[i]:r.at[i+1]]
}

// nullText returns value i as text, "" for NULL.
func (r *rawRow) nullText(i int) string {
	if i >= len(r.v) {
		r.fail(i, "missing")
		return ""
	}
	return r.s[r.at[i]:r.at[i+1]]
}

// int8 returns value i, a binary int8.
func (r *rawRow) int8(i int) int64 {
	if b := r.sized(i, 8); b != nil {
		return int64(binary.BigEndian.Uint64(b))
	}
	return 0
}

// int4 returns value i, a binary int4.
func (r *rawRow) int4(i int) int32 {
	if b := r.sized(i, 4); b != nil {
		return int32(binary.BigEndian.Uint32(b))
	}
	return 0
}

// bool returns value i, a binary boolean.
func (r *rawRow) bool(i int) bool {
	b := r.sized(i, 1)
	if b == nil {
		return false
	}
	if b[0] > 1 {
		r.fail(i, fmt.Sprintf("a boolean of byte %d", b[0]))
	}
	return b[0] == 1
}

// y2k is the epoch of PostgreSQL's binary timestamps, 2000-01-01 UTC, in
// microseconds from the Unix epoch.
const y2k = 946_684_800_000_000

// time returns value i, a binary timestamptz, in UTC. The infinities are
// errors, as they are to pgx's Scan into a time.Time.
func (r *rawRow) time(i int) time.Time {
	b := r.sized(i, 8)
	if b == nil {
		return time.Time{}
	}
	us := int64(binary.BigEndian.Uint64(b))
	if us == math.MaxInt64 || us == math.MinInt64 {
		r.fail(i, "an infinite time")
		return time.Time{}
	}
	return time.UnixMicro(us + y2k).UTC()
}

// nullTime returns value i, a binary timestamptz, in UTC, or the zero
// time for NULL.
func (r *rawRow) nullTime(i int) time.Time {
	if i < len(r.v) && r.v[i] == nil {
		return time.Time{}
	}
	return r.time(i)
}

// int8s returns value i, a binary bigint[] of one dimension without
// NULLs, or nil for NULL or an empty array.
func (r *rawRow) int8s(i int) []int64 {
	return appendArray(r, i, pgtype.Int8OID, 8, func(b []byte) int64 { return int64(binary.BigEndian.Uint64(b)) })
}

// bools returns value i, a binary boolean[] of one dimension without
// NULLs, or nil for NULL or an empty array.
func (r *rawRow) bools(i int) []bool {
	return appendArray(r, i, pgtype.BoolOID, 1, func(b []byte) bool { return b[0] == 1 })
}

// appendArray decodes value i of r, a binary array of one dimension of
// elements of type elem, each size bytes long and none NULL, with decode;
// nil for NULL or an empty array. The binary array is a header (the
// number of dimensions, a flag for NULLs, the element type), each
// dimension's length and lower bound, then each element as its length
// and bytes, every integer 4 bytes big-endian.
func appendArray[T any](r *rawRow, i int, elem uint32, size int, decode func([]byte) T) []T {
	if i >= len(r.v) {
		r.fail(i, "missing")
		return nil
	}
	b := r.v[i]
	if b == nil {
		return nil
	}
	u32 := func() (uint32, bool) {
		if len(b) < 4 {
			return 0, false
		}
		n := binary.BigEndian.Uint32(b)
		b = b[4:]
		return n, true
	}
	dims, ok1 := u32()
	_, ok2 := u32() // whether the array has NULLs: each element says so too
	typ, ok3 := u32()
	if !ok1 || !ok2 || !ok3 || dims > 1 || typ != elem {
		r.fail(i, "not an array of one dimension of the element type")
		return nil
	}
	if dims == 0 {
		return nil
	}
	n, ok1 := u32()
	_, ok2 = u32() // the lower bound
	if !ok1 || !ok2 || uint64(n)*uint64(4+size) != uint64(len(b)) {
		r.fail(i, "an array whose length does not match its elements")
		return nil
	}
	out := make([]T, n)
	for j := range out {
		if length, _ := u32(); length != uint32(size) {
			r.fail(i, fmt.Sprintf("element %d of %d bytes, want %d", j, int32(length), size))
			return nil
		}
		out[j] = decode(b[:size])
		b = b[size:]
	}
	return out
}
