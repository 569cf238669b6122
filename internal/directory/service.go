package directory

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PasswordHasher turns a plaintext password into a PHC string.
type PasswordHasher interface {
	HashPassword(ctx context.Context, password string) (string, error)
}

// HashChecker is implemented by a PasswordHasher that can also verify
// password hashes made elsewhere. CheckHash returns an error saying what is
// wrong with a hash it could not verify. Service.ImportUsers accepts
// UserPatch.PasswordHash only when the hasher is one.
type HashChecker interface {
	CheckHash(hash string) error
}

// Limits on listing.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
	// MaxBatch is the most ids one UsersByID call may ask for.
	MaxBatch = 1000
	// maxUpdateAttempts bounds the retries of an update that raced with
	// another one and was not pinned to a version by the caller.
	maxUpdateAttempts = 8
)

// errContended answers an update without a version that lost the race to
// other updates maxUpdateAttempts times. It is not ErrVersionMismatch: the
// caller set no precondition, so a 412 would make no sense to it.
var errContended = Errorf(Conflict, "", "the object is being changed by many requests at once; retry")

// Service holds every rule of the directory: scopes, tenant scoping,
// validation and references. All API dialects and commands go through it.
type Service struct {
	store  Store
	hasher PasswordHasher
	now    func() time.Time
	creds  CredentialLimits
	// watchers are told of credential changes (WatchCredentials).
	watchers []CredentialWatcher
	// signals wakes the readers waiting for changes (WaitForChanges).
	signals changeSignals
	// changePoll is how often WaitForChanges reads the log unwoken.
	changePoll time.Duration
	// webhooks and checker rule webhook subscriptions (webhook.go).
	webhooks WebhookPolicy
	checker  SubscriptionChecker
	signin   signIn
}

// NewService returns a Service over store that hashes passwords with hasher.
func NewService(store Store, hasher PasswordHasher) *Service {
	return &Service{store: store, hasher: hasher, now: time.Now, changePoll: DefaultChangePoll}
}

// Store returns the store the service writes to.
func (s *Service) Store() Store { return s.store }

// System returns a principal with every scope in tenantID, for local
// administrative commands.
func System(tenantID int64) Principal {
	return Principal{TenantID: tenantID, Scopes: AllScopes, Actor: "cli"}
}

// clock returns the current time as stores keep it: UTC, whole microseconds
// (PostgreSQL's resolution), so every engine reads back what was written.
func (s *Service) clock() time.Time {
	return s.now().UTC().Truncate(time.Microsecond)
}

func (s *Service) event(p Principal, action string, objectID int64, fields []string) Event {
	ev := Event{TenantID: p.TenantID, Time: s.clock(), Actor: p.Actor, Action: action, Fields: fields, ClientIP: p.ClientIP}
	if objectID != 0 {
		ev.ObjectID = strconv.FormatInt(objectID, 10)
	}
	ev.Changes = changeEntries(ev, objectID)
	return ev
}

var (
	tenantNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	allDigits         = regexp.MustCompile(`^[0-9]+$`)
)

// CreateTenant creates a tenant. Only local administrative commands create
// tenants; no API does. A name is never all digits, so that digits that
// name a tenant (userd --tenant, the tenant id headers) are always its id.
func (s *Service) CreateTenant(ctx context.Context, name string) (Tenant, error) {
	if !tenantNamePattern.MatchString(name) {
		return Tenant{}, Errorf(Invalid, "name", "must be 1 to 63 characters of a-z, 0-9 and '-', starting with a letter or digit")
	}
	if allDigits.MatchString(name) {
		return Tenant{}, Errorf(Invalid, "name", "must not be all digits: digits name a tenant by its id; add a letter, e.g. t%s", name)
	}
	t, err := s.store.CreateTenant(ctx, Tenant{Name: name, CreatedAt: s.clock()})
	return t, describe(err, map[string]any{"name": name})
}

// Tenants lists every tenant.
func (s *Service) Tenants(ctx context.Context) ([]Tenant, error) {
	return s.store.Tenants(ctx)
}

// CreateUser creates a user in the principal's tenant from patch, applied to
// the defaults (active, not locked). origin says how the user came.
func (s *Service) CreateUser(ctx context.Context, p Principal, origin string, patch UserPatch) (User, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	if patch.PasswordHash != nil {
		return User{}, errHashOnlyOnImport
	}
	u, fields, err := s.newUser(ctx, p, origin, patch)
	if err != nil {
		return User{}, err
	}
	created, err := s.store.CreateUser(ctx, u, s.event(p, "user.create", 0, fields), u.managerCheck(fields))
	s.changed(p.TenantID, err)
	if err != nil {
		return User{}, describe(err, userValues(&u))
	}
	return created, nil
}

