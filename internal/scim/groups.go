package scim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/patch"
	"github.com/userd/userd/internal/scim/schemas"
)

// MaxGroupMembers is the most members a Group resource lists; a larger
// organization's members are read with GET /Users?filter=groups eq "id".
const MaxGroupMembers = directory.MaxPageSize

var groupRules = patch.Rules{
	CoreSchema: schemas.Group,
	ReadOnly: func(uri, attr string) bool {
		return strings.EqualFold(attr, "id") || strings.EqualFold(attr, "meta")
	},
}

// groupDoc is o as a SCIM Group; members are listed when withMembers, at
// most MaxGroupMembers of them.
func (h *handler) groupDoc(c *call, o directory.Org, withMembers bool) (doc, error) {
	budget := MaxGroupMembers
	return h.groupDocWithin(c, o, withMembers, &budget)
}

// groupDocWithin is groupDoc listing members from a budget shared by the
// groups of one answer: a group with more members than remain is 400
// tooMany, so one answer never holds more than MaxGroupMembers users.
func (h *handler) groupDocWithin(c *call, o directory.Org, withMembers bool, budget *int) (doc, error) {
	id := strconv.FormatInt(o.ID, 10)
	d := doc{
		"schemas":     []any{schemas.Group},
		"id":          id,
		"displayName": o.Name,
		"meta":        meta("Group", c.base+"/Groups/"+id, o.CreatedAt, o.UpdatedAt, o.Version),
	}
	if o.Code != "" {
		d["externalId"] = o.Code
	}
	if !withMembers {
		return d, nil
	}
	release, err := h.d.HeavyReads.Admit(c.p, max(*budget, 1))
	if err != nil {
		return nil, err
	}
	defer release()
	users, more, err := h.someMembers(c, o.ID, *budget)
	if err != nil {
		return nil, err
	}
	if more {
		return nil, errorf(http.StatusBadRequest, typeTooMany, "the answer would list more than "+strconv.Itoa(MaxGroupMembers)+
			" members: read fewer groups per page (count), or ask with excludedAttributes=members and read members with GET /Users?filter=groups eq \"id\"")
	}
	*budget -= len(users)
	members := make([]any, len(users))
	for i, u := range users {
		uid := strconv.FormatInt(u.ID, 10)
		members[i] = doc{"value": uid, "$ref": c.base + "/Users/" + uid, "display": u.Username, "type": "User"}
	}
	d["members"] = members
	return d, nil
}

// members returns up to limit members of org id, by id.
func (h *handler) members(c *call, orgID int64, limit int) ([]directory.User, error) {
	users, _, err := h.someMembers(c, orgID, limit)
	return users, err
}

// someMembers returns up to limit members of org id, by id, and whether
// there are more.
func (h *handler) someMembers(c *call, orgID int64, limit int) ([]directory.User, bool, error) {
	res, err := h.d.Service.QueryUsers(c.r.Context(), c.p, directory.UserQueryPage{
		Query: &directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldOrg, Value: orgID}, Limit: max(limit, 1)})
	if err != nil {
		return nil, false, err
	}
	if len(res.Users) > limit { // limit 0: one member is already too many
		return nil, true, nil
	}
	return res.Users, res.More, nil
}

// wantsMembers reports whether a projection keeps members: Entra ID reads
// groups with excludedAttributes=members, which then costs no query.
func wantsMembers(p projection) bool {
	for _, a := range p.exclude {
		if strings.EqualFold(a.Attr, "members") && a.Sub == "" {
			return false
		}
	}
	if len(p.include) == 0 {
		return true
	}
	for _, a := range p.include {
		if strings.EqualFold(a.Attr, "members") {
			return true
		}
	}
	return false
}

// groupWriteScopes are what a change of a Group needs: admin for the
// organization (userd's rule), users:write for its members and users:read
// to answer with them. Checked before anything changes, so a caller
// lacking one gets its 403 with nothing done.
var groupWriteScopes = []directory.Scope{directory.ScopeAdmin, directory.ScopeUsersRead, directory.ScopeUsersWrite}

