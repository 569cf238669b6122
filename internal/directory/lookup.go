package directory

import "context"

// UserByUsername returns the user of the principal's tenant whose username
// is username, compared ignoring case as usernames are unique ignoring
// case: one read of the store's unique index, as cheap as a read by id. A
// username no user can have answers NotFound, as a missing one. The user
// holds the fields view keeps (see UserView.Of).
func (s *Service) UserByUsername(ctx context.Context, p Principal, username string, view UserView) (User, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return User{}, err
	}
	if username == "" {
		return User{}, Errorf(Invalid, "username", "is required")
	}
	if !usernamePattern.MatchString(username) {
		return User{}, Errorf(NotFound, "", "no such user")
	}
	return s.store.UserByUsername(ctx, p.TenantID, username, view)
}

// Limits of UserPage.
const (
	// MaxPageNumber bounds UserPage.Page and OrgPage.Page. A user page is
	// found from maintained counts, at the same cost however deep; the
	// bound keeps Page*Limit far from overflowing.
	MaxPageNumber = 1_000_000
)

// UserPage asks for one page of users by page number, as APIs that page by
// number (OneAccess's offset) do.
type UserPage struct {
	// OrgID, when not 0, keeps the users who are members of that org.
	OrgID int64
	// Page is the page number from 0; Limit the users per page (1 to
	// MaxPageSize).
	Page, Limit int
	// View names the fields of each user to read; WholeUser reads them
	// all.
	View UserView
}

// UsersByPage returns page f of the principal's users by id, and how many
// users the filter selects in all. An OrgID of another tenant, or of no
// org, is NotFound.
func (s *Service) UsersByPage(ctx context.Context, p Principal, f UserPage) ([]User, int64, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return nil, 0, err
	}
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return nil, 0, Errorf(Invalid, "limit", "must be between 1 and %d", MaxPageSize)
	}
	if f.Page < 0 || f.Page > MaxPageNumber {
		return nil, 0, Errorf(Invalid, "offset", "must be a page number between 0 and %d", MaxPageNumber)
	}
	if f.OrgID < 0 || f.OrgID > MaxSafeID {
		return nil, 0, Errorf(Invalid, "org_id", "must be an org id")
	}
	if f.OrgID != 0 {
		if _, err := s.store.Org(ctx, p.TenantID, f.OrgID); err != nil {
			return nil, 0, err
		}
	}
	filter := UserFilter{OrgID: f.OrgID, Offset: f.Page * f.Limit, Limit: f.Limit, View: f.View}
	total, err := s.store.CountUsers(ctx, p.TenantID, filter)
	if err != nil {
		return nil, 0, err
	}
	if int64(filter.Offset) >= total {
		return []User{}, total, nil
	}
	users, err := s.store.ListUsers(ctx, p.TenantID, filter)
	if err != nil {
		return nil, 0, err
	}
	return users, total, nil
}

// PhoneInUse reports whether a user of the principal's tenant other than
// exceptID (0: none) has phone, for dialects whose mobile numbers are
// unique in a tenant (OneAccess). It is checked before the write, so two
// creates racing with the same number may both pass: a guard against
// mistakes, not a constraint. "" is never in use.
func (s *Service) PhoneInUse(ctx context.Context, p Principal, phone string, exceptID int64) (bool, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return false, err
	}
	if phone == "" || CheckText("phone", phone) != nil {
		return false, nil
	}
	users, err := s.store.ListUsers(ctx, p.TenantID, UserFilter{Phone: phone, Limit: 2})
	if err != nil {
		return false, err
	}
	for _, u := range users {
		if u.ID != exceptID {
			return true, nil
		}
	}
	return false, nil
}

// UpdateUserWith updates a user of the principal's tenant with the patch
// change makes from the user as stored, for dialects whose fields depend
// on what the user has (OneAccess's org_code moves the primary org and
// keeps the others). The user is read once, under users:write alone, as
// UpdateUser does, and the patch is written as UpdateUser writes it; a
// change the stored version no longer matches is PreconditionFailed,
// never applied to a newer user.
func (s *Service) UpdateUserWith(ctx context.Context, p Principal, id int64, change func(u User) (UserPatch, error)) (User, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	u, err := s.findUser(ctx, p.TenantID, id)
	if err != nil {
		return User{}, err
	}
	patch, err := change(u)
	if err != nil {
		return User{}, err
	}
	return s.writeUserPatch(ctx, p, u, u.Version, patch, WholeUser)
}