// userValues are the values of u a constraint error may be about, for
// describe.
func userValues(u *User) map[string]any {
	return map[string]any{"username": u.Username, "email": u.Email, "manager_id": u.ManagerID}
}

// newUser builds and checks a user to insert, hashing its password if any.
func (s *Service) newUser(ctx context.Context, p Principal, origin string, patch UserPatch) (User, []string, error) {
	now := s.clock()
	u := User{TenantID: p.TenantID, Active: true, Origin: origin, ClientIP: p.ClientIP, Extension: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	fields := patch.apply(&u)
	if err := s.checkUser(ctx, &u, fields); err != nil {
		return User{}, nil, err
	}
	if patch.Password != nil {
		if err := s.setPassword(ctx, &u, *patch.Password); err != nil {
			return User{}, nil, err
		}
		fields = append(fields, "password")
	}
	return u, fields, nil
}

// ImportUsers creates many users in one transaction: all are inserted or
// none. Each patch is checked as CreateUser would check it; the error of the
// first bad one names its index in the batch.
func (s *Service) ImportUsers(ctx context.Context, p Principal, patches []UserPatch) ([]User, error) {
	return s.createMany(ctx, p, "user.import", patches, s.importer(ctx, p))
}

// importer builds one imported user of p's tenant and names the fields it
// sets, for ImportUsers and PrepareImport.
func (s *Service) importer(ctx context.Context, p Principal) func(UserPatch) (User, []string, error) {
	return func(patch UserPatch) (User, []string, error) { return s.importedUser(ctx, p, patch) }
}

// buildMany builds a user from each patch with build, after checking that
// p may write users, and returns them with the fields each sets; the error
// of the first bad patch is a *BatchError naming its index.
func buildMany(p Principal, patches []UserPatch, build func(UserPatch) (User, []string, error)) ([]User, [][]string, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return nil, nil, err
	}
	users := make([]User, 0, len(patches))
	fields := make([][]string, 0, len(patches))
	for i, patch := range patches {
		u, f, err := build(patch)
		if err != nil {
			return nil, nil, &BatchError{Index: i, Err: err}
		}
		users = append(users, u)
		fields = append(fields, f)
	}
	return users, fields, nil
}

// CreateUsers creates many users in one transaction, each as CreateUser
// would (origin says how they came): all are inserted or none, and the
// error of the first bad one is a *BatchError naming its index. One audit
// event records the batch. A batch costs one transaction instead of one
// per user, which is what a SCIM Bulk of creations is for.
func (s *Service) CreateUsers(ctx context.Context, p Principal, origin string, patches []UserPatch) ([]User, error) {
	if len(patches) > MaxBatch {
		return nil, Errorf(Invalid, "users", "at most %d users per batch", MaxBatch)
	}
	return s.createMany(ctx, p, "user.create", patches, func(patch UserPatch) (User, []string, error) {
		if patch.PasswordHash != nil {
			return User{}, nil, errHashOnlyOnImport
		}
		return s.newUser(ctx, p, origin, patch)
	})
}

// createMany builds each user with build and inserts them all in one
// transaction, recorded as one event of action with a change-log entry
// per user.
func (s *Service) createMany(ctx context.Context, p Principal, action string, patches []UserPatch, build func(UserPatch) (User, []string, error)) ([]User, error) {
	users, fields, err := buildMany(p, patches, build)
	if err != nil {
		return nil, err
	}
	ev := s.event(p, action, 0, []string{strconv.Itoa(len(users)) + " users"})
	ev.Changes = createdEntries(p.TenantID, fields, ev.Time)
	created, err := s.store.CreateUsers(ctx, users, ev, managerChecks(users))
	s.changed(p.TenantID, err)
	var be *BatchError
	if errors.As(err, &be) && be.Index >= 0 && be.Index < len(users) {
		return nil, &BatchError{Index: be.Index, Err: describe(be.Err, userValues(&users[be.Index]))}
	}
	return created, err
}

// createdEntries returns the change-log entries of users of tenantID
// created together at at, one per user, naming the fields each set
// (fields[i]); a store sets their ids (see Created).
func createdEntries(tenantID int64, fields [][]string, at time.Time) []Change {
	changes := make([]Change, 0, len(fields))
	for _, f := range fields {
		changes = append(changes, Change{TenantID: tenantID, Type: ObjectUser, Op: OpCreate, Fields: f, Time: at})
	}
	return changes
}