func requireGroupWrite(p directory.Principal) error {
	for _, s := range groupWriteScopes {
		if !p.Scopes.Has(s) {
			return directory.Errorf(directory.Forbidden, "", "changing a SCIM Group needs scopes admin, users:read and users:write; this credential lacks %q", s)
		}
	}
	return nil
}

// groupInput is a Group resource read from a request.
type groupInput struct {
	patch   directory.OrgPatch
	members []int64 // nil when the resource had no members attribute
}

func readGroup(d doc) (groupInput, error) {
	r := newReader(d, "")
	r.ignore("schemas", "id", "meta")
	name := r.str("displayName")
	code := r.str("externalId")
	in := groupInput{patch: directory.OrgPatch{Name: &name, Code: &code}}
	if _, ok := r.get("members"); ok {
		in.members = []int64{}
	}
	for _, m := range r.list("members") {
		m.ignore("$ref", "display", "type")
		id, ok := parseID(m.str("value"))
		if !ok {
			m.fail("value", "is not the id of a user")
		}
		in.members = append(in.members, id)
	}
	if name == "" && r.err == nil {
		return in, errorf(http.StatusBadRequest, typeInvalidValue, "displayName is required")
	}
	return in, r.done()
}

func (h *handler) getGroup(c *call) error {
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.Group)
	if err != nil {
		return err
	}
	o, err := h.d.Service.Org(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	if notModified(c.r, o.Version) {
		c.w.Header().Set("ETag", etag(o.Version))
		c.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	d, err := h.groupDoc(c, o, wantsMembers(proj))
	if err != nil {
		return err
	}
	return c.writeResource(http.StatusOK, d, proj)
}

func (h *handler) createGroup(c *call) error {
	if err := requireGroupWrite(c.p); err != nil {
		return err
	}
	d, err := c.readDoc(h)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.Group)
	if err != nil {
		return err
	}
	in, err := readGroup(d)
	if err != nil {
		return err
	}
	if err := h.checkMembers(c, in.members); err != nil {
		return err
	}
	o, err := h.d.Service.CreateOrg(c.r.Context(), c.p, in.patch)
	if err != nil {
		return err
	}
	if err := h.changeMembers(c, o.ID, in.members, nil); err != nil {
		return err
	}
	out, err := h.groupDoc(c, o, wantsMembers(proj))
	if err != nil {
		return err
	}
	return c.writeResource(http.StatusCreated, out, proj)
}

func (h *handler) replaceGroup(c *call) error {
	if err := requireGroupWrite(c.p); err != nil {
		return err
	}
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	version, err := ifMatch(c.r)
	if err != nil {
		return err
	}
	d, err := c.readDoc(h)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.Group)
	if err != nil {
		return err
	}
	in, err := readGroup(d)
	if err != nil {
		return err
	}
	if err := h.checkMembers(c, in.members); err != nil {
		return err
	}
	o, err := h.d.Service.UpdateOrg(c.r.Context(), c.p, id, version, in.patch)
	if err != nil {
		return err
	}
	if in.members != nil {
		current, err := h.members(c, id, MaxGroupMembers)
		if err != nil {
			return err
		}
		want := map[int64]bool{}
		for _, m := range in.members {
			want[m] = true
		}
		var add, remove []int64
		for _, u := range current {
			if !want[u.ID] {
				remove = append(remove, u.ID)
			}
			delete(want, u.ID)
		}
		for _, m := range in.members {
			if want[m] {
				add = append(add, m)
				delete(want, m)
			}
		}
		if err := h.changeMembers(c, id, add, remove); err != nil {
			return err
		}
	}
	out, err := h.groupDoc(c, o, wantsMembers(proj))
	if err != nil {
		return err
	}
	return c.writeResource(http.StatusOK, out, proj)
}

