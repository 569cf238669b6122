package scim

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/scim/filter"
	"github.com/userd/userd/internal/scim/schemas"
)

// userSort reads sortBy and sortOrder (RFC 7644 §3.4.2.3) as a directory
// sort: any attribute a filter can compare except groups, by the filter's
// rules for case (userName, emails and name.formatted ignore it). The
// stores sort in SQL, ties by id; see directory.UserSort for which orders
// an index serves and the bound on the others.
func userSort(sortBy, sortOrder string) (directory.UserSort, error) {
	var s directory.UserSort
	switch strings.ToLower(sortOrder) {
	case "", "ascending":
	case "descending":
		s.Descending = true
	default:
		return s, errorf(http.StatusBadRequest, typeInvalidValue, `sortOrder must be "ascending" or "descending"`)
	}
	if sortBy == "" {
		if sortOrder != "" {
			return s, errorf(http.StatusBadRequest, typeInvalidValue, "sortOrder needs a sortBy")
		}
		return s, nil
	}
	p, err := filter.ParsePath(sortBy)
	if err != nil || p.Filter != nil {
		return s, errorf(http.StatusBadRequest, typeInvalidValue, "sortBy must name one attribute, such as userName or meta.created")
	}
	fields, key := userFields, strings.ToLower(p.Path.Attr)
	if p.Path.Sub != "" {
		key += "." + strings.ToLower(p.Path.Sub)
	}
	switch {
	case p.Path.URI == "" || strings.EqualFold(p.Path.URI, schemas.User):
	case strings.EqualFold(p.Path.URI, schemas.EnterpriseUser):
		fields = enterpriseFields
	default:
		return s, errorf(http.StatusBadRequest, typeInvalidValue, fmt.Sprintf("sortBy: unknown schema %q", p.Path.URI))
	}
	f, ok := fields[key]
	if !ok || f == directory.FieldOrg {
		return s, errorf(http.StatusBadRequest, typeInvalidValue, fmt.Sprintf("userd cannot sort users by %q; see the sortable attributes in docs/api/scim.md", sortBy))
	}
	s.Field = f
	return s, nil
}
