package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
)

func runUser(ctx context.Context, args []string, getenv env, std streams) error {
	sub, args, err := subcommand("user", args, "create", "import", "export")
	if err != nil {
		return err
	}
	c := newFlags("user "+sub, getenv, std)
	var tenant string
	c.flags.StringVar(&tenant, "tenant", "", "tenant id or name")
	var create struct {
		username, email, name string
		passwordStdin         bool
	}
	if sub == "create" {
		c.flags.StringVar(&create.username, "username", "", "username: 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', '@', '-'")
		c.flags.StringVar(&create.email, "email", "", "email address")
		c.flags.StringVar(&create.name, "name", "", "real name")
		c.flags.BoolVar(&create.passwordStdin, "password-stdin", false, "read the user's password from the first line of standard input")
	}
	if err := c.parse(args); err != nil {
		return err
	}
	if sub == "import" && len(c.positional) != 1 {
		return usageError("usage: userd user import --tenant ID FILE (FILE ends in .jsonl, .ndjson or .csv)")
	}
	st, svc, p, err := c.openTenant(ctx, tenant)
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
		u, err := svc.CreateUser(ctx, p, directory.OriginCLI, patch)
		if err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		return c.print(std, admin.UserJSON(u), func(w io.Writer) {
			fmt.Fprintf(w, "created user %q with id %d in tenant %d\n", u.Username, u.ID, u.TenantID)
		})
	case "import":
		return importFile(ctx, c, std, svc, p, c.positional[0])
	default:
		return exportUsers(ctx, std.stdout, svc, p)
	}
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
func importFile(ctx context.Context, c *commonFlags, std streams, svc *directory.Service, p directory.Principal, path string) error {
	var read func(io.Reader, lineFunc) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".ndjson":
		read = readJSONLines
	case ".csv":
		read = readCSV
	default:
		return usageError(fmt.Sprintf("cannot tell the format of %q: name it .jsonl, .ndjson or .csv", path))
	}
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()

	imp := importer{svc: svc, p: p, res: importResult{Errors: []lineError{}}}
	if isTerminal(std.stderr) {
		imp.progress = func(r importResult) {
			fmt.Fprintf(std.stderr, "\rimported %d users, %d lines failed", r.Imported, r.Failed)
		}
	}
	err = read(f, func(line int, obj []byte, bad error) error {
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
	if err == nil {
		err = imp.flush(ctx)
	}
	if imp.progress != nil {
		fmt.Fprintln(std.stderr)
	}
	if err != nil {
		return fmt.Errorf("import stopped after %d users: %w", imp.res.Imported, err)
	}
	res := imp.res
	if perr := c.print(std, res, func(w io.Writer) {
		for _, e := range res.Errors {
			fmt.Fprintf(std.stderr, "%s:%d: %s\n", path, e.Line, e.Error)
		}
		fmt.Fprintf(w, "imported %d users; %d lines failed\n", res.Imported, res.Failed)
	}); perr != nil {
		return perr
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d lines of %s were not imported (see above); the other %d users were", res.Failed, path, res.Imported)
	}
	return nil
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
	imp.res.Errors = append(imp.res.Errors, lineError{Line: line, Error: describe(err)})
}

// describe returns the message of err that is safe and useful to print.
func describe(err error) string {
	var de *directory.Error
	if errors.As(err, &de) && de.Kind != directory.Internal {
		if de.Field != "" {
			return de.Field + ": " + de.Message
		}
		return de.Message
	}
	return err.Error()
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
	"manager_id": true, "extension": true, "orgs": true,
}

// readCSV reads a CSV file whose header row names native user fields and
// calls fn with each row as a JSON object; empty cells are left out. The
// line number is that of the row's first line in the file.
func readCSV(r io.Reader, fn lineFunc) error {
	cr := csv.NewReader(r)
	header, err := cr.Read()
	if err != nil {
		return fmt.Errorf("read the CSV header row: %w", err)
	}
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
		if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
			if err := fn(pe.StartLine, nil, fmt.Errorf("the row has %d fields and the header %d", len(rec), len(header))); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return err
		}
		line, _ := cr.FieldPos(0)
		obj, bad := csvObject(header, rec)
		if err := fn(line, obj, bad); err != nil {
			return err
		}
	}
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
