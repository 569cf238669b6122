package main

import (
	"bufio"
	"context"
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

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/userimport"
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

// The import file readers and the batching importer live in
// internal/userimport, shared with the console.
const maxImportLine = userimport.MaxLine

type (
	lineError    = userimport.LineError
	importResult = userimport.Result
	lineFunc     = userimport.LineFunc
)

var (
	readJSONLines = userimport.ReadJSONLines
	readCSV       = userimport.ReadCSV
)

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

	imp := userimport.Importer{Service: svc, Principal: p, Describe: lineMessage, Result: importResult{Errors: []lineError{}}}
	if isTerminal(std.stderr) {
		start := time.Now()
		imp.Progress = func(r importResult) {
			fmt.Fprint(std.stderr, "\r"+progressLine(progress{imported: r.Imported, failed: r.Failed, read: in.n, total: in.size, elapsed: time.Since(start)})+"\x1b[K")
		}
	}
	err := imp.Import(ctx, in, read)
	if imp.Progress != nil {
		fmt.Fprintln(std.stderr)
	}
	res := imp.Result
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

// lineMessage says why an import line failed: the domain's or the JSON
// decoder's message, in a file's words rather than an HTTP body's.
func lineMessage(err error) string {
	if msg, ok := userimport.DecodeMessage(err); ok {
		return msg
	}
	return errorText(err, false)
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
