package directory

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// Org is an organization (department, team) in a tenant's tree.
type Org struct {
	ID       int64
	TenantID int64
	Name     string
	// Code is an optional identifier chosen by the tenant, unique in it.
	Code string
	// ParentID is the parent org, or 0 for a root org.
	ParentID  int64
	CreatedAt time.Time
	UpdatedAt time.Time
	Version   int64
}

// OrgPatch is a change to an org: every nil field is left as it is.
type OrgPatch struct {
	Name     *string
	Code     *string
	ParentID *int64 // 0 makes the org a root
}

func (p *OrgPatch) apply(o *Org) []string {
	var changed []string
	if p.Name != nil && o.Name != *p.Name {
		o.Name = *p.Name
		changed = append(changed, "name")
	}
	if p.Code != nil && o.Code != *p.Code {
		o.Code = *p.Code
		changed = append(changed, "code")
	}
	if p.ParentID != nil && o.ParentID != *p.ParentID {
		o.ParentID = *p.ParentID
		changed = append(changed, "parent_id")
	}
	return changed
}

var orgCodePattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// MaxOrgLevels bounds how deep a tenant's org tree may grow (a root org is
// level 1), so walking it stays cheap.
const MaxOrgLevels = 64

// orgTree is the shape of a tenant's org tree.
var orgTree = treeShape{
	maxLevels: MaxOrgLevels,
	field:     "parent_id",
	missing:   "org %d does not exist",
	cycle:     "org %d is this org or below it; the tree cannot have a cycle",
	tooDeep:   "the org tree may be at most %d levels deep; this would make it deeper",
}

// Validate checks the rules an org must satisfy on its own.
func (o *Org) Validate() error {
	if o.Name == "" {
		return Errorf(Invalid, "name", "is required")
	}
	if err := validateText("name", o.Name, MaxTextFieldLen); err != nil {
		return err
	}
	if o.Code != "" && !orgCodePattern.MatchString(o.Code) {
		return Errorf(Invalid, "code", "must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'")
	}
	if o.ParentID < 0 {
		return Errorf(Invalid, "parent_id", "must be an org id")
	}
	if o.ParentID != 0 && o.ParentID == o.ID {
		return Errorf(Invalid, "parent_id", "an org cannot be its own parent")
	}
	return nil
}

// treeChecks returns the checks the store runs, inside the write of o
// that changes fields: that o's parent exists in the tenant without making
// a cycle or a tree too deep, when the write sets a parent, and that no
// sibling has o's name, when the write sets a name or a parent (a create
// sets both).
func (o *Org) treeChecks(fields []string) []TreeCheck {
	var checks []TreeCheck
	if o.ParentID != 0 && slices.Contains(fields, "parent_id") {
		checks = append(checks, orgTree.place(o.ID, o.ParentID))
	}
	if o.ID == 0 || slices.Contains(fields, "name") || slices.Contains(fields, "parent_id") {
		checks = append(checks, o.uniqueName())
	}
	return checks
}

// uniqueName returns the check that no other org under o's parent has o's
// name, ignoring case: siblings are told apart by name (a OneAccess rule,
// kept for every API, as a tree with two "Sales" under one parent cannot
// be read by people). Names under different parents may repeat.
func (o *Org) uniqueName() TreeCheck {
	id, parent, name := o.ID, o.ParentID, o.Name
	return func(ctx context.Context, t Tree) error {
		names, ok := t.(OrgNames)
		if !ok {
			return Errorf(Internal, "", "directory: the store's org tree cannot find orgs by name")
		}
		other, err := names.OrgNamed(ctx, parent, name)
		if err != nil || other == 0 || other == id {
			return err
		}
		where := "another root org"
		if parent != 0 {
			where = fmt.Sprintf("another org under org %d", parent)
		}
		return &Error{Kind: Conflict, Field: "name", Constraint: Taken,
			Message: fmt.Sprintf("%q is taken by %s (org %d); sibling orgs need distinct names, ignoring case", name, where, other)}
	}
}
