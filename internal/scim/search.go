package scim

import (
	"errors"
	"net/http"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
)

// listPage is one page of a ListResponse.
type listPage struct {
	resources []any
	total     int    // totalResults
	next      string // the cursor after the page; "" at the end
}

// writePage answers pg as a ListResponse: with startIndex for index
// paging, with nextCursor (when there are more) for cursor paging.
func (c *call) writePage(lp listParams, pg listPage) {
	out := doc{"schemas": []any{schemas.ListResponse}, "totalResults": pg.total,
		"itemsPerPage": len(pg.resources), "Resources": pg.resources}
	if lp.cursor != nil {
		if pg.next != "" {
			out["nextCursor"] = pg.next
		}
	} else {
		out["startIndex"] = lp.startIndex
	}
	writeJSON(c.w, http.StatusOK, out)
}

// searchAll answers POST /.search at the root (RFC 7644 §3.4.3), a search
// across both resource types: one list of the matching Users (in id
// order) followed by the matching Groups (in id order), paged by index
// over that list, totalResults the sum of both counts (the users' counted
// as a Users search counts them). A filter naming an attribute only one
// type has selects none of the other; one that fits neither is refused.
// Sorting and cursors work within one resource type only.
func (h *handler) searchAll(c *call) error {
	lp, err := c.readSearch(h)
	if err != nil {
		return err
	}
	if lp.cursor != nil {
		return errorf(http.StatusBadRequest, typeInvalidValue, "cursor: a search across resource types pages by startIndex; page with a cursor in POST /Users/.search or /Groups/.search")
	}
	if lp.sortBy != "" {
		return errorf(http.StatusBadRequest, typeInvalidValue, "sortBy: a search across resource types lists Users then Groups, each in id order; sort in POST /Users/.search")
	}
	limit := directory.DefaultPageSize
	if lp.count >= 0 {
		limit = min(lp.count, directory.MaxPageSize)
	}
	users, release, userErr := h.userPage(c, lp)
	if userErr != nil && !isFilterError(userErr) {
		return userErr
	}
	if userErr == nil {
		defer release()
	}
	// The groups continue the list where the users end: the page's rest,
	// from the index past the users.
	glp := lp
	glp.count = limit - len(users.resources)
	glp.startIndex = max(1, lp.startIndex-users.total)
	groups, groupErr := h.groupPage(c, glp)
	switch {
	case groupErr != nil && !isFilterError(groupErr):
		return groupErr
	case userErr != nil && groupErr != nil:
		return userErr
	}
	c.writePage(lp, listPage{resources: append(users.resources, groups.resources...), total: users.total + groups.total})
	return nil
}

// isFilterError reports whether err refuses a filter (invalidFilter): in
// a search across resource types, one that fits another type.
func isFilterError(err error) bool {
	var fe *filter.Error
	return errors.As(err, &fe)
}
