package directory

import (
	"context"
	"time"
)

// Store persists the directory. Implementations (SQLite, PostgreSQL) only
// store: every rule about what is allowed lives in the Service. Every method
// that reads or writes a tenant's objects takes the tenant id and never
// touches another tenant's rows; an object of another tenant is reported
// exactly like a missing one.
//
// Errors are *Error values: NotFound for a missing object, Conflict for a
// unique or reference constraint (duplicate username, email or org code; an
// org that still has members or children), ErrVersionMismatch for a stale
// update, Unavailable when the database cannot be reached. Methods that change
// data take an Event and write it in the same transaction.
//
// Stores never read a clock: the Service sets every timestamp (UTC, whole
// microseconds), and a store that must stamp a side effect (revoked_at, the
// updated_at of users whose manager was deleted) uses ev.Time.
//
// The contract suite in package directorytest states the behaviour exactly.
type Store interface {
	SignInStore

	// Ping reports whether the store can serve, as /readyz asks: the
	// database answers and holds every migration this build knows (a newer
	// schema is fine). Otherwise it returns Unavailable.
	Ping(ctx context.Context) error
	// Close releases the store's connections.
	Close() error

	// Secret returns the installation-wide secret called name, storing
	// generated first if there is none yet. Every node sharing the database
	// gets the same value.
	Secret(ctx context.Context, name string, generated []byte) ([]byte, error)

	CreateTenant(ctx context.Context, t Tenant) (Tenant, error)
	Tenant(ctx context.Context, id int64) (Tenant, error)
	TenantByName(ctx context.Context, name string) (Tenant, error)
	Tenants(ctx context.Context) ([]Tenant, error)

	// CreateUser inserts u and returns it with ID set (from a sequence that
	// never reuses an id) and Version 1. Each check runs first, in the same
	// transaction, on the tenant's manager tree (see Tree); a check's error
	// is CreateUser's and nothing is written. Nil checks are skipped.
	CreateUser(ctx context.Context, u User, ev Event, checks ...TreeCheck) (User, error)
	// CreateUsers inserts many users in one transaction (bulk import). It
	// either inserts all of them or none, and returns them with ids set;
	// checks as in CreateUser.
	CreateUsers(ctx context.Context, users []User, ev Event, checks ...TreeCheck) ([]User, error)
	// User returns the user of tenantID with id, holding the fields view
	// keeps (see UserView.Of); NotFound when there is none.
	User(ctx context.Context, tenantID, id int64, view UserView) (User, error)
	// UserBrief returns the Brief of the user of tenantID with id, the
	// fields as User would read them; NotFound when there is none. It is
	// the read of OpenAPI v1's GET, which shows no more: the membership
	// sub-select and each column it skips are most of the cost of reading
	// one user.
	UserBrief(ctx context.Context, tenantID, id int64) (Brief, error)
	// UserByUsername returns the user of tenantID whose username is
	// username ignoring case (usernames are ASCII, see User.Validate, and
	// unique ignoring case), read through the unique index on the folded
	// username; NotFound when there is none. It reads the fields view
	// keeps (see UserView.Of).
	UserByUsername(ctx context.Context, tenantID int64, username string, view UserView) (User, error)
	// UsersByID returns the users of tenantID among ids, in no particular
	// order; ids that do not exist there are left out. It reads only the
	// fields Card keeps, the others left zero (no memberships, no
	// profile, no times): it is the batch read of user-info v1, which
	// shows no more, and each column it skips spares a read and a
	// conversion per user.
	UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]User, error)
	// ListUsers returns up to f.Limit users matching f in the order
	// f.Order() names, starting after the position f.AfterKey, f.AfterID,
	// each with the fields f.View keeps (see UserView.Of).
	ListUsers(ctx context.Context, tenantID int64, f UserFilter) ([]User, error)
	// ListUserSummaries is ListUsers reading only the fields Summary
	// keeps, the others left zero: the read of a page that only lists
	// users to pick from (SearchUsers).
	ListUserSummaries(ctx context.Context, tenantID int64, f UserFilter) ([]User, error)
	// QueryUsers returns up to limit users of tenantID that match q (nil:
	// every user) and have an id above afterID, in the order sort names
	// (see UserSort), skipping the first offset of them. The Service has
	// checked q (see checkQuery) and sort; the store compiles both to SQL
	// with bound parameters only, and sorts ids before reading the users,
	// each with the fields view keeps (see UserView.Of).
	QueryUsers(ctx context.Context, tenantID int64, q *UserQuery, sort UserSort, afterID int64, offset, limit int, view UserView) ([]User, error)
	// LookupUsers returns, in id order, up to limit users of tenantID that
	// match q, each with the fields view keeps: a query UserQuery.Lookup
	// accepts, read in one statement from the index of its equality on
	// the external id, with no sub-select and no count. The Service has
	// checked q; the store compiles it as QueryUsers does.
	LookupUsers(ctx context.Context, tenantID int64, q *UserQuery, limit int, view UserView) ([]User, error)
	// CountUserQuery returns how many users of tenantID match q (nil: every
	// user), counting no further than max.
	CountUserQuery(ctx context.Context, tenantID int64, q *UserQuery, max int) (int, error)
	// CountUsers returns how many users of tenantID match f's OrgID (every
	// user when 0); the other fields of f are ignored.
	CountUsers(ctx context.Context, tenantID int64, f UserFilter) (int64, error)
	// UpdateUser stores the fields of u that ev.Fields names (the native
	// spelling: "orgs" for the memberships, "password" for the hash and
	// its time) and u.UpdatedAt, and nothing else, if the stored version
	// is still u.Version, and returns u with the version incremented. A
	// field ev.Fields does not name keeps its stored value, whatever u
	// holds. It returns ErrVersionMismatch when the version differs and
	// NotFound when the user does not exist; checks as in CreateUser.
	UpdateUser(ctx context.Context, u User, ev Event, checks ...TreeCheck) (User, error)
	// DeleteUser removes the user, its org memberships, and clears manager_id
	// (incrementing version) of the users it managed. If version is not 0 it
	// must match the stored one.
	DeleteUser(ctx context.Context, tenantID, id, version int64, ev Event) error

	// CreateOrg inserts o and returns it with ID set and Version 1. Each
	// check runs first, in the same transaction, on the tenant's org tree
	// (see Tree); a check's error is CreateOrg's and nothing is written.
	// Nil checks are skipped.
	CreateOrg(ctx context.Context, o Org, ev Event, checks ...TreeCheck) (Org, error)
	Org(ctx context.Context, tenantID, id int64) (Org, error)
	// OrgsByID returns the orgs of tenantID among ids; others are left out.
	OrgsByID(ctx context.Context, tenantID int64, ids []int64) ([]Org, error)
	ListOrgs(ctx context.Context, tenantID int64, f OrgFilter) ([]Org, error)
	// OrgByCode returns the org of tenantID whose code is code, compared
	// exactly; NotFound when no org of the tenant has it.
	OrgByCode(ctx context.Context, tenantID int64, code string) (Org, error)
	// CountOrgs returns how many orgs of tenantID s selects, from counts
	// kept with the tree (a few rows per level), not the orgs themselves.
	CountOrgs(ctx context.Context, tenantID int64, s OrgSpan) (int64, error)
	// OrgsInSpan returns up to limit of the orgs s selects, from position
	// offset (from 0) in s's order; it skips no more than one block of
	// the tree's counts to reach the offset, however far it is.
	OrgsInSpan(ctx context.Context, tenantID int64, s OrgSpan, offset, limit int) ([]Org, error)
	// UpdateOrg stores o if the stored version is still o.Version and
	// returns it with the version incremented; checks as in CreateOrg.
	UpdateOrg(ctx context.Context, o Org, ev Event, checks ...TreeCheck) (Org, error)
	// DeleteOrg removes an org that has no members and no child orgs; it
	// returns Conflict otherwise.
	DeleteOrg(ctx context.Context, tenantID, id, version int64, ev Event) error

	CreateClient(ctx context.Context, c Client, ev Event) (Client, error)
	// ClientByClientID finds a client of any tenant by its public client_id.
	ClientByClientID(ctx context.Context, clientID string) (Client, error)
	// Clients returns up to limit clients of tenantID with id > afterID,
	// by id.
	Clients(ctx context.Context, tenantID, afterID int64, limit int) ([]Client, error)
	// CountClients returns how many clients tenantID has, disabled ones
	// included.
	CountClients(ctx context.Context, tenantID int64) (int, error)
	// SetClientDisabled disables or re-enables a client.
	SetClientDisabled(ctx context.Context, tenantID int64, clientID string, disabled bool, ev Event) (Client, error)

	CreateAPIToken(ctx context.Context, t APIToken, ev Event) (APIToken, error)
	// APITokenByHash finds a token of any tenant, revoked or not, by its hash.
	APITokenByHash(ctx context.Context, hash []byte) (APIToken, error)
	// APITokens returns up to limit tokens of tenantID with id > afterID,
	// by id, revoked and expired ones included.
	APITokens(ctx context.Context, tenantID, afterID int64, limit int) ([]APIToken, error)
	// CountAPITokens returns how many tokens of tenantID are usable at at:
	// not revoked, and without an expiry or expiring after at.
	CountAPITokens(ctx context.Context, tenantID int64, at time.Time) (int, error)
	// RevokeAPIToken marks the token revoked at ev.Time; revoking a revoked
	// token keeps the first time and is not an error.
	RevokeAPIToken(ctx context.Context, tenantID, id int64, ev Event) (APIToken, error)

	// AuditEvents returns up to limit events of tenantID with id > afterID,
	// oldest first.
	AuditEvents(ctx context.Context, tenantID, afterID int64, limit int) ([]Event, error)
	// FindAuditEvents returns up to f.Limit events of tenantID that match
	// f with id > f.AfterID, oldest first.
	FindAuditEvents(ctx context.Context, tenantID int64, f EventFilter) ([]Event, error)
	// RecordEvent writes an event that is not part of a change (a failed
	// authentication).
	RecordEvent(ctx context.Context, ev Event) error

	ChangeLog
	WebhookStore
}