var errHashOnlyOnImport = Errorf(Invalid, "password_hash", "only userd user import may set a password hash; send password instead")

// importedUser builds a user to import from patch, which may carry an
// existing password hash the hasher can verify, stored as given, and names
// the fields it sets ("password" for a hash too), for the change log.
func (s *Service) importedUser(ctx context.Context, p Principal, patch UserPatch) (User, []string, error) {
	hash := patch.PasswordHash
	if hash != nil {
		checker, ok := s.hasher.(HashChecker)
		switch {
		case !ok:
			return User{}, nil, Errorf(Invalid, "password_hash", "this server cannot verify imported password hashes")
		case patch.Password != nil:
			return User{}, nil, Errorf(Invalid, "password_hash", "send password or password_hash, not both")
		}
		if err := checker.CheckHash(*hash); err != nil {
			return User{}, nil, Errorf(Invalid, "password_hash", "%s", strings.TrimPrefix(err.Error(), "auth: "))
		}
	}
	u, fields, err := s.newUser(ctx, p, OriginImport, patch)
	if err != nil {
		return User{}, nil, err
	}
	if hash != nil {
		u.PasswordHash, u.PasswordChangedAt = *hash, s.clock()
		fields = append(fields, "password")
	}
	return u, fields, nil
}

// BatchError reports which item of a batch failed.
type BatchError struct {
	Index int
	Err   error
}

// Error implements error.
func (e *BatchError) Error() string { return "item " + strconv.Itoa(e.Index) + ": " + e.Err.Error() }

// Unwrap returns the item's error.
func (e *BatchError) Unwrap() error { return e.Err }

func (s *Service) setPassword(ctx context.Context, u *User, password string) error {
	if err := ValidatePassword(password); err != nil {
		return err
	}
	// The hasher serves tenants in turn, so one tenant's flood of password
	// changes cannot hold up another's.
	hash, err := s.hasher.HashPassword(WithTenant(ctx, u.TenantID), password)
	if err != nil {
		return err
	}
	u.PasswordHash = hash
	u.PasswordChangedAt = s.clock()
	return nil
}

// checkUser validates u and, among the fields that changed, its references
// within its tenant (a reference that did not change was checked when it was
// set, and the store's constraints keep it valid). The extension is put in
// its canonical form only when it changed (or is missing): one read from the
// store is already in that form, as every write stores it so.
func (s *Service) checkUser(ctx context.Context, u *User, changed []string) error {
	if u.Extension == nil || slices.Contains(changed, "extension") {
		ext, err := CanonicalExtension(u.Extension)
		if err != nil {
			return err
		}
		u.Extension = ext
	}
	if err := u.validate(false); err != nil {
		return err
	}
	if u.ManagerID != 0 && slices.Contains(changed, "manager_id") {
		if _, err := s.store.UserBrief(ctx, u.TenantID, u.ManagerID); err != nil {
			if KindOf(err) == NotFound {
				return Errorf(Invalid, "manager_id", "user %d does not exist", u.ManagerID)
			}
			return err
		}
	}
	if len(u.Orgs) > 0 && slices.Contains(changed, "orgs") {
		ids := make([]int64, len(u.Orgs))
		for i, m := range u.Orgs {
			ids[i] = m.OrgID
		}
		found, err := s.store.OrgsByID(ctx, u.TenantID, ids)
		if err != nil {
			return err
		}
		if len(found) != len(ids) {
			have := map[int64]bool{}
			for _, o := range found {
				have[o.ID] = true
			}
			for _, id := range ids {
				if !have[id] {
					return Errorf(Invalid, "orgs", "org %d does not exist", id)
				}
			}
		}
	}
	return nil
}

// User returns one user of the principal's tenant.
func (s *Service) User(ctx context.Context, p Principal, id int64) (User, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return User{}, err
	}
	return s.findUser(ctx, p.TenantID, id)
}

// findUser reads a user, answering NotFound for ids no user can have.
func (s *Service) findUser(ctx context.Context, tenantID, id int64) (User, error) {
	if err := checkUserID(id); err != nil {
		return User{}, err
	}
	return s.store.User(ctx, tenantID, id, WholeUser)
}

// checkUserID answers NotFound for an id no user can have, without asking
// the store.
func checkUserID(id int64) error {
	if id <= 0 || id > MaxSafeID {
		return Errorf(NotFound, "", "no such user")
	}
	return nil
}

