package directory

import "context"

// EditUser changes a user of the principal's tenant by the patch edit
// computes from the user as stored: a dialect whose changes are relative to
// the current state (a SCIM PATCH, adding one org membership) needs only
// users:write, as UpdateUser does, not users:read too. If version is not 0
// the stored version must equal it (PreconditionFailed otherwise); with 0,
// a change made between the read and the write is read again and edit
// called again. An error from edit is EditUser's.
func (s *Service) EditUser(ctx context.Context, p Principal, id, version int64, edit func(User) (UserPatch, error)) (User, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	for attempt := 1; ; attempt++ {
		u, err := s.findUser(ctx, p.TenantID, id)
		if err != nil {
			return User{}, err
		}
		if version != 0 && u.Version != version {
			return User{}, ErrVersionMismatch
		}
		patch, err := edit(u)
		if err != nil {
			return User{}, err
		}
		updated, err := s.UpdateUser(ctx, p, id, u.Version, patch)
		if KindOf(err) == PreconditionFailed && version == 0 {
			if attempt == maxUpdateAttempts {
				return User{}, errContended
			}
			continue
		}
		return updated, err
	}
}
