package directory

import "context"

// PrepareImport checks patches as ImportUsers does and returns the users it
// would store, without storing them: the path of a bulk loader (COPY on
// PostgreSQL, see postgres.Store.CopyUsers) that writes them itself. The
// error of the first bad patch names its index in the batch.
func (s *Service) PrepareImport(ctx context.Context, p Principal, patches []UserPatch) ([]User, error) {
	return buildMany(p, patches, s.importer(ctx, p))
}
