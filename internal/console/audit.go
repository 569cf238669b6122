package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/userd/userd/internal/directory"
)

// auditView is one page of the audit log, oldest first, and the filter
// that chose it.
type auditView struct {
	Actor, Object, Action, Since, Until string
	Events                              []directory.Event
	Next                                string // the next page's address, "" on the last
	Error                               string
}

// timeInput is the form of a datetime-local input, read as UTC.
const timeInput = "2006-01-02T15:04"

// auditPage shows the tenant's audit log a page at a time, filtered by
// actor, object, action and a time window (UTC).
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, rq *request) {
	q := r.URL.Query()
	v := auditView{Actor: strings.TrimSpace(q.Get("actor")), Object: strings.TrimSpace(q.Get("object")),
		Action: strings.TrimSpace(q.Get("action")), Since: q.Get("since"), Until: q.Get("until")}
	f := directory.EventFilter{Actor: v.Actor, ObjectID: v.Object, Action: v.Action, AfterID: formID(q.Get("after")), Limit: pageSize}
	for _, t := range []struct {
		value string
		dst   *time.Time
	}{{v.Since, &f.Since}, {v.Until, &f.Until}} {
		if t.value == "" {
			continue
		}
		at, err := time.ParseInLocation(timeInput, t.value, time.UTC)
		if err != nil {
			v.Error = rq.t("audit.bad_time")
			c.render(w, r, rq, http.StatusBadRequest, "audit", "audit", v, "")
			return
		}
		*t.dst = at
	}
	events, next, err := c.svc.FindAuditEvents(r.Context(), rq.p, f)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	v.Events = events
	if next != 0 {
		nq := url.Values{"actor": {v.Actor}, "object": {v.Object}, "action": {v.Action}, "since": {v.Since}, "until": {v.Until},
			"after": {strconv.FormatInt(next, 10)}}
		v.Next = "/console/audit?" + nq.Encode()
	}
	c.render(w, r, rq, http.StatusOK, "audit", "audit", v, "")
}
