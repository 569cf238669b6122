package directory

import "context"

// OrgPage asks for one page of orgs by page number, selected as
// OneAccess's ListOrganizations selects them:
//
//	OrgID 0,  AllChild false: the root orgs;
//	OrgID 0,  AllChild true:  every org that is not a root;
//	OrgID id, AllChild false: org id and its children;
//	OrgID id, AllChild true:  org id and every org below it.
type OrgPage struct {
	OrgID    int64
	AllChild bool
	// Page is the page number from 0; Limit the orgs per page (1 to
	// MaxPageSize).
	Page, Limit int
}

// OrgsByPage returns page f of the principal's orgs and how many orgs f
// selects in all: org f.OrgID first, then the orgs below it level by
// level, each level in id order (without an OrgID, in id order). An OrgID of another
// tenant, or of no org, is NotFound. It reads the tenant's whole tree,
// MaxPageSize orgs per query: trees are small next to user lists.
func (s *Service) OrgsByPage(ctx context.Context, p Principal, f OrgPage) ([]Org, int64, error) {
	if err := requireOrgRead(p); err != nil {
		return nil, 0, err
	}
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return nil, 0, Errorf(Invalid, "limit", "must be between 1 and %d", MaxPageSize)
	}
	if f.Page < 0 || f.Page > MaxPageNumber {
		return nil, 0, Errorf(Invalid, "offset", "must be a page number between 0 and %d", MaxPageNumber)
	}
	if f.OrgID < 0 || f.OrgID > MaxSafeID {
		return nil, 0, Errorf(Invalid, "org_id", "must be an org id")
	}
	var all []Org
	for after := int64(0); ; {
		page, err := s.store.ListOrgs(ctx, p.TenantID, OrgFilter{AfterID: after, Limit: MaxPageSize})
		if err != nil {
			return nil, 0, err
		}
		all = append(all, page...)
		if len(page) < MaxPageSize {
			break
		}
		after = page[len(page)-1].ID
	}
	selected, err := selectOrgs(all, f)
	if err != nil {
		return nil, 0, err
	}
	total := int64(len(selected))
	start := min(f.Page*f.Limit, len(selected))
	end := min(start+f.Limit, len(selected))
	return selected[start:end:end], total, nil
}

// selectOrgs picks from all, in id order, the orgs f selects.
func selectOrgs(all []Org, f OrgPage) ([]Org, error) {
	out := []Org{}
	if f.OrgID == 0 {
		for _, o := range all {
			if (o.ParentID == 0) != f.AllChild {
				out = append(out, o)
			}
		}
		return out, nil
	}
	in := map[int64]bool{f.OrgID: true}
	for _, o := range all {
		if o.ID == f.OrgID {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return nil, Errorf(NotFound, "", "no such org")
	}
	children := map[int64][]Org{}
	for _, o := range all {
		children[o.ParentID] = append(children[o.ParentID], o)
	}
	// Level by level from f.OrgID; a level's orgs come in id order.
	level := []int64{f.OrgID}
	for depth := 0; len(level) > 0 && depth < MaxOrgLevels; depth++ {
		var next []int64
		for _, id := range level {
			for _, c := range children[id] {
				if !in[c.ID] {
					in[c.ID] = true
					out = append(out, c)
					next = append(next, c.ID)
				}
			}
		}
		if !f.AllChild {
			break
		}
		level = next
	}
	return out, nil
}

// requireOrgLookup lets a caller find an org to place a user in: one that
// writes users may name orgs without reading them otherwise.
func requireOrgLookup(p Principal) error {
	if p.Scopes.Has(ScopeUsersWrite) {
		return nil
	}
	return requireOrgRead(p)
}

// OrgByCode returns the org of the principal's tenant whose code is code
// (codes compare exactly, as they are unique). A code no org has, here or
// only in another tenant, is NotFound.
func (s *Service) OrgByCode(ctx context.Context, p Principal, code string) (Org, error) {
	if err := requireOrgLookup(p); err != nil {
		return Org{}, err
	}
	if !orgCodePattern.MatchString(code) {
		return Org{}, Errorf(NotFound, "", "no such org")
	}
	// The code prefix matches the org, and any whose name or code starts
	// with it: read on until the one.
	for after := int64(0); ; {
		page, err := s.store.ListOrgs(ctx, p.TenantID, OrgFilter{Query: code, AfterID: after, Limit: MaxPageSize})
		if err != nil {
			return Org{}, err
		}
		for _, o := range page {
			if o.Code == code {
				return o, nil
			}
		}
		if len(page) < MaxPageSize {
			return Org{}, Errorf(NotFound, "", "no such org")
		}
		after = page[len(page)-1].ID
	}
}

// FirstRootOrg returns the principal's root org of the lowest id, or
// ok false when the tenant has no org.
func (s *Service) FirstRootOrg(ctx context.Context, p Principal) (o Org, ok bool, err error) {
	if err := requireOrgLookup(p); err != nil {
		return Org{}, false, err
	}
	for after := int64(0); ; {
		page, err := s.store.ListOrgs(ctx, p.TenantID, OrgFilter{AfterID: after, Limit: MaxPageSize})
		if err != nil {
			return Org{}, false, err
		}
		for _, o := range page {
			if o.ParentID == 0 {
				return o, true, nil
			}
		}
		if len(page) < MaxPageSize {
			return Org{}, false, nil
		}
		after = page[len(page)-1].ID
	}
}
