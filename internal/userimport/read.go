package userimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLine is the longest JSON line an import accepts.
const MaxLine = 1 << 20

// LineFunc receives each record of an import file: its line number and
// either the record as a native JSON user object or, when the line itself
// is malformed, bad saying why.
type LineFunc func(line int, obj []byte, bad error) error

// ReadJSONLines calls fn with each non-blank line of r and its number.
func ReadJSONLines(r io.Reader, fn LineFunc) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	n := 0
	for sc.Scan() {
		n++
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		if err := fn(n, sc.Bytes(), nil); err != nil {
			return err
		}
	}
	if errors.Is(sc.Err(), bufio.ErrTooLong) {
		return fmt.Errorf("line %d is longer than %d bytes", n+1, MaxLine)
	}
	return sc.Err()
}

// csvJSONColumns are the native fields that are not strings: a CSV cell of
// one of them holds the JSON value (true, 42, {"a":1}, [{"org_id":1}]).
var csvJSONColumns = map[string]bool{
	"active": true, "locked": true, "must_change_password": true, "grade": true,
	"manager_id": true, "extension": true, "orgs": true, "other_emails": true, "other_phones": true,
}

// ReadCSV reads a CSV file whose header row names native user fields and
// calls fn with each row as a JSON object; empty cells are left out. The
// line number is that of the row's first line in the file. A record
// (header or row) may be at most MaxLine bytes: a longer one stops
// the import, naming its line, without being read into memory.
func ReadCSV(r io.Reader, fn LineFunc) error {
	cr := csv.NewReader(&recordLimiter{src: bufio.NewReader(r), max: MaxLine})
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read the CSV header row: %w", csvError(err))
	}
	header = slices.Clone(header)
	seen := make(map[string]bool, len(header))
	for _, h := range header {
		if seen[h] {
			return fmt.Errorf("the CSV header names column %q twice", h)
		}
		seen[h] = true
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The reader has passed the malformed record: report it and go on.
			bad := pe.Err
			if errors.Is(pe.Err, csv.ErrFieldCount) {
				bad = fmt.Errorf("the row has %s and the header %d", fields(len(rec)), len(header))
			}
			if err := fn(pe.StartLine, nil, bad); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return csvError(err)
		}
		line, _ := cr.FieldPos(0)
		obj, bad := csvObject(header, rec)
		if err := fn(line, obj, bad); err != nil {
			return err
		}
	}
}

// csvError says which record was too long when err is a recordLimiter's.
func csvError(err error) error {
	var tl *recordTooLong
	if errors.As(err, &tl) {
		return fmt.Errorf("line %d: the CSV record is longer than %d bytes (1 MiB), the most one may hold (is a quote left open?)", tl.line, MaxLine)
	}
	return err
}

// recordTooLong is the error of a CSV record longer than the limit.
type recordTooLong struct{ line int }

func (e *recordTooLong) Error() string {
	return fmt.Sprintf("line %d: the CSV record is too long", e.line)
}

// recordLimiter passes a CSV stream on one whole record at a time, so that
// no record longer than max bytes (its line ending included) is ever held:
// at such a record it stops with a *recordTooLong. A record ends at a line
// ending outside quotes, that is after an even number of '"' (an escaped
// "" counts two).
type recordLimiter struct {
	src     *bufio.Reader
	max     int
	line    int    // lines passed on so far
	buf     []byte // the record being assembled
	pending []byte // what is left of the record being passed on
	err     error
}

func (l *recordLimiter) Read(p []byte) (int, error) {
	for len(l.pending) == 0 {
		if l.err != nil {
			return 0, l.err
		}
		l.next()
	}
	n := copy(p, l.pending)
	l.pending = l.pending[n:]
	return n, nil
}

// next reads the next record into pending, or sets err.
func (l *recordLimiter) next() {
	l.buf = l.buf[:0]
	quotes, lines := 0, 0
	for {
		chunk, err := l.src.ReadSlice('\n')
		if len(l.buf)+len(chunk) > l.max {
			l.err = &recordTooLong{line: l.line + 1}
			return
		}
		l.buf = append(l.buf, chunk...)
		quotes += bytes.Count(chunk, []byte{'"'})
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			l.err = err
			break
		}
		lines++
		if quotes%2 == 0 {
			break
		}
	}
	l.line += lines
	l.pending = l.buf
}

// csvObject turns a CSV row into a native JSON user object.
func csvObject(header, rec []string) ([]byte, error) {
	obj := make(map[string]json.RawMessage, len(rec))
	for i, cell := range rec {
		switch {
		case cell == "":
		case !utf8.ValidString(cell):
			// json.Marshal would store it with U+FFFD in place of the
			// bytes it cannot read.
			return nil, fmt.Errorf("%s: is not valid UTF-8; save the file as UTF-8", header[i])
		case csvJSONColumns[header[i]]:
			if !json.Valid([]byte(cell)) {
				return nil, fmt.Errorf("%s: %q is not a JSON value", header[i], cell)
			}
			obj[header[i]] = json.RawMessage(cell)
		default:
			obj[header[i]], _ = json.Marshal(cell)
		}
	}
	return json.Marshal(obj)
}

// fields returns "1 field", "2 fields".
func fields(n int) string {
	if n == 1 {
		return "1 field"
	}
	return strconv.Itoa(n) + " fields"
}
