package admin

import (
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/server"
)

func (a *api) orgs() *object[directory.Org, directory.OrgPatch] {
	return &object[directory.Org, directory.OrgPatch]{
		path:   "/admin/v1/orgs",
		create: a.svc.CreateOrg,
		get:    a.svc.Org,
		update: a.svc.UpdateOrg,
		delete: a.svc.DeleteOrg,
		decode: a.decodeOrg,
		wire: func(o directory.Org) (int64, int64, any) {
			return o.ID, o.Version, toOrgJSON(o)
		},
	}
}

func (a *api) decodeOrg(w http.ResponseWriter, r *http.Request, mediaTypes ...string) (directory.OrgPatch, error) {
	var in orgInput
	b, err := a.readJSON(w, r, &in, mediaTypes...)
	if err != nil {
		return directory.OrgPatch{}, err
	}
	return in.toPatch(b)
}

func (a *api) listOrgs(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	q, err := query(r, "limit", "cursor", "parent_id", "q")
	if err != nil {
		return err
	}
	n, err := limit(q)
	if err != nil {
		return err
	}
	f := directory.OrgFilter{Query: q.Get("q"), Limit: n}
	if s := q.Get("parent_id"); s != "" {
		var ok bool
		if f.ParentID, ok = server.ParseID(s); !ok {
			return directory.Errorf(directory.Invalid, "parent_id", "must be an org id")
		}
	}
	binding := []string{"orgs", strconv.FormatInt(f.ParentID, 10), f.Query}
	after, err := a.cursors.open(r.Context(), p.TenantID, q.Get("cursor"), binding...)
	if err != nil {
		return err
	}
	f.AfterID = after.ID
	orgs, next, err := a.svc.ListOrgs(r.Context(), p, f)
	if err != nil {
		return err
	}
	cursor, err := a.cursors.seal(r.Context(), p.TenantID, position{ID: next}, binding...)
	if err != nil {
		return err
	}
	return writeList(w, r, "orgs", orgs, func(o directory.Org) any { return toOrgJSON(o) }, pageTail{NextCursor: cursor})
}
