package console

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/userimport"
)

// importPage shows the upload form.
func (c *Console) importPage(w http.ResponseWriter, r *http.Request, rq *request) {
	c.render(w, r, rq, http.StatusOK, "import", "import", nil, "")
}

// importUsers imports one upload: a whole small file from the plain form,
// or, from the page's script, one part of a large file (a run of whole
// lines, a CSV part led by the header row, "offset" telling where in the
// file the part starts). Each request stays within the server's body limit
// and the script moves the progress bar as parts complete. A browser
// asking for JSON gets the result as JSON; the plain form gets the page.
func (c *Console) importUsers(w http.ResponseWriter, r *http.Request, rq *request) {
	var in io.Reader = strings.NewReader(r.PostFormValue("data"))
	name := ""
	if f, h, err := r.FormFile("file"); err == nil {
		defer f.Close()
		in, name = f, h.Filename
	}
	read := userimport.ReadJSONLines
	if format := r.PostFormValue("format"); format == "csv" || format == "" && strings.HasSuffix(strings.ToLower(name), ".csv") {
		read = userimport.ReadCSV
	}
	imp := userimport.Importer{Service: c.svc, Principal: rq.p, Describe: func(err error) string { return c.lineMessage(r, rq, err) },
		Result: userimport.Result{Errors: []userimport.LineError{}}}
	if off, err := strconv.Atoi(r.PostFormValue("offset")); err == nil && off >= 0 {
		imp.Offset = off
	}
	err := imp.Import(r.Context(), in, read)
	slices.SortStableFunc(imp.Result.Errors, func(a, b userimport.LineError) int { return a.Line - b.Line })
	status := http.StatusOK
	if err != nil {
		var msg string
		if isDomain(err) {
			status, msg = c.errorText(r, rq, err)
		} else {
			// A malformed file (a CSV header, a line too long): its words.
			status, msg = http.StatusBadRequest, err.Error()
		}
		imp.Result.Errors = append(imp.Result.Errors, userimport.LineError{Error: msg})
	}
	if strings.Contains(r.Header.Get("Accept"), "application/json") {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(imp.Result)
		return
	}
	c.render(w, r, rq, status, "import", "import", &imp.Result, "")
}

func isDomain(err error) bool {
	var de *directory.Error
	return errors.As(err, &de)
}

// lineMessage says why an import line failed: the JSON decoder's words
// about the line, or the Service's.
func (c *Console) lineMessage(r *http.Request, rq *request, err error) string {
	if msg, ok := userimport.DecodeMessage(err); ok {
		return msg
	}
	if isDomain(err) {
		_, msg := c.errorText(r, rq, err)
		return msg
	}
	return err.Error()
}

// exportUsers downloads every user of the tenant as JSON Lines in the
// native API's format, read a page at a time.
func (c *Console) exportUsers(w http.ResponseWriter, r *http.Request, rq *request) {
	f := directory.UserFilter{Limit: directory.MaxPageSize}
	users, next, err := c.svc.ListUsers(r.Context(), rq.p, f)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("Content-Disposition", `attachment; filename="users.jsonl"`)
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for {
		for _, u := range users {
			if err := enc.Encode(admin.UserJSON(u)); err != nil {
				return
			}
		}
		if next == nil {
			_ = bw.Flush()
			return
		}
		if users, next, err = c.svc.ListUsers(r.Context(), rq.p, *next); err != nil {
			// The answer has begun: log the cause and cut the answer short,
			// so the download is visibly incomplete.
			c.errorText(r, rq, err)
			panic(http.ErrAbortHandler)
		}
	}
}
