package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

func runUser(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("user", args, std)
	if err != nil {
		return err
	}
	c := newFlags("user "+sub, getenv, std)
	c.dbFlag()
	c.tenantFlag()
	if sub != "export" {
		c.outputFlag()
		c.syncFlag()
		c.argon2Flags()
	}
	var create struct {
		username, email, name string
		passwordStdin         bool
		role                  string
	}
	var format string
	switch sub {
	case "create":
		c.flags.StringVar(&create.username, "username", "", "the `USERNAME`: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '@', '-'")
		c.flags.StringVar(&create.email, "email", "", "the user's email `ADDRESS`")
		c.flags.StringVar(&create.name, "name", "", "the user's real `NAME`")
		c.flags.BoolVar(&create.passwordStdin, "password-stdin", false, "read the user's password from the first line of standard input")
		c.flags.StringVar(&create.role, "role", "", "the user's console `ROLE`: admin or viewer (default: none, no console)")
	case "import":
		c.flags.StringVar(&format, "format", "", "`FORMAT` of FILE: jsonl or csv; needed for FILE -, else told by FILE's extension")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	nargs := map[string]int{"import": 1, "role": 2, "unlock": 1}[sub]
	if err := c.args(nargs); err != nil {
		return err
	}
	var read recordReader
	if sub == "import" {
		if read, err = importFormat(c.positional[0], format); err != nil {
			return err
		}
	}
	st, svc, p, err := c.openTenant(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	switch sub {
	case "create":
		patch := directory.UserPatch{Username: &create.username}
		if create.email != "" {
			patch.Email = &create.email
		}
		if create.name != "" {
			patch.Name = &create.name
		}
		if create.passwordStdin {
			pw, err := readPassword(std.stdin)
			if err != nil {
				return err
			}
			patch.Password = &pw
		}
		role, err := directory.ParseRole(create.role)
		if err != nil {
			return usageError("--role: " + err.Error())
		}
		u, err := svc.CreateUser(ctx, p, directory.OriginCLI, patch)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		if err := svc.SetConsoleRole(ctx, p, u.ID, role); err != nil {
			return fmt.Errorf("give user %d the console role %s: %w", u.ID, role, err)
		}
		return c.print(std, admin.UserJSON(u), func(w io.Writer) {
			fmt.Fprintf(w, "created user %q with id %d in tenant %d\n", u.Username, u.ID, u.TenantID)
		})
	case "import":
		return importFile(ctx, c, std, svc, p, c.positional[0], read)
	case "role", "unlock":
		return userSignIn(ctx, c, std, svc, p, sub)
	default:
		return exportUsers(ctx, std.stdout, svc, p)
	}
}

// recordReader reads an import file's records, calling fn with each.
type recordReader func(io.Reader, lineFunc) error

// importFormat returns the reader of an import file: the one --format
// names, else the one path's extension tells.
func importFormat(path, format string) (recordReader, error) {
	switch format {
	case "jsonl":
		return readJSONLines, nil
	case "csv":
		return readCSV, nil
	case "":
	default:
		return nil, usageError(fmt.Sprintf("--format must be jsonl or csv, not %q", format))
	}
	if path == "-" {
		return nil, usageError("user import - reads standard input: say its format with --format jsonl or --format csv")
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		return readJSONLines, nil
	case ".csv":
		return readCSV, nil
	}
	return nil, usageError(fmt.Sprintf("cannot tell the format of %q: name it .jsonl, .ndjson or .csv, or give --format jsonl or --format csv", path))
}

// readPassword reads the first line of r, without its line ending.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError("--password-stdin: standard input held no password")
	}
	return pw, nil
}

// exportUsers writes every user of the principal's tenant as JSON Lines, in
// the native API's format (which never holds a secret).
func exportUsers(ctx context.Context, w io.Writer, svc *directory.Service, p directory.Principal) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	f := directory.UserFilter{Limit: directory.MaxPageSize}
	for {
		users, next, err := svc.ListUsers(ctx, p, f)
		if err != nil {
			return fmt.Errorf("export users: %w", err)
		}
		for _, u := range users {
			if err := enc.Encode(admin.UserJSON(u)); err != nil {
				return fmt.Errorf("export users: %w", err)
			}
		}
		if next == nil {
			return bw.Flush()
		}
		f = *next
	}
}

// importBatch is how many users one import transaction inserts.
const importBatch = 500