// patchGroup applies a PATCH to a group. Operations on members change
// memberships directly, without reading every member: add and remove with
// a list of {"value": id}, remove with members[value eq "id"], replace of
// the whole list. The others apply to the group's own attributes.
func (h *handler) patchGroup(c *call) error {
	if err := requireGroupWrite(c.p); err != nil {
		return err
	}
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	version, err := ifMatch(c.r)
	if err != nil {
		return err
	}
	body, err := c.readBody(h)
	if err != nil {
		return err
	}
	ops, err := patch.Decode(body, schemas.Group)
	if err != nil {
		return err
	}
	proj, err := readProjection(c.r, schemas.Group)
	if err != nil {
		return err
	}
	o, err := h.d.Service.Org(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	if version != 0 && o.Version != version {
		return directory.ErrVersionMismatch
	}
	var own []patch.Operation
	var add, remove []int64
	replaceAll := false
	for _, op := range ops {
		if !strings.EqualFold(op.Path.Path.Attr, "members") || op.Path.Path.URI != "" && !strings.EqualFold(op.Path.Path.URI, schemas.Group) {
			own = append(own, op)
			continue
		}
		ids, err := memberIDs(op)
		if err != nil {
			return err
		}
		switch {
		case op.Kind == patch.Add:
			add = append(add, ids...)
		case op.Kind == patch.Remove && ids == nil:
			replaceAll, add, remove = true, nil, nil
		case op.Kind == patch.Remove:
			remove = append(remove, ids...)
		case op.Kind == patch.Replace:
			replaceAll, add, remove = true, ids, nil
		}
	}
	if len(own) > 0 {
		d, _ := h.groupDoc(c, o, false)
		if err := patch.Apply(d, own, groupRules); err != nil {
			return err
		}
		in, err := readGroup(d)
		if err != nil {
			return err
		}
		if o, err = h.d.Service.UpdateOrg(c.r.Context(), c.p, id, o.Version, in.patch); err != nil {
			return err
		}
	}
	if err := h.checkMembers(c, add); err != nil {
		return err
	}
	if replaceAll {
		current, err := h.members(c, id, MaxGroupMembers)
		if err != nil {
			return err
		}
		keep := map[int64]bool{}
		for _, a := range add {
			keep[a] = true
		}
		for _, u := range current {
			if !keep[u.ID] {
				remove = append(remove, u.ID)
			}
		}
	}
	if err := h.changeMembers(c, id, add, remove); err != nil {
		return err
	}
	if preferMinimal(c.r) {
		c.w.Header().Set("ETag", etag(o.Version))
		c.w.WriteHeader(http.StatusNoContent)
		return nil
	}
	out, err := h.groupDoc(c, o, wantsMembers(proj))
	if err != nil {
		return err
	}
	return c.writeResource(http.StatusOK, out, proj)
}

// memberIDs reads the user ids an operation on members names: its value's
// {"value": id} elements, or the value of a members[value eq "id"] filter.
// A remove of all members returns nil.
func memberIDs(op patch.Operation) ([]int64, error) {
	bad := func() ([]int64, error) {
		return nil, errorf(http.StatusBadRequest, typeInvalidValue, "members: an operation on members takes a list of {\"value\": user id}")
	}
	if op.Path.Sub != "" {
		return nil, errorf(http.StatusBadRequest, typeInvalidPath, "members: a member's sub-attributes cannot be changed")
	}
	var ids []int64
	if op.Path.Filter != nil {
		c, ok := op.Path.Filter.(*filter.Compare)
		s, isStr := c.Value.(string)
		if !ok || c.Op != filter.Eq || !strings.EqualFold(c.Path.Attr, "value") || !isStr {
			return nil, errorf(http.StatusBadRequest, typeInvalidFilter, "members: only members[value eq \"id\"] selects members")
		}
		id, ok := parseID(s)
		if !ok {
			return []int64{}, nil // no user has that id
		}
		ids = append(ids, id)
		if op.Kind == patch.Remove {
			return ids, nil
		}
	}
	if !op.HasValue {
		if op.Kind == patch.Remove && op.Path.Filter == nil {
			return nil, nil
		}
		return bad()
	}
	list, ok := op.Value.([]any)
	if !ok {
		list = []any{op.Value}
	}
	for _, el := range list {
		obj, ok := el.(doc)
		if !ok {
			return bad()
		}
		r := newReader(obj, "members")
		r.ignore("$ref", "display", "type")
		id, ok := parseID(r.str("value"))
		if err := r.done(); err != nil || !ok {
			return bad()
		}
		ids = append(ids, id)
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// checkMembers checks that every id is a user of the tenant; another
// tenant's user is as missing as one that never was.
func (h *handler) checkMembers(c *call, ids []int64) error {
	for start := 0; start < len(ids); start += directory.MaxBatch {
		batch := ids[start:min(start+directory.MaxBatch, len(ids))]
		found, err := h.d.Service.UsersByID(c.r.Context(), c.p, batch)
		if err != nil {
			return err
		}
		have := map[int64]bool{}
		for _, u := range found {
			have[u.ID] = true
		}
		for _, id := range batch {
			if !have[id] {
				return errorf(http.StatusBadRequest, typeInvalidValue, "members: user "+strconv.FormatInt(id, 10)+" does not exist")
			}
		}
	}
	return nil
}

// changeMembers adds users to the org and removes others, each as a
// change of that user's memberships, so every userd rule on memberships
// (the primary org among them) is the Service's.
func (h *handler) changeMembers(c *call, orgID int64, add, remove []int64) error {
	change := func(userID int64, in bool) error {
		_, err := h.d.Service.EditUser(c.r.Context(), c.p, userID, 0, func(u directory.User) (directory.UserPatch, error) {
			orgs := make([]directory.Membership, 0, len(u.Orgs)+1)
			found := false
			for _, m := range u.Orgs {
				if m.OrgID == orgID {
					found = true
					if !in {
						continue
					}
				}
				orgs = append(orgs, m)
			}
			if found == in {
				return directory.UserPatch{}, nil
			}
			if in {
				orgs = append(orgs, directory.Membership{OrgID: orgID})
			}
			return directory.UserPatch{Orgs: &orgs}, nil
		})
		if directory.KindOf(err) == directory.NotFound && !in {
			return nil // removing a user who is gone leaves nothing to do
		}
		return err
	}
	for _, id := range add {
		if err := change(id, true); err != nil {
			return err
		}
	}
	for _, id := range remove {
		if err := change(id, false); err != nil {
			return err
		}
	}
	return nil
}

func (h *handler) deleteGroup(c *call) error {
	if err := requireGroupWrite(c.p); err != nil {
		return err
	}
	id, err := resourceID(c.r)
	if err != nil {
		return err
	}
	version, err := ifMatch(c.r)
	if err != nil {
		return err
	}
	o, err := h.d.Service.Org(c.r.Context(), c.p, id)
	if err != nil {
		return err
	}
	if version != 0 && o.Version != version {
		return directory.ErrVersionMismatch
	}
	// A SCIM group goes with its memberships; userd keeps an org with
	// members, so they are removed first.
	for {
		users, err := h.members(c, id, directory.MaxPageSize)
		if err != nil {
			return err
		}
		if len(users) == 0 {
			break
		}
		ids := make([]int64, len(users))
		for i, u := range users {
			ids[i] = u.ID
		}
		if err := h.changeMembers(c, id, nil, ids); err != nil {
			return err
		}
	}
	if err := h.d.Service.DeleteOrg(c.r.Context(), c.p, id, version); err != nil {
		return err
	}
	c.w.WriteHeader(http.StatusNoContent)
	return nil
}