// UserFilter selects users for ListUsers and says where the page starts.
// Empty fields match everything.
type UserFilter struct {
	// Username matches usernames that start with it, ignoring case.
	Username string
	// Email matches emails that start with it, ignoring case.
	Email string
	// Name matches names that start with it, ignoring case.
	Name string
	// Query matches users whose username, email or name starts with it,
	// ignoring case. It never changes the order.
	Query string
	// ExternalID, when set, keeps only the users with exactly that
	// ExternalID (case-sensitive, as SCIM's externalId is). Stores find
	// them through an index on (tenant, external id); it never changes
	// the order.
	ExternalID string
	// Phone, when set, keeps only the users with exactly that phone,
	// found through an index on (tenant, phone); it never changes the
	// order.
	Phone string
	// AfterKey and AfterID are the position of the last user of the
	// previous page: its sort key (see UserOrder.Key) and id. The page
	// holds the users after it in f.Order(). Zero values start at the
	// beginning.
	AfterKey string
	AfterID  int64
	// OrgID, when not 0, keeps the users who are members of that org.
	OrgID int64
	// Offset skips that many users of the selection, in id order; only
	// with no filter but OrgID (UsersByPage). Stores find the page's start
	// from maintained counts, without reading the users it skips.
	Offset int
	Limit  int
	// View names the fields of each user to read; WholeUser reads them
	// all.
	View UserView
}

