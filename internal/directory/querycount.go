package directory

import "context"

// keptCount returns the number of users q matches from the counts the
// store keeps in step with every write (Store.CountUsers), when q is one
// those counts answer: no query (every user of the tenant) or the
// members of one org. It reports false for any other query, which is
// counted by reading its matches. A kept count costs the same at a
// million users as at ten, and is exact past MaxQueryCount.
func (s *Service) keptCount(ctx context.Context, tenantID int64, q *UserQuery) (int, bool, error) {
	var f UserFilter
	if q != nil {
		org, isID := q.Value.(int64)
		if q.Op != QueryEq || q.Field != FieldOrg || !isID || org <= 0 {
			return 0, false, nil
		}
		f.OrgID = org
	}
	n, err := s.store.CountUsers(ctx, tenantID, f)
	return int(n), true, err
}
