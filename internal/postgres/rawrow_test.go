package postgres

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/userd/userd/internal/directory"
)

// FuzzRawRowRoundTrip checks rawRow's decoders against pgx's own binary
// encoders: what pgx would send for a value decodes to that value.
func FuzzRawRowRoundTrip(f *testing.F) {
	f.Add(int64(42), int64(0), int32(7), true, "Ada", []byte{1, 2, 3})
	f.Add(int64(-1), int64(-946_684_800_000_001), int32(-5), false, "", []byte{})
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64-1), int32(math.MinInt32), true, "é\x00", []byte{255})
	f.Fuzz(func(t *testing.T, n int64, us int64, n4 int32, flag bool, text string, orgs []byte) {
		if us == math.MaxInt64 || us == math.MinInt64 || us > math.MaxInt64-y2k || us < math.MinInt64+y2k {
			return // the infinities, and times no timestamptz holds
		}
		when := time.UnixMicro(us + y2k).UTC()
		ids := make([]int64, len(orgs))
		primaries := make([]bool, len(orgs))
		for i, b := range orgs {
			ids[i], primaries[i] = n*int64(b), b%2 == 1
		}
		m := pgtype.NewMap()
		encode := func(oid uint32, v any) []byte {
			b, err := m.Encode(oid, pgx.BinaryFormatCode, v, []byte{})
			if err != nil {
				t.Fatalf("encode %v: %v", v, err)
			}
			return b
		}
		var r rawRow
		r.join([][]byte{encode(pgtype.Int8OID, n), encode(pgtype.TimestamptzOID, when), encode(pgtype.Int4OID, n4),
			encode(pgtype.BoolOID, flag), []byte(text), encode(pgtype.Int8ArrayOID, ids),
			encode(pgtype.BoolArrayOID, primaries), nil, nil, nil})
		gotIDs, gotPrimaries := r.int8s(5), r.bools(6)
		if len(ids) == 0 {
			ids, primaries = nil, nil
		}
		if got := r.int8(0); got != n {
			t.Errorf("int8 = %d, want %d", got, n)
		}
		if got := r.time(1); !got.Equal(when) || got.Location() != time.UTC {
			t.Errorf("time = %v, want %v", got, when)
		}
		if got := r.int4(2); got != n4 {
			t.Errorf("int4 = %d, want %d", got, n4)
		}
		if got := r.bool(3); got != flag {
			t.Errorf("bool = %v, want %v", got, flag)
		}
		if got := r.text(4); got != text {
			t.Errorf("text = %q, want %q", got, text)
		}
		if !slices.Equal(gotIDs, ids) || !slices.Equal(gotPrimaries, primaries) {
			t.Errorf("arrays = %v %v, want %v %v", gotIDs, gotPrimaries, ids, primaries)
		}
		if r.nullTime(7) != (time.Time{}) || r.nullText(8) != "" || r.int8s(9) != nil {
			t.Errorf("NULLs decode to %v %q %v", r.nullTime(7), r.nullText(8), r.int8s(9))
		}
		if r.err != nil {
			t.Fatal(r.err)
		}
		if r.int8(8); r.err == nil {
			t.Error("a NULL int8 decodes without an error")
		}
	})
}

// fieldsOf returns field descriptions of columns in the formats pgx asks
// for them.
func fieldsOf(columns []column) []pgconn.FieldDescription {
	oids := map[column]uint32{int8Column: pgtype.Int8OID, int4Column: pgtype.Int4OID, textColumn: pgtype.TextOID,
		boolColumn: pgtype.BoolOID, timeColumn: pgtype.TimestamptzOID, jsonbColumn: pgtype.JSONBOID,
		int8ArrayColumn: pgtype.Int8ArrayOID, boolArrayColumn: pgtype.BoolArrayOID}
	fields := make([]pgconn.FieldDescription, len(columns))
	for i, c := range columns {
		fields[i] = pgconn.FieldDescription{Name: "c", DataTypeOID: oids[c], Format: pgx.BinaryFormatCode}
		if c == textColumn || c == jsonbColumn {
			fields[i].Format = pgx.TextFormatCode
		}
	}
	return fields
}

// rawValues is a pgx.CollectableRow of given fields and raw values.
type rawValues struct {
	pgx.CollectableRow
	fields []pgconn.FieldDescription
	values [][]byte
}

func (r rawValues) FieldDescriptions() []pgconn.FieldDescription { return r.fields }
func (r rawValues) RawValues() [][]byte                          { return r.values }

// FuzzUserScanner feeds userScanner rows of any bytes, in the columns of
// every view: it must return an error or a user, never panic, and reject
// a row with a value of the wrong size or a NULL text.
func FuzzUserScanner(f *testing.F) {
	f.Add([]byte("\x08\x00\x00\x00\x00\x00\x00\x00\x01\x02{}\x01\x01\xff"), uint8(0))
	f.Add([]byte{}, uint8(1))
	f.Add([]byte("\x0c\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x14"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, view uint8) {
		v := []directory.UserView{directory.WholeUser, directory.AccountView, directory.ResourceView, directory.WithoutOrgsView}[view%4]
		columns := viewColumns(v)
		// Each value is a length byte (0xff for NULL) and that many bytes,
		// cycling through data.
		values := make([][]byte, len(columns))
		for i := range values {
			if len(data) == 0 {
				values[i] = []byte{}
				continue
			}
			n := int(data[0])
			data = data[1:]
			if n == 0xff {
				continue
			}
			n = min(n, len(data))
			values[i], data = data[:n], data[n:]
		}
		sc := userScanner{view: v}
		if _, err := sc.scan(rawValues{fields: fieldsOf(columns), values: values}); err != nil {
			return
		}
		for i, c := range columns {
			if size := map[column]int{int8Column: 8, int4Column: 4, boolColumn: 1, timeColumn: 8}[c]; size != 0 && len(values[i]) != size {
				t.Errorf("column %d: a value of %d bytes decoded without an error", i, len(values[i]))
			}
			if c == textColumn && values[i] == nil {
				t.Errorf("column %d: a NULL text decoded without an error", i)
			}
		}
	})
}

// TestCheckFieldsRejectsOtherTypes shows a column of another type or
// format than the decoder's as an error, before any row is decoded.
func TestCheckFieldsRejectsOtherTypes(t *testing.T) {
	fields := fieldsOf(userColumns)
	if err := checkFields(fields, userColumns); err != nil {
		t.Fatalf("the columns of userSelect: %v", err)
	}
	if err := checkFields(fields[:len(fields)-1], userColumns); err == nil {
		t.Error("a missing column passed")
	}
	for _, change := range []func(*pgconn.FieldDescription){
		func(f *pgconn.FieldDescription) { f.DataTypeOID = pgtype.Int4OID },
		func(f *pgconn.FieldDescription) { f.Format = pgx.TextFormatCode },
	} {
		changed := slices.Clone(fields)
		change(&changed[0])
		sc := userScanner{}
		if _, err := sc.scan(rawValues{fields: changed, values: make([][]byte, len(changed))}); err == nil {
			t.Errorf("id as %+v passed", changed[0])
		}
	}
}