// UserBrief returns the Brief of the user of the principal's tenant with
// id (Store.UserBrief), for a dialect that shows no more of a user than
// that.
func (s *Service) UserBrief(ctx context.Context, p Principal, id int64) (Brief, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return Brief{}, err
	}
	if err := checkUserID(id); err != nil {
		return Brief{}, err
	}
	return s.store.UserBrief(ctx, p.TenantID, id)
}

// UsersByID returns the users of the principal's tenant among ids, in the
// order asked, each once; ids that do not exist there are left out. Each
// is a Card (Store.UsersByID): a dialect that shows more of a user reads
// users one by one with User or in pages with ListUsers.
func (s *Service) UsersByID(ctx context.Context, p Principal, ids []int64) ([]User, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return nil, err
	}
	if len(ids) > MaxBatch {
		return nil, Errorf(Invalid, "ids", "at most %d ids per request", MaxBatch)
	}
	found, err := s.store.UsersByID(ctx, p.TenantID, ids)
	if err != nil {
		return nil, err
	}
	// Index found rather than copy each User into the map, and put found
	// in the order asked in place rather than into a new slice: a User is
	// hundreds of bytes, and a batch holds up to MaxBatch of them.
	byID := make(map[int64]int, len(found))
	for i := range found {
		byID[found[i].ID] = i
	}
	order := make([]int, 0, len(found))
	for _, id := range ids {
		if i, ok := byID[id]; ok {
			order = append(order, i)
			delete(byID, id)
		}
	}
	arrange(found, order)
	return found[:len(order)], nil
}

// arrange moves found[order[k]] to found[k] for each k, in place; order
// holds distinct indexes of found, and the users it does not name end up
// after len(order) in no particular order.
func arrange(found []User, order []int) {
	// to[i] is where the user at index i goes: its place in order, or one
	// of the places after it.
	to := make([]int, len(found))
	for i := range to {
		to[i] = -1
	}
	for k, i := range order {
		to[i] = k
	}
	rest := len(order)
	for i := range to {
		if to[i] < 0 {
			to[i], rest = rest, rest+1
		}
	}
	// Follow each cycle of the permutation, swapping each user into place.
	for i := range found {
		for to[i] != i {
			j := to[i]
			found[i], found[j] = found[j], found[i]
			to[i], to[j] = to[j], to[i]
		}
	}
}

// ListUsers returns a page of the principal's users, in the order
// f.Order() names, and the filter that reads the next page: f with its
// position moved to the last user of this page. The next filter is nil
// when this is the last page.
func (s *Service) ListUsers(ctx context.Context, p Principal, f UserFilter) ([]User, *UserFilter, error) {
	return s.listUsers(ctx, p, f, s.store.ListUsers)
}

// listUsers is ListUsers reading the page with read: the store's
// ListUsers or ListUserSummaries.
func (s *Service) listUsers(ctx context.Context, p Principal, f UserFilter, read func(context.Context, int64, UserFilter) ([]User, error)) ([]User, *UserFilter, error) {
	if err := p.require(ScopeUsersRead); err != nil {
		return nil, nil, err
	}
	limit, err := pageSize(f.Limit)
	if err != nil {
		return nil, nil, err
	}
	for _, t := range []struct{ field, value string }{{"username", f.Username}, {"email", f.Email}, {"name", f.Name}, {"q", f.Query}, {"external_id", f.ExternalID}, {"cursor", f.AfterKey}} {
		if err := CheckText(t.field, t.value); err != nil {
			return nil, nil, err
		}
	}
	query := f
	query.Email = NormalizeEmail(f.Email)
	query.Limit = limit + 1
	users, err := read(ctx, p.TenantID, query)
	if err != nil {
		return nil, nil, err
	}
	if len(users) <= limit {
		return users, nil, nil
	}
	users = users[:limit]
	last := users[limit-1]
	next := f
	next.AfterKey, next.AfterID = f.Order().Key(last), last.ID
	return users, &next, nil
}

func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultPageSize, nil
	case n < 0 || n > MaxPageSize:
		return 0, Errorf(Invalid, "limit", "must be between 1 and %d", MaxPageSize)
	}
	return n, nil
}

// UpdateUser applies patch to a user of the principal's tenant. If version
// is not 0 the update happens only if the stored version equals it
// (PreconditionFailed otherwise); with 0 a concurrent change is re-read and
// the patch applied again. A patch that changes nothing leaves the version.
func (s *Service) UpdateUser(ctx context.Context, p Principal, id, version int64, patch UserPatch) (User, error) {
	return s.updateUser(ctx, p, id, version, patch, WholeUser)
}