// lineError is an import line that was not imported, and why.
type lineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// importResult is what userd user import prints.
type importResult struct {
	Imported int         `json:"imported"`
	Failed   int         `json:"failed"`
	Errors   []lineError `json:"errors"`
}

// importFile imports the users in path, JSON Lines or CSV by its extension.
// Good lines are kept; each bad one is reported with its line number.
func importFile(ctx context.Context, c *commonFlags, std streams, svc *directory.Service, p directory.Principal, path string, read recordReader) error {
	name := path
	in := &countingReader{r: std.stdin}
	if path == "-" {
		name = "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		in.r = f
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			in.size = fi.Size()
		}
	}

	imp := importer{svc: svc, p: p, res: importResult{Errors: []lineError{}}}
	if isTerminal(std.stderr) {
		start := time.Now()
		imp.progress = func(r importResult) {
			fmt.Fprint(std.stderr, "\r"+progressLine(progress{imported: r.Imported, failed: r.Failed, read: in.n, total: in.size, elapsed: time.Since(start)})+"\x1b[K")
		}
	}
	err := read(in, func(line int, obj []byte, bad error) error {
		if bad != nil {
			imp.fail(line, bad)
			return nil
		}
		patch, err := admin.DecodeImportUser(obj)
		if err != nil {
			imp.fail(line, err)
			return nil
		}
		return imp.add(ctx, line, patch)
	})
	if ctx.Err() == nil {
		// The lines read before a fatal error are imported too.
		err = errors.Join(err, imp.flush(ctx))
	}
	if imp.progress != nil {
		fmt.Fprintln(std.stderr)
	}
	res := imp.res
	slices.SortStableFunc(res.Errors, func(a, b lineError) int { return a.Line - b.Line })
	if err != nil {
		for _, e := range res.Errors {
			fmt.Fprintf(std.stderr, "%s:%d: %s\n", name, e.Line, e.Error)
		}
		return fmt.Errorf("import of %s stopped: %w; %s imported before it", name, err, plural(res.Imported, "user", "users")+wasWere(res.Imported))
	}
	if perr := c.print(std, res, func(w io.Writer) {
		for _, e := range res.Errors {
			fmt.Fprintf(std.stderr, "%s:%d: %s\n", name, e.Line, e.Error)
		}
		fmt.Fprintf(w, "imported %s; %s failed\n", plural(res.Imported, "user", "users"), plural(res.Failed, "line", "lines"))
	}); perr != nil {
		return perr
	}
	if res.Failed > 0 {
		where := "listed above"
		if c.output == "json" {
			where = "listed in errors"
		}
		return fmt.Errorf("%s of %s%s not imported (%s); %s imported", plural(res.Failed, "line", "lines"), name, wasWere(res.Failed), where, plural(res.Imported, "user", "users")+wasWere(res.Imported))
	}
	return nil
}

