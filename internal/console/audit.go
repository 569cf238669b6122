package console

import (
	"net/http"

	"github.com/userd/userd/internal/directory"
)

// auditView is one page of the audit log, oldest first.
type auditView struct {
	Events []directory.Event
	Next   int64
}

// auditPage shows the tenant's audit log a page at a time.
func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, rq *request) {
	events, next, err := c.svc.AuditEvents(r.Context(), rq.p, formID(r.URL.Query().Get("after")), pageSize)
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	c.render(w, r, rq, http.StatusOK, "audit", "audit", auditView{Events: events, Next: next}, "")
}