// UpdateUserWithoutOrgs is UpdateUser for a dialect whose answer shows no
// memberships: the user it returns has Orgs nil. A patch that leaves the
// memberships alone reads the user without them (WithoutOrgsView), which
// costs the read its most expensive part on PostgreSQL. None of such a
// patch's rules look at the stored memberships: the patch cannot change
// them, and they were checked when they were stored.
func (s *Service) UpdateUserWithoutOrgs(ctx context.Context, p Principal, id, version int64, patch UserPatch) (User, error) {
	view := WholeUser
	if patch.Orgs == nil {
		view = WithoutOrgsView
	}
	u, err := s.updateUser(ctx, p, id, version, patch, view)
	u.Orgs = nil
	return u, err
}

// updateUser is UpdateUser reading the user with view.
func (s *Service) updateUser(ctx context.Context, p Principal, id, version int64, patch UserPatch, view UserView) (User, error) {
	if err := p.require(ScopeUsersWrite); err != nil {
		return User{}, err
	}
	// Read first: a missing user answers before any password is hashed, so
	// another tenant's user costs exactly what a missing one does.
	if err := checkUserID(id); err != nil {
		return User{}, err
	}
	u, err := s.store.User(ctx, p.TenantID, id, view)
	if err != nil {
		return User{}, err
	}
	return s.writeUserPatch(ctx, p, u, version, patch, view)
}

// writeUserPatch is updateUser once the user is read: it applies patch to
// u and writes it if the stored version is still u's, so a user changed
// since it was read is never overwritten. With version 0 such a user is
// read again with view and the patch applied again; otherwise the answer
// is ErrVersionMismatch. A patch that sets a password hash is refused:
// only an import may.
func (s *Service) writeUserPatch(ctx context.Context, p Principal, u User, version int64, patch UserPatch, view UserView) (User, error) {
	if patch.PasswordHash != nil {
		return User{}, errHashOnlyOnImport
	}
	id := u.ID
	hashed := User{TenantID: p.TenantID} // the new password's hash, made once
	for attempt := 0; ; attempt++ {
		if version != 0 && u.Version != version {
			return User{}, ErrVersionMismatch
		}
		before := u
		fields := patch.apply(&u)
		if err := s.checkUser(ctx, &u, fields); err != nil {
			return User{}, err
		}
		if patch.Password != nil {
			// Hashed only once the rest of the patch is known to be valid:
			// a rejected update costs no argon2id work.
			if hashed.PasswordHash == "" {
				if err := s.setPassword(ctx, &hashed, *patch.Password); err != nil {
					return User{}, err
				}
			}
			u.PasswordHash, u.PasswordChangedAt = hashed.PasswordHash, hashed.PasswordChangedAt
			fields = append(fields, "password")
		}
		if len(fields) == 0 {
			return u, nil
		}
		ev := s.event(p, "user.update", id, fields)
		u.UpdatedAt = ev.Time
		updated, err := s.store.UpdateUser(handlingMismatch(ctx, version == 0), u, ev, u.managerCheck(fields))
		s.changed(p.TenantID, err)
		if !errors.Is(err, ErrVersionMismatch) || version != 0 {
			if err != nil {
				return User{}, describe(err, userValues(&u))
			}
			return updated, s.afterUserUpdate(ctx, p, before, updated, fields)
		}
		if attempt == maxUpdateAttempts {
			return User{}, errContended
		}
		if u, err = s.store.User(ctx, p.TenantID, id, view); err != nil {
			return User{}, err
		}
	}
}

// DeleteUser deletes a user of the principal's tenant; version as in UpdateUser.
func (s *Service) DeleteUser(ctx context.Context, p Principal, id, version int64) error {
	if err := p.require(ScopeUsersWrite); err != nil {
		return err
	}
	if id <= 0 || id > MaxSafeID {
		return Errorf(NotFound, "", "no such user")
	}
	err := s.store.DeleteUser(ctx, p.TenantID, id, version, s.event(p, "user.delete", id, nil))
	s.changed(p.TenantID, err)
	return err
}

// CreateOrg creates an org in the principal's tenant.
func (s *Service) CreateOrg(ctx context.Context, p Principal, patch OrgPatch) (Org, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Org{}, err
	}
	now := s.clock()
	o := Org{TenantID: p.TenantID, CreatedAt: now, UpdatedAt: now}
	fields := patch.apply(&o)
	if err := o.Validate(); err != nil {
		return Org{}, err
	}
	created, err := s.store.CreateOrg(ctx, o, s.event(p, "org.create", 0, fields), o.treeChecks(fields)...)
	s.changed(p.TenantID, err)
	if err != nil {
		return Org{}, describe(err, orgValues(&o))
	}
	return created, nil
}

