package tenantv2

import (
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
)

// categoryDepartment is the only org category userd keeps: every org is a
// department (docs/api/tenant-v2.md says why).
const categoryDepartment = "department"

// orgDetail is an org as ShowOrganizationById and ListOrganizations answer
// it. Requests say "code", answers "org_code", as in the OneAccess pages.
type orgDetail struct {
	OrgID    string  `json:"org_id"`
	OrgCode  string  `json:"org_code"`
	Name     string  `json:"name"`
	ParentID *string `json:"parent_id"`
	Category string  `json:"category"`
}

func newOrgDetail(o directory.Org) orgDetail {
	d := orgDetail{OrgID: strconv.FormatInt(o.ID, 10), OrgCode: o.Code, Name: o.Name, Category: categoryDepartment}
	if o.ParentID != 0 {
		s := strconv.FormatInt(o.ParentID, 10)
		d.ParentID = &s
	}
	return d
}

// orgIDBody is the answer of the calls that change an org.
type orgIDBody struct {
	OrgID string `json:"org_id"`
}

// orgRequest is the body of POST and PUT /api/v2/tenant/organizations.
type orgRequest struct {
	Code     *string `json:"code"`
	Name     *string `json:"name"`
	ParentID *string `json:"parent_id"`
	Category *string `json:"category"`
}

// patch turns the body into an OrgPatch; create says code and name are
// required.
func (b orgRequest) patch(create bool) (directory.OrgPatch, error) {
	if create {
		switch {
		case b.Code == nil || *b.Code == "":
			return directory.OrgPatch{}, directory.Errorf(directory.Invalid, "code", "is required")
		case b.Name == nil:
			return directory.OrgPatch{}, directory.Errorf(directory.Invalid, "name", "is required")
		}
	}
	if b.Code != nil && *b.Code == "" {
		return directory.OrgPatch{}, directory.Errorf(directory.Invalid, "code", "must not be empty")
	}
	if b.Category != nil && *b.Category != categoryDepartment {
		return directory.OrgPatch{}, directory.Errorf(directory.Invalid, "category", "must be %q, the only category userd keeps", categoryDepartment)
	}
	p := directory.OrgPatch{Code: b.Code, Name: b.Name}
	if b.ParentID != nil {
		id, err := parseID("parent_id", "an org id", *b.ParentID)
		if err != nil {
			return directory.OrgPatch{}, err
		}
		p.ParentID = &id
	}
	return p, nil
}

// createOrg answers POST /api/v2/tenant/organizations: 201 {"org_id"}.
func (a api) createOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	var body orgRequest
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	patch, err := body.patch(true)
	if err != nil {
		return err
	}
	o, err := a.d.Service.CreateOrg(r.Context(), p, patch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, orgIDBody{strconv.FormatInt(o.ID, 10)})
}

// updateOrg answers PUT /api/v2/tenant/organizations/{org_id}: the fields
// given change, 200 {"org_id"}.
func (a api) updateOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseID("org_id", "an org id", r.PathValue("org_id"))
	if err != nil {
		return err
	}
	var body orgRequest
	if err := a.decodeBody(w, r, &body, false); err != nil {
		return err
	}
	patch, err := body.patch(false)
	if err != nil {
		return err
	}
	o, err := a.d.Service.UpdateOrg(r.Context(), p, id, 0, patch)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, orgIDBody{strconv.FormatInt(o.ID, 10)})
}

// deleteOrg answers DELETE /api/v2/tenant/organizations/{org_id}: 204.
func (a api) deleteOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseID("org_id", "an org id", r.PathValue("org_id"))
	if err != nil {
		return err
	}
	if err := a.d.Service.DeleteOrg(r.Context(), p, id, 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// getOrg answers GET /api/v2/tenant/organizations/{org_id}.
func (a api) getOrg(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	id, err := parseID("org_id", "an org id", r.PathValue("org_id"))
	if err != nil {
		return err
	}
	o, err := a.d.Service.Org(r.Context(), p, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, newOrgDetail(o))
}

// orgList is the 200 body of GET /api/v2/tenant/organizations.
type orgList struct {
	Total         int64       `json:"total"`
	Organizations []orgDetail `json:"organizations"`
}

// listOrgs answers GET /api/v2/tenant/organizations?org_id=&all_child=&offset=&limit=.
func (a api) listOrgs(w http.ResponseWriter, r *http.Request, p directory.Principal) error {
	q, err := queryParams(r, "org_id", "all_child", "offset", "limit")
	if err != nil {
		return err
	}
	page, limit, err := pageParams(q)
	if err != nil {
		return err
	}
	orgID, err := optionalID(q, "org_id", "an org id")
	if err != nil {
		return err
	}
	allChild := false
	switch q["all_child"] {
	case "", "false":
	case "true":
		allChild = true
	default:
		return directory.Errorf(directory.Invalid, "all_child", "must be true or false")
	}
	release, err := a.d.HeavyReads.Admit(p, limit)
	if err != nil {
		return err
	}
	defer release()
	orgs, total, err := a.d.Service.OrgsByPage(r.Context(), p, directory.OrgPage{OrgID: orgID, AllChild: allChild, Page: page, Limit: limit})
	if err != nil {
		return err
	}
	out := orgList{Total: total, Organizations: make([]orgDetail, len(orgs))}
	for i, o := range orgs {
		out.Organizations[i] = newOrgDetail(o)
	}
	return writeJSON(w, http.StatusOK, out)
}
