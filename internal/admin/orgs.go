package admin

import (
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

func (a *api) createOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var in orgInput
	b, err := readJSON(w, r, &in, mediaJSON)
	if err != nil {
		return err
	}
	patch, err := in.toPatch(b)
	if err != nil {
		return err
	}
	o, err := a.svc.CreateOrg(r.Context(), p, patch)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/admin/v1/orgs/"+strconv.FormatInt(o.ID, 10))
	return writeOrg(w, r, http.StatusCreated, o)
}

func writeOrg(w http.ResponseWriter, r *http.Request, status int, o directory.Org) error {
	w.Header().Set("ETag", etag(o.Version))
	return writeJSON(w, r, status, toOrgJSON(o))
}

func (a *api) getOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := a.svc.Org(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeOrg(w, r, http.StatusOK, o)
}

func (a *api) patchOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	var in orgInput
	b, err := readJSON(w, r, &in, mediaMergePatch, mediaJSON)
	if err != nil {
		return err
	}
	patch, err := in.toPatch(b)
	if err != nil {
		return err
	}
	o, err := a.svc.UpdateOrg(r.Context(), p, id, version, patch)
	if err != nil {
		return err
	}
	return writeOrg(w, r, http.StatusOK, o)
}

func (a *api) deleteOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	version, err := ifMatch(r)
	if err != nil {
		return err
	}
	if err := a.svc.DeleteOrg(r.Context(), p, id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
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
		if f.ParentID, err = strconv.ParseInt(s, 10, 64); err != nil || f.ParentID <= 0 {
			return directory.Errorf(directory.Invalid, "parent_id", "must be an org id")
		}
	}
	binding := []string{"orgs", strconv.FormatInt(f.ParentID, 10), f.Query}
	if f.AfterID, err = a.cursors.open(r.Context(), p.TenantID, q.Get("cursor"), binding...); err != nil {
		return err
	}
	orgs, next, err := a.svc.ListOrgs(r.Context(), p, f)
	if err != nil {
		return err
	}
	out := orgListJSON{Orgs: make([]orgJSON, len(orgs))}
	for i, o := range orgs {
		out.Orgs[i] = toOrgJSON(o)
	}
	if out.NextCursor, err = a.cursors.seal(r.Context(), p.TenantID, next, binding...); err != nil {
		return err
	}
	return writeJSON(w, r, http.StatusOK, out)
}