// Org returns one org of the principal's tenant. Reading orgs needs
// users:read or admin.
func (s *Service) Org(ctx context.Context, p Principal, id int64) (Org, error) {
	if err := requireOrgRead(p); err != nil {
		return Org{}, err
	}
	if id <= 0 || id > MaxSafeID {
		return Org{}, Errorf(NotFound, "", "no such org")
	}
	return s.store.Org(ctx, p.TenantID, id)
}

// requireAdminRead lets admin or admin:read read what admin manages:
// clients, tokens and the audit log.
func requireAdminRead(p Principal) error {
	if p.Scopes.Has(ScopeAdminRead) {
		return nil
	}
	return p.require(ScopeAdmin)
}

func requireOrgRead(p Principal) error {
	if p.Scopes.Has(ScopeAdmin) {
		return nil
	}
	return p.require(ScopeUsersRead)
}

// ListOrgs returns a page of the principal's orgs and the next AfterID (0 on
// the last page).
func (s *Service) ListOrgs(ctx context.Context, p Principal, f OrgFilter) ([]Org, int64, error) {
	if err := requireOrgRead(p); err != nil {
		return nil, 0, err
	}
	limit, err := pageSize(f.Limit)
	if err != nil {
		return nil, 0, err
	}
	if err := CheckText("q", f.Query); err != nil {
		return nil, 0, err
	}
	f.Limit = limit + 1
	orgs, err := s.store.ListOrgs(ctx, p.TenantID, f)
	if err != nil {
		return nil, 0, err
	}
	if len(orgs) > limit {
		orgs = orgs[:limit]
		return orgs, orgs[limit-1].ID, nil
	}
	return orgs, 0, nil
}

// UpdateOrg applies patch to an org of the principal's tenant; version as in
// UpdateUser.
func (s *Service) UpdateOrg(ctx context.Context, p Principal, id, version int64, patch OrgPatch) (Org, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Org{}, err
	}
	for attempt := 0; ; attempt++ {
		o, err := s.Org(ctx, p, id)
		if err != nil {
			return Org{}, err
		}
		if version != 0 && o.Version != version {
			return Org{}, ErrVersionMismatch
		}
		fields := patch.apply(&o)
		if err := o.Validate(); err != nil {
			return Org{}, err
		}
		if len(fields) == 0 {
			return o, nil
		}
		ev := s.event(p, "org.update", id, fields)
		o.UpdatedAt = ev.Time
		updated, err := s.store.UpdateOrg(handlingMismatch(ctx, version == 0), o, ev, o.treeChecks(fields)...)
		s.changed(p.TenantID, err)
		if !errors.Is(err, ErrVersionMismatch) || version != 0 {
			if err != nil {
				return Org{}, describe(err, orgValues(&o))
			}
			return updated, nil
		}
		if attempt == maxUpdateAttempts {
			return Org{}, errContended
		}
	}
}

// DeleteOrg deletes an org with no members and no children.
func (s *Service) DeleteOrg(ctx context.Context, p Principal, id, version int64) error {
	if err := p.require(ScopeAdmin); err != nil {
		return err
	}
	if id <= 0 || id > MaxSafeID {
		return Errorf(NotFound, "", "no such org")
	}
	err := s.store.DeleteOrg(ctx, p.TenantID, id, version, s.event(p, "org.delete", id, nil))
	s.changed(p.TenantID, err)
	return describe(err, map[string]any{"": id})
}

// CreateClient creates an API client and returns it with its secret, which
// is shown this once and never stored.
func (s *Service) CreateClient(ctx context.Context, p Principal, name string, scopes Scopes) (Client, Secret, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Client{}, "", err
	}
	if err := validateCredentialName(name); err != nil {
		return Client{}, "", err
	}
	if err := p.canGrant(scopes); err != nil {
		return Client{}, "", err
	}
	if len(scopes) == 0 {
		return Client{}, "", Errorf(Invalid, "scope", "give at least one scope")
	}
	if s.creds.MaxClients > 0 {
		n, err := s.store.CountClients(ctx, p.TenantID)
		if err != nil {
			return Client{}, "", err
		}
		if n >= s.creds.MaxClients {
			return Client{}, "", Errorf(Conflict, "", "the tenant has %d API clients, the most allowed; reuse one (disabled clients count too)", s.creds.MaxClients)
		}
	}
	secret := NewSecret(ClientSecretPrefix)
	now := s.clock()
	c := Client{TenantID: p.TenantID, ClientID: NewClientID(), SecretHash: HashSecret(secret.Reveal()), Name: name, Scopes: scopes, CreatedAt: now, UpdatedAt: now}
	c, err := s.store.CreateClient(ctx, c, s.event(p, "client.create", 0, []string{"name", "scope"}))
	if err != nil {
		return Client{}, "", describe(err, nil)
	}
	return c, secret, nil
}

