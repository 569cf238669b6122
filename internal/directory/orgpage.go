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

// OrgSpan selects the orgs of a tenant from one level to another below
// one org, or below the tenant. Below an org they come level by level,
// each level in id order; below the tenant, in id order alone.
type OrgSpan struct {
	// Top is the org the span is below, or 0 for the tenant, whose root
	// orgs are one level below it.
	Top int64
	// From and To are the span's first and last level, counted down from
	// Top: 0 is Top itself, 1 its children.
	From, To int
}

// span returns the orgs f selects, as a span of the tree.
func (f OrgPage) span() OrgSpan {
	switch {
	case f.OrgID == 0 && !f.AllChild:
		return OrgSpan{From: 1, To: 1}
	case f.OrgID == 0:
		return OrgSpan{From: 2, To: MaxOrgLevels}
	case !f.AllChild:
		return OrgSpan{Top: f.OrgID, From: 0, To: 1}
	}
	return OrgSpan{Top: f.OrgID, From: 0, To: MaxOrgLevels}
}

// OrgsByPage returns page f of the principal's orgs and how many orgs f
// selects in all: org f.OrgID first, then the orgs below it level by
// level, each level in id order (without an OrgID, in id order). An OrgID
// of another tenant, or of no org, is NotFound. The total comes from the
// counts the store keeps with the tree, and the page from one range of its
// ancestry: neither reads the rest of the tree.
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
	span := f.span()
	total, err := s.store.CountOrgs(ctx, p.TenantID, span)
	if err != nil {
		return nil, 0, err
	}
	// A span below an org counts the org itself: none means no such org
	// in the tenant.
	if f.OrgID != 0 && total == 0 {
		return nil, 0, Errorf(NotFound, "", "no such org")
	}
	offset := f.Page * f.Limit
	if int64(offset) >= total {
		return []Org{}, total, nil
	}
	orgs, err := s.store.OrgsInSpan(ctx, p.TenantID, span, offset, f.Limit)
	if err != nil {
		return nil, 0, err
	}
	return orgs, total, nil
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
	return s.store.OrgByCode(ctx, p.TenantID, code)
}

// FirstRootOrg returns the principal's root org of the lowest id, or
// ok false when the tenant has no org.
func (s *Service) FirstRootOrg(ctx context.Context, p Principal) (o Org, ok bool, err error) {
	if err := requireOrgLookup(p); err != nil {
		return Org{}, false, err
	}
	roots, err := s.store.ListOrgs(ctx, p.TenantID, OrgFilter{Roots: true, Limit: 1})
	if err != nil || len(roots) == 0 {
		return Org{}, false, err
	}
	return roots[0], true, nil
}
