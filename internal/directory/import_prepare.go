package directory

import "context"

// PrepareImport checks patches as ImportUsers does and returns the users it
// would store, without storing them, with the change-log entries of their
// creation (one per user, in order, ids unset): the path of a bulk loader
// (COPY on PostgreSQL, see postgres.Store.CopyUsers) that writes them
// itself. The error of the first bad patch names its index in the batch.
func (s *Service) PrepareImport(ctx context.Context, p Principal, patches []UserPatch) ([]User, []Change, error) {
	users, fields, err := buildMany(p, patches, s.importer(ctx, p))
	if err != nil {
		return nil, nil, err
	}
	return users, createdEntries(p.TenantID, fields, s.clock()), nil
}