func validateCredentialName(name string) error {
	if name == "" {
		return Errorf(Invalid, "name", "is required")
	}
	return validateText("name", name, MaxTextFieldLen)
}

// Clients returns a page of the API clients of the principal's tenant, by
// id, and the next afterID (0 on the last page).
func (s *Service) Clients(ctx context.Context, p Principal, afterID int64, limit int) ([]Client, int64, error) {
	if err := requireAdminRead(p); err != nil {
		return nil, 0, err
	}
	return page(limit, func(n int) ([]Client, error) { return s.store.Clients(ctx, p.TenantID, afterID, n) }, func(c Client) int64 { return c.ID })
}

// SetClientDisabled disables or re-enables a client of the principal's tenant.
func (s *Service) SetClientDisabled(ctx context.Context, p Principal, clientID string, disabled bool) (Client, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return Client{}, err
	}
	if CheckText("client_id", clientID) != nil {
		// No client has such an id, on any engine.
		return Client{}, errNoClient
	}
	c, err := s.store.ClientByClientID(ctx, clientID)
	if err == nil && c.TenantID != p.TenantID {
		err = errNoClient
	}
	if err != nil {
		return Client{}, err
	}
	if err := p.canManage("client", c.Scopes); err != nil {
		return Client{}, err
	}
	action := "client.enable"
	if disabled {
		action = "client.disable"
	}
	ev := s.event(p, action, 0, []string{"disabled"})
	ev.ObjectID = clientID
	c, err = s.store.SetClientDisabled(ctx, p.TenantID, clientID, disabled, ev)
	if err != nil {
		return Client{}, err
	}
	for _, w := range s.watchers {
		w.ClientChanged(clientID)
	}
	return c, nil
}

// MaxTokenLifetime bounds the expiry of API tokens.
const MaxTokenLifetime = 10 * 365 * 24 * time.Hour

// CreateAPIToken creates an API token that expires after ttl (0: never) and
// returns it with its secret, shown this once and never stored.
func (s *Service) CreateAPIToken(ctx context.Context, p Principal, name string, scopes Scopes, ttl time.Duration) (APIToken, Secret, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return APIToken{}, "", err
	}
	if err := validateCredentialName(name); err != nil {
		return APIToken{}, "", err
	}
	if err := p.canGrant(scopes); err != nil {
		return APIToken{}, "", err
	}
	if len(scopes) == 0 {
		return APIToken{}, "", Errorf(Invalid, "scope", "give at least one scope")
	}
	if ttl < 0 || ttl > MaxTokenLifetime {
		return APIToken{}, "", Errorf(Invalid, "expires", "must be between 0 (never) and %s", MaxTokenLifetime)
	}
	now := s.clock()
	if s.creds.MaxTokens > 0 {
		n, err := s.store.CountAPITokens(ctx, p.TenantID, now)
		if err != nil {
			return APIToken{}, "", err
		}
		if n >= s.creds.MaxTokens {
			return APIToken{}, "", Errorf(Conflict, "", "the tenant has %d usable API tokens, the most allowed; revoke ones no longer needed", s.creds.MaxTokens)
		}
	}
	secret := NewSecret(APITokenPrefix)
	t := APIToken{TenantID: p.TenantID, Name: name, Scopes: scopes, Hash: HashSecret(secret.Reveal()), CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	t, err := s.store.CreateAPIToken(ctx, t, s.event(p, "token.create", 0, []string{"name", "scope", "expires_at"}))
	if err != nil {
		return APIToken{}, "", describe(err, nil)
	}
	return t, secret, nil
}

// APITokens returns a page of the API tokens of the principal's tenant,
// revoked and expired ones included, by id, and the next afterID (0 on the
// last page).
func (s *Service) APITokens(ctx context.Context, p Principal, afterID int64, limit int) ([]APIToken, int64, error) {
	if err := requireAdminRead(p); err != nil {
		return nil, 0, err
	}
	return page(limit, func(n int) ([]APIToken, error) { return s.store.APITokens(ctx, p.TenantID, afterID, n) }, func(t APIToken) int64 { return t.ID })
}

