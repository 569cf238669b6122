package admin

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/userd/userd/internal/directory"
)

// changeJSON is one entry of the change log; docs/api/changes.md.
type changeJSON struct {
	Position int64    `json:"position"`
	Type     string   `json:"type"`
	ID       int64    `json:"id"`
	Op       string   `json:"op"`
	Version  int64    `json:"version"`
	Fields   []string `json:"fields"`
	Time     string   `json:"time"`
}

func toChangeJSON(c directory.Change) any {
	fields := c.Fields
	if fields == nil {
		fields = []string{}
	}
	return changeJSON{Position: c.Position, Type: c.Type, ID: c.ObjectID, Op: c.Op, Version: c.Version, Fields: fields, Time: formatTime(c.Time)}
}

// changesTail ends a page of changes with the position to read after
// next: the last entry's, or the one asked after when the page is empty.
type changesTail struct {
	NextAfter int64 `json:"next_after"`
}

// listChanges serves GET /admin/v1/changes: the page of the change log
// after a position, waiting up to wait for one when there is none yet.
// The wait holds no place among the heavy reads; the read and the answer
// do.
func (a *api) listChanges(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	q, err := query(r, "after", "limit", "wait")
	if err != nil {
		return err
	}
	n, err := limit(q)
	if err != nil {
		return err
	}
	wait, err := waitParam(q)
	if err != nil {
		return err
	}
	after, err := a.afterParam(r, p, q)
	if err != nil {
		return err
	}
	if wait > 0 {
		if _, err := a.svc.WaitForChanges(r.Context(), p, after, wait); err != nil {
			return err
		}
	}
	return a.heavy(func(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
		changes, err := a.svc.Changes(r.Context(), p, after, n)
		if err != nil {
			return err
		}
		next := after
		if len(changes) > 0 {
			next = changes[len(changes)-1].Position
		}
		return writeList(w, r, "changes", changes, toChangeJSON, changesTail{NextAfter: next})
	})(w, r, p)
}

// afterParam parses the after query parameter: a position (0, the
// default, is the log's beginning), or "now" for the log's current end.
func (a *api) afterParam(r *http.Request, p directory.Principal, q url.Values) (int64, error) {
	s := q.Get("after")
	switch s {
	case "":
		return 0, nil
	case "now":
		return a.svc.LastChange(r.Context(), p)
	}
	after, err := strconv.ParseInt(s, 10, 64)
	if err != nil || after < 0 {
		return 0, directory.Errorf(directory.Invalid, "after", `must be a position (an integer, 0 or more) from an earlier page's next_after, or "now"`)
	}
	return after, nil
}

// waitParam parses the wait query parameter: a duration such as 30s or
// 500ms, or a number of seconds; 0 (the default) does not wait.
func waitParam(q url.Values) (time.Duration, error) {
	s := q.Get("wait")
	if s == "" {
		return 0, nil
	}
	wait, err := time.ParseDuration(s)
	if secs, serr := strconv.Atoi(s); serr == nil {
		// Bounded before it is multiplied, so it cannot overflow.
		wait, err = time.Duration(min(max(secs, -1), 1<<20))*time.Second, nil
	}
	if err != nil || wait < 0 || wait > directory.MaxChangesWait {
		return 0, directory.Errorf(directory.Invalid, "wait", "must be a duration between 0s and %s, such as 30s, or a number of seconds", directory.MaxChangesWait)
	}
	return wait, nil
}
