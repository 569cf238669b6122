package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
)

// orgsView is a level of the org tree: the roots, or one org's children.
type orgsView struct {
	Parent int64
	Orgs   []directory.Org
	Next   int64 // AfterID of the next page, 0 on the last
	Error  string
}

// orgsPage shows the roots of the tree; each org's children load when the
// admin expands it (orgChildren), so the page costs the same however big
// the tree is.
func (c *Console) orgsPage(w http.ResponseWriter, r *http.Request, rq *request) {
	after := formID(r.URL.Query().Get("after"))
	orgs, next, err := c.svc.ListOrgs(r.Context(), rq.p, directory.OrgFilter{Roots: true, AfterID: after, Limit: pageSize})
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	c.render(w, r, rq, http.StatusOK, "orgs", "orgs", orgsView{Orgs: orgs, Next: next}, notice(r, rq))
}

// orgChildren answers one org's children as list items, for the tree.
func (c *Console) orgChildren(w http.ResponseWriter, r *http.Request, rq *request) {
	parent := formID(r.URL.Query().Get("parent"))
	if parent == 0 {
		c.renderError(w, r, rq, http.StatusBadRequest, rq.t("error.form"))
		return
	}
	orgs, next, err := c.svc.ListOrgs(r.Context(), rq.p, directory.OrgFilter{ParentID: parent, AfterID: formID(r.URL.Query().Get("after")), Limit: pageSize})
	if err != nil {
		status, msg := c.errorText(r, rq, err)
		http.Error(w, msg, status)
		return
	}
	c.renderFragment(w, r, rq, "orgs", "nodes", orgsView{Parent: parent, Orgs: orgs, Next: next})
}

// pickOrg answers an org picker: up to maxPicks orgs whose name or code
// starts with q, as JSON.
func (c *Console) pickOrg(w http.ResponseWriter, r *http.Request, rq *request) {
	orgs, _, err := c.svc.ListOrgs(r.Context(), rq.p, directory.OrgFilter{Query: strings.TrimSpace(r.URL.Query().Get("q")), Limit: maxPicks})
	out := make([]pick, len(orgs))
	for i, o := range orgs {
		label := o.Name
		if o.Code != "" {
			label += " [" + o.Code + "]"
		}
		out[i] = pick{ID: o.ID, Label: label}
	}
	c.answerPicks(w, r, rq, out, err)
}

// orgView is one org's page: rename, move, delete, and its direct
// members a page at a time.
type orgView struct {
	O       directory.Org
	Parent  string
	Members []directory.User
	Next    int64 // AfterID of the members' next page, 0 on the last
	Error   string
}

func (c *Console) orgPage(w http.ResponseWriter, r *http.Request, rq *request) {
	o, err := c.svc.Org(r.Context(), rq.p, pathID(r))
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	v := c.orgView(r, rq, o)
	members, next, err := c.svc.ListUsers(r.Context(), rq.p, directory.UserFilter{OrgID: o.ID, AfterID: formID(r.URL.Query().Get("after")), Limit: pageSize})
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	v.Members = members
	if next != nil {
		v.Next = next.AfterID
	}
	w.Header().Set("ETag", etag(o.Version))
	c.render(w, r, rq, http.StatusOK, "org", "orgs", v, notice(r, rq))
}

func (c *Console) orgView(r *http.Request, rq *request, o directory.Org) *orgView {
	v := &orgView{O: o}
	if o.ParentID != 0 {
		v.Parent = strconv.FormatInt(o.ParentID, 10)
		if p, err := c.svc.Org(r.Context(), rq.p, o.ParentID); err == nil {
			v.Parent = p.Name
		}
	}
	return v
}

// orgPatch reads the org form.
func orgPatch(r *http.Request) directory.OrgPatch {
	name, code := r.PostFormValue("name"), r.PostFormValue("code")
	parent := formID(r.PostFormValue("parent_id"))
	return directory.OrgPatch{Name: &name, Code: &code, ParentID: &parent}
}

// createOrg creates an org, at the top or under parent_id.
func (c *Console) createOrg(w http.ResponseWriter, r *http.Request, rq *request) {
	o, err := c.svc.CreateOrg(r.Context(), rq.p, orgPatch(r))
	if err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/console/orgs/%d?done=created", o.ID), http.StatusSeeOther)
}

// updateOrg renames or moves an org at the version the page showed; the
// Service refuses a move under the org's own subtree.
func (c *Console) updateOrg(w http.ResponseWriter, r *http.Request, rq *request) {
	id := pathID(r)
	_, err := c.svc.UpdateOrg(r.Context(), rq.p, id, formID(r.PostFormValue("version")), orgPatch(r))
	if err == nil {
		http.Redirect(w, r, fmt.Sprintf("/console/orgs/%d?done=saved", id), http.StatusSeeOther)
		return
	}
	o, oerr := c.svc.Org(r.Context(), rq.p, id)
	if oerr != nil {
		c.fail(w, r, rq, oerr)
		return
	}
	status, msg := c.errorText(r, rq, err)
	if status >= 500 {
		c.renderError(w, r, rq, status, msg)
		return
	}
	v := c.orgView(r, rq, o)
	v.Error = msg
	c.render(w, r, rq, status, "org", "orgs", v, "")
}

// deleteOrg deletes an org without members or children.
func (c *Console) deleteOrg(w http.ResponseWriter, r *http.Request, rq *request) {
	if err := c.svc.DeleteOrg(r.Context(), rq.p, pathID(r), formID(r.PostFormValue("version"))); err != nil {
		c.fail(w, r, rq, err)
		return
	}
	http.Redirect(w, r, "/console/orgs?done=deleted", http.StatusSeeOther)
}
