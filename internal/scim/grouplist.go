package scim

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
	"github.com/userd/userd/internal/server"
)

// MaxGroupScan is the most organizations one Groups query reads. A tenant
// has far fewer organizations than users; a filter (displayName eq,
// externalId eq) reads only the organizations whose name or code starts
// with the value, through that column's index.
const MaxGroupScan = 10000

// groupMatch is a compiled Groups filter: an equality on displayName
// (ignoring case), externalId (exactly) or id.
type groupMatch struct {
	attr  string // "displayname", "externalid" or "id"
	value string
}

func (m groupMatch) matches(o directory.Org) bool {
	switch m.attr {
	case "displayname":
		return strings.EqualFold(o.Name, m.value)
	case "externalid":
		return o.Code == m.value
	}
	return strconv.FormatInt(o.ID, 10) == m.value
}

func groupFilter(text string) (*groupMatch, error) {
	if text == "" {
		return nil, nil
	}
	e, err := filter.Parse(text)
	if err != nil {
		return nil, err
	}
	c, ok := e.(*filter.Compare)
	if ok && c.Op == filter.Eq && c.Path.Sub == "" && (c.Path.URI == "" || strings.EqualFold(c.Path.URI, schemas.Group)) {
		attr := strings.ToLower(c.Path.Attr)
		if s, isStr := c.Value.(string); isStr && (attr == "displayname" || attr == "externalid" || attr == "id") {
			return &groupMatch{attr: attr, value: s}, nil
		}
	}
	return nil, invalidFilter("userd filters Groups by displayName eq, externalId eq or id eq only")
}

func (h *handler) listGroups(c *call) error {
	lp, err := parseListQuery(c.r)
	if err != nil {
		return err
	}
	return h.queryGroups(c, lp)
}

func (h *handler) searchGroups(c *call) error {
	lp, err := c.readSearch(h)
	if err != nil {
		return err
	}
	return h.queryGroups(c, lp)
}

// queryGroups answers a page of groups.
func (h *handler) queryGroups(c *call, lp listParams) error {
	if s, err := userSort(lp.sortBy, lp.sortOrder); err != nil || s != (directory.UserSort{}) && s != (directory.UserSort{Field: directory.FieldID}) {
		return errorf(http.StatusBadRequest, typeInvalidValue, "sortBy: Groups come in id order; sortBy may be id ascending only")
	}
	pg, err := h.groupPage(c, lp)
	if err != nil {
		return err
	}
	c.writePage(lp, pg)
	return nil
}

// groupPage reads the page of groups lp asks for, in id order. It reads
// the tenant's orgs in id order, at most MaxGroupScan of them (only those
// whose name or code starts with a filter's value).
func (h *handler) groupPage(c *call, lp listParams) (listPage, error) {
	proj, err := newProjection(schemas.Group, lp.attributes, lp.excluded)
	if err != nil {
		return listPage{}, err
	}
	m, err := groupFilter(lp.filter)
	if err != nil {
		return listPage{}, err
	}
	limit := directory.DefaultPageSize
	if lp.count >= 0 {
		limit = min(lp.count, directory.MaxPageSize)
	}
	var after int64
	if lp.cursor != nil && *lp.cursor != "" {
		id, ok := server.ParseID(*lp.cursor)
		if !ok {
			return listPage{}, errorf(http.StatusBadRequest, "invalidCursor", "cursor: not a cursor userd gave; start again without one")
		}
		after = id
	}
	f := directory.OrgFilter{Limit: directory.MaxPageSize}
	if m != nil && m.attr != "id" {
		f.Query = m.value
	}
	var matched []directory.Org
	total, scanned, more := 0, 0, false
	skip := lp.startIndex - 1
	for {
		orgs, next, err := h.d.Service.ListOrgs(c.r.Context(), c.p, f)
		if err != nil {
			return listPage{}, err
		}
		for _, o := range orgs {
			if m != nil && !m.matches(o) {
				continue
			}
			total++
			if o.ID <= after || skip > 0 {
				skip -= min(skip, 1)
				continue
			}
			if len(matched) < limit {
				matched = append(matched, o)
			} else {
				more = true
			}
		}
		scanned += len(orgs)
		if next == 0 || scanned >= MaxGroupScan {
			break
		}
		f.AfterID = next
	}
	resources := make([]any, 0, len(matched))
	budget := MaxGroupMembers
	for _, o := range matched {
		d, err := h.groupDocWithin(c, o, wantsMembers(proj), &budget)
		if err != nil {
			return listPage{}, err
		}
		resources = append(resources, proj.apply(d))
	}
	out := listPage{groups: resources, total: total}
	if more {
		out.next = strconv.FormatInt(matched[len(matched)-1].ID, 10)
	}
	return out, nil
}