// MembersOnly reports whether f keeps an org's members and applies no
// other filter. A store then reads the page's ids from the org's
// memberships alone, from the position on, and only those users: a page
// costs its own rows however many users come before it or are not members.
func (f UserFilter) MembersOnly() bool {
	return f.OrgID != 0 && f.Username == "" && f.Email == "" && f.Name == "" && f.Query == "" && f.ExternalID == "" && f.Phone == ""
}

// UserOrder is the order of a list of users.
type UserOrder int

const (
	// ByID orders users by id.
	ByID UserOrder = iota
	// ByEmail orders users by email ignoring case, then by id.
	ByEmail
	// ByUsername orders users by username ignoring case, then by id.
	ByUsername
	// ByName orders users by name ignoring case, then by id.
	ByName
)

// Order returns the order of the users f selects: by email when f.Email is
// set (f.Username and f.Name, if also set, only filter), by username when
// f.Username is set (f.Name then only filters), by name when only f.Name is
// set, by id otherwise. Ordering by the prefix's own column
// lets a store read a page straight from that column's index, however many
// users match the prefix.
func (f UserFilter) Order() UserOrder {
	switch {
	case f.Email != "":
		return ByEmail
	case f.Username != "":
		return ByUsername
	case f.Name != "":
		return ByName
	}
	return ByID
}

// Key returns u's sort key in order o, as a page position's AfterKey: its
// email for ByEmail, its username for ByUsername, its name for ByName, ""
// for ByID. Stores compare keys ignoring case, as they compare the users'
// values.
func (o UserOrder) Key(u User) string {
	switch o {
	case ByEmail:
		return u.Email
	case ByUsername:
		return u.Username
	case ByName:
		return u.Name
	}
	return ""
}

// OrgFilter selects orgs for ListOrgs. Empty fields match everything.
type OrgFilter struct {
	// ParentID, when not 0, keeps only the direct children of that org.
	ParentID int64
	// Roots, when set, keeps only the orgs without a parent (the top of
	// the tree, which a console expands level by level).
	Roots bool
	// Query matches orgs whose name or code starts with it, ignoring case.
	Query   string
	AfterID int64
	Limit   int
}

// EventFilter selects audit events for FindAuditEvents. Empty fields match
// everything; strings match exactly.
type EventFilter struct {
	Actor    string
	ObjectID string
	Action   string
	// Since and Until bound the events' time: Since <= time < Until. A
	// zero time leaves that side open.
	Since, Until time.Time
	AfterID      int64
	Limit        int
}