// RevokeAPIToken revokes a token of the principal's tenant.
func (s *Service) RevokeAPIToken(ctx context.Context, p Principal, id int64) (APIToken, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return APIToken{}, err
	}
	if id <= 0 || id > MaxSafeID {
		return APIToken{}, errNoToken
	}
	// The page of at most one token after id-1 holds token id if the
	// tenant has it.
	page, err := s.store.APITokens(ctx, p.TenantID, id-1, 1)
	if err != nil {
		return APIToken{}, err
	}
	if len(page) == 0 || page[0].ID != id {
		return APIToken{}, errNoToken
	}
	if err := p.canManage("token", page[0].Scopes); err != nil {
		return APIToken{}, err
	}
	t, err := s.store.RevokeAPIToken(ctx, p.TenantID, id, s.event(p, "token.revoke", id, []string{"revoked_at"}))
	if err != nil {
		return APIToken{}, err
	}
	for _, w := range s.watchers {
		w.APITokenRevoked(t)
	}
	return t, nil
}

// AuditEvents returns a page of the principal's tenant's audit events and
// the next afterID (0 on the last page).
func (s *Service) AuditEvents(ctx context.Context, p Principal, afterID int64, limit int) ([]Event, int64, error) {
	if err := requireAdminRead(p); err != nil {
		return nil, 0, err
	}
	return page(limit, func(n int) ([]Event, error) { return s.store.AuditEvents(ctx, p.TenantID, afterID, n) }, func(ev Event) int64 { return ev.ID })
}

// FindAuditEvents returns a page of the principal's tenant's audit events
// that match f (f.Limit 0 is DefaultPageSize), oldest first, and the next
// AfterID (0 on the last page).
func (s *Service) FindAuditEvents(ctx context.Context, p Principal, f EventFilter) ([]Event, int64, error) {
	if err := p.require(ScopeAdmin); err != nil {
		return nil, 0, err
	}
	for _, t := range []struct{ field, value string }{{"actor", f.Actor}, {"object", f.ObjectID}, {"action", f.Action}} {
		if err := CheckText(t.field, t.value); err != nil {
			return nil, 0, err
		}
		if len(t.value) > MaxTextFieldLen {
			return nil, 0, Errorf(Invalid, t.field, "must be at most %d bytes", MaxTextFieldLen)
		}
	}
	return page(f.Limit, func(n int) ([]Event, error) {
		q := f
		q.Limit = n
		return s.store.FindAuditEvents(ctx, p.TenantID, q)
	}, func(ev Event) int64 { return ev.ID })
}

// page reads one page of at most limit items (DefaultPageSize when 0) with
// read, which returns up to n items in id order, and returns them with the
// id of the last one when more follow (0 on the last page).
func page[T any](limit int, read func(n int) ([]T, error), id func(T) int64) ([]T, int64, error) {
	n, err := pageSize(limit)
	if err != nil {
		return nil, 0, err
	}
	items, err := read(n + 1)
	if err != nil || len(items) <= n {
		return items, 0, err
	}
	items = items[:n]
	return items, id(items[n-1]), nil
}

// Collect reads every page of a list that page returns, as Clients,
// APITokens and AuditEvents do, starting from the beginning; for commands
// that print a whole list.
func Collect[T any](page func(afterID int64) ([]T, int64, error)) ([]T, error) {
	var all []T
	for after := int64(0); ; {
		items, next, err := page(after)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == 0 {
			return all, nil
		}
		after = next
	}
}

// DefaultTenant is the name of the tenant Bootstrap creates.
const DefaultTenant = "default"

// Bootstrap prepares an empty installation: when there is no tenant yet it
// creates tenant "default" and an admin client holding every scope, and
// returns that client with its secret (shown once). On an installation that
// already has a tenant it returns ok false and changes nothing.
func (s *Service) Bootstrap(ctx context.Context) (c Client, secret Secret, ok bool, err error) {
	tenants, err := s.store.Tenants(ctx)
	if err != nil || len(tenants) > 0 {
		return Client{}, "", false, err
	}
	t, err := s.CreateTenant(ctx, DefaultTenant)
	if KindOf(err) == Conflict {
		// Another node bootstrapped the same database at the same moment.
		return Client{}, "", false, nil
	}
	if err != nil {
		return Client{}, "", false, err
	}
	p := System(t.ID)
	p.Actor = "bootstrap"
	c, secret, err = s.CreateClient(ctx, p, "bootstrap admin", AllScopes)
	if err != nil {
		return Client{}, "", false, err
	}
	return c, secret, true, nil
}

// orgValues are the values of o a constraint error may be about, for
// describe.
func orgValues(o *Org) map[string]any {
	return map[string]any{"code": o.Code, "parent_id": o.ParentID}
}
