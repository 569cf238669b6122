package directory

import "context"

// PrepareImport checks patches as ImportUsers does and returns the users it
// would store, without storing them: the path of a bulk loader (COPY on
// PostgreSQL, see postgres.Store.CopyUsers) that writes them itself. The
// error of the first bad patch names its index in the batch.
func (s *Service) PrepareImport(ctx context.Context, p Principal, patches []UserPatch) ([]User, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return nil, err
	}
	users := make([]User, 0, len(patches))
	for i, patch := range patches {
		u, err := s.importedUser(ctx, p, patch)
		if err != nil {
			return nil, &BatchError{Index: i, Err: err}
		}
		users = append(users, u)
	}
	return users, nil
}