// countingReader counts the bytes read from r, of size bytes in all (0
// when unknown), for the progress line.
type countingReader struct {
	r    io.Reader
	n    int64
	size int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// progress is how far an import has come.
type progress struct {
	imported, failed int
	read, total      int64 // bytes of the file read, and its size (0: unknown)
	elapsed          time.Duration
}

// progressLine is the progress of an import as one line for a terminal:
// counts, and the rate; with a known size, a bar, the share done and the
// time left.
func progressLine(p progress) string {
	var b strings.Builder
	fmt.Fprintf(&b, "imported %s, %d failed", plural(p.imported, "user", "users"), p.failed)
	if p.total > 0 {
		done := min(float64(p.read)/float64(p.total), 1)
		const width = 20
		filled := int(done * width)
		fmt.Fprintf(&b, "  [%s%s] %3d%%", strings.Repeat("#", filled), strings.Repeat(".", width-filled), int(done*100))
	}
	if secs := p.elapsed.Seconds(); secs > 0 {
		fmt.Fprintf(&b, "  %.0f lines/s", float64(p.imported+p.failed)/secs)
	}
	if p.total > 0 && p.read > 0 && p.read < p.total {
		left := time.Duration(float64(p.elapsed) * float64(p.total-p.read) / float64(p.read))
		fmt.Fprintf(&b, "  ETA %s", left.Round(time.Second))
	}
	return b.String()
}

// importer collects decoded lines into batches and inserts them.
type importer struct {
	svc      *directory.Service
	p        directory.Principal
	lines    []int
	patches  []directory.UserPatch
	res      importResult
	progress func(importResult)
}

func (imp *importer) fail(line int, err error) {
	imp.res.Failed++
	imp.res.Errors = append(imp.res.Errors, lineError{Line: line, Error: lineMessage(err)})
}

// lineMessage says why an import line failed: the domain's or the JSON
// decoder's message, in a file's words rather than an HTTP body's.
func lineMessage(err error) string {
	var je *strictjson.Error
	if errors.As(err, &je) {
		msg := strings.Replace(je.Reason, "the body", "the line", 1)
		if je.Field != "" {
			msg = je.Field + ": " + msg
		}
		return msg
	}
	return errorText(err, false)
}

func (imp *importer) add(ctx context.Context, line int, patch directory.UserPatch) error {
	imp.lines = append(imp.lines, line)
	imp.patches = append(imp.patches, patch)
	if len(imp.patches) < importBatch {
		return nil
	}
	return imp.flush(ctx)
}

// flush inserts the pending batch in one transaction. A line the Service
// rejects is reported and the rest retried; when the store refuses the batch
// (a duplicate), the lines are inserted one at a time to find the bad ones.
func (imp *importer) flush(ctx context.Context) error {
	defer func() {
		imp.lines, imp.patches = imp.lines[:0], imp.patches[:0]
		if imp.progress != nil {
			imp.progress(imp.res)
		}
	}()
	for len(imp.patches) > 0 {
		users, err := imp.svc.ImportUsers(ctx, imp.p, imp.patches)
		var be *directory.BatchError
		switch {
		case err == nil:
			imp.res.Imported += len(users)
			return nil
		case errors.As(err, &be):
			imp.fail(imp.lines[be.Index], be.Err)
			imp.lines = append(imp.lines[:be.Index], imp.lines[be.Index+1:]...)
			imp.patches = append(imp.patches[:be.Index], imp.patches[be.Index+1:]...)
		case directory.KindOf(err) == directory.Conflict:
			return imp.oneByOne(ctx)
		default:
			return err
		}
	}
	return nil
}

func (imp *importer) oneByOne(ctx context.Context) error {
	for i, patch := range imp.patches {
		_, err := imp.svc.CreateUser(ctx, imp.p, directory.OriginImport, patch)
		switch k := directory.KindOf(err); {
		case err == nil:
			imp.res.Imported++
		case k == directory.Invalid || k == directory.Conflict:
			imp.fail(imp.lines[i], err)
		default:
			return err
		}
	}
	return nil
}

// maxImportLine is the longest JSON line an import accepts.
const maxImportLine = 1 << 20

// lineFunc receives each record of an import file: its line number and
// either the record as a native JSON user object or, when the line itself
// is malformed, bad saying why.
type lineFunc func(line int, obj []byte, bad error) error

// readJSONLines calls fn with each non-blank line of r and its number.
func readJSONLines(r io.Reader, fn lineFunc) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxImportLine)
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
		return fmt.Errorf("line %d is longer than %d bytes", n+1, maxImportLine)
	}
	return sc.Err()
}

// csvJSONColumns are the native fields that are not strings: a CSV cell of
// one of them holds the JSON value (true, 42, {"a":1}, [{"org_id":1}]).
var csvJSONColumns = map[string]bool{
	"active": true, "locked": true, "must_change_password": true, "grade": true,
	"manager_id": true, "extension": true, "orgs": true, "other_emails": true, "other_phones": true,
}

// readCSV reads a CSV file whose header row names native user fields and
// calls fn with each row as a JSON object; empty cells are left out. The
// line number is that of the row's first line in the file. A record
// (header or row) may be at most maxImportLine bytes: a longer one stops
// the import, naming its line, without being read into memory.
func readCSV(r io.Reader, fn lineFunc) error {
	cr := csv.NewReader(&recordLimiter{src: bufio.NewReader(r), max: maxImportLine})
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
				bad = fmt.Errorf("the row has %s and the header %d", plural(len(rec), "field", "fields"), len(header))
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
		return fmt.Errorf("line %d: the CSV record is longer than %d bytes (1 MiB), the most one may hold (is a quote left open?)", tl.line, maxImportLine)
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

// plural returns "1 user", "2 users".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// wasWere is " was" for one, " were" for any other count.
func wasWere(n int) string {
	if n == 1 {
		return " was"
	}
	return " were"
}
