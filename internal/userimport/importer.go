package userimport

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/strictjson"
)

// Batch is how many users one import transaction inserts.
const Batch = 500

// LineError is an import line that was not imported, and why.
type LineError struct {
	Line  int    `json:"line"`
	Error string `json:"error"`
}

// Result is what an import did: the users imported and the lines that
// were not, each with why.
type Result struct {
	Imported int         `json:"imported"`
	Failed   int         `json:"failed"`
	Errors   []LineError `json:"errors"`
}

// Importer collects decoded lines into batches and imports them through
// the Service, keeping the good lines and reporting each bad one.
type Importer struct {
	Service   *directory.Service
	Principal directory.Principal
	// Describe words why a line failed, for the one reading the report.
	Describe func(error) string
	// Progress, when set, is called after each batch with the result so far.
	Progress func(Result)
	// Offset is added to every line number reported: the line of the
	// whole file where the part being imported starts, less one.
	Offset int
	// Result is what the import has done so far.
	Result  Result
	lines   []int
	patches []directory.UserPatch
}

// Fail reports line as not imported because of err.
func (imp *Importer) Fail(line int, err error) {
	imp.Result.Failed++
	imp.Result.Errors = append(imp.Result.Errors, LineError{Line: line, Error: imp.Describe(err)})
}

// Add queues the user of line, importing the batch once it is full.
func (imp *Importer) Add(ctx context.Context, line int, patch directory.UserPatch) error {
	imp.lines = append(imp.lines, line)
	imp.patches = append(imp.patches, patch)
	if len(imp.patches) < Batch {
		return nil
	}
	return imp.Flush(ctx)
}

// Flush inserts the pending batch in one transaction. A line the Service
// rejects is reported and the rest retried; when the store refuses the batch
// (a duplicate), the lines are inserted one at a time to find the bad ones.
func (imp *Importer) Flush(ctx context.Context) error {
	defer func() {
		imp.lines, imp.patches = imp.lines[:0], imp.patches[:0]
		if imp.Progress != nil {
			imp.Progress(imp.Result)
		}
	}()
	for len(imp.patches) > 0 {
		users, err := imp.Service.ImportUsers(ctx, imp.Principal, imp.patches)
		var be *directory.BatchError
		switch {
		case err == nil:
			imp.Result.Imported += len(users)
			return nil
		case errors.As(err, &be):
			imp.Fail(imp.lines[be.Index], be.Err)
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

func (imp *Importer) oneByOne(ctx context.Context) error {
	for i, patch := range imp.patches {
		_, err := imp.Service.CreateUser(ctx, imp.Principal, directory.OriginImport, patch)
		switch k := directory.KindOf(err); {
		case err == nil:
			imp.Result.Imported++
		case k == directory.Invalid || k == directory.Conflict:
			imp.Fail(imp.lines[i], err)
		default:
			return err
		}
	}
	return nil
}

// Import reads every record of in with read (ReadJSONLines or ReadCSV),
// decodes it as a line of userd user import (admin.DecodeImportUser) and
// imports it. The lines read before a fatal error are imported too.
func (imp *Importer) Import(ctx context.Context, in io.Reader, read func(io.Reader, LineFunc) error) error {
	err := read(in, func(line int, obj []byte, bad error) error {
		line += imp.Offset
		if bad != nil {
			imp.Fail(line, bad)
			return nil
		}
		patch, err := admin.DecodeImportUser(obj)
		if err != nil {
			imp.Fail(line, err)
			return nil
		}
		return imp.Add(ctx, line, patch)
	})
	if ctx.Err() == nil {
		err = errors.Join(err, imp.Flush(ctx))
	}
	return err
}

// DecodeMessage says why a line could not be decoded, in a file's words
// rather than an HTTP body's; ok is false when err is not a decoding error
// (the caller words the Service's errors its own way).
func DecodeMessage(err error) (msg string, ok bool) {
	var je *strictjson.Error
	if !errors.As(err, &je) {
		return "", false
	}
	msg = strings.Replace(je.Reason, "the body", "the line", 1)
	if je.Field != "" {
		msg = je.Field + ": " + msg
	}
	return msg, true
}
