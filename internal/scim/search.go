package scim

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/jsonappend"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
	"github.com/userd/userd/internal/server"
)

// listPage is one page of a ListResponse: users, then groups.
type listPage struct {
	users  []directory.User
	plan   *userPlan // how users are projected
	groups []any     // the groups' resources, projected
	// null writes Resources as null: a search across resource types
	// whose filter fits Groups alone, with no group on the page.
	null  bool
	total int    // totalResults
	next  string // the cursor after the page; "" at the end
}

func (pg listPage) len() int { return len(pg.users) + len(pg.groups) }

// writePage answers pg as a ListResponse: with startIndex for index
// paging, with nextCursor (when there are more) for cursor paging. Its
// members are in the order encoding/json writes a map's.
func (c *call) writePage(lp listParams, pg listPage) {
	_ = server.WriteAppended(c.w, http.StatusOK, contentType, func(b []byte) ([]byte, error) {
		b = append(b, `{"Resources":`...)
		if pg.null {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for i := range pg.users {
				if i > 0 {
					b = append(b, ',')
				}
				b = newUserJSON(&pg.users[i], c.base).appendJSON(b, pg.plan)
			}
			for i, g := range pg.groups {
				if i > 0 || len(pg.users) > 0 {
					b = append(b, ',')
				}
				var err error
				if b, err = jsonappend.Value(b, g, false); err != nil {
					return b, err
				}
			}
			b = append(b, ']')
		}
		b = strconv.AppendInt(append(b, `,"itemsPerPage":`...), int64(pg.len()), 10)
		if lp.cursor != nil && pg.next != "" {
			b = jsonappend.Member(b, `,"nextCursor":`, pg.next, false)
		}
		b = append(b, `,"schemas":["`+schemas.ListResponse+`"]`...)
		if lp.cursor == nil {
			b = strconv.AppendInt(append(b, `,"startIndex":`...), int64(lp.startIndex), 10)
		}
		b = strconv.AppendInt(append(b, `,"totalResults":`...), int64(pg.total), 10)
		return append(b, '}'), nil
	})
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
	glp.count = limit - users.len()
	glp.startIndex = max(1, lp.startIndex-users.total)
	groups, groupErr := h.groupPage(c, glp)
	switch {
	case groupErr != nil && !isFilterError(groupErr):
		return groupErr
	case userErr != nil && groupErr != nil:
		return userErr
	}
	c.writePage(lp, listPage{users: users.users, plan: users.plan, groups: groups.groups, null: userErr != nil && len(groups.groups) == 0,
		total: users.total + groups.total})
	return nil
}

// isFilterError reports whether err refuses a filter (invalidFilter): in
// a search across resource types, one that fits another type.
func isFilterError(err error) bool {
	var fe *filter.Error
	return errors.As(err, &fe)
}
