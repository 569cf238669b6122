// Package storewatch wraps a directory.Store so something can watch every
// operation (one method call): metrics time them, tracing gives each a span.
// It holds the Store's method list once for all of them.
package storewatch

import (
	"context"
	"time"

	"github.com/userd/userd/internal/directory"
)

// Observer watches store operations. op is the Store method's name.
type Observer interface {
	// Begin is called as an operation starts; the operation runs with the
	// context it returns.
	Begin(ctx context.Context, op string) context.Context
	// End is called when the operation returns, with Begin's context, the
	// time it took and its error.
	End(ctx context.Context, op string, elapsed time.Duration, err error)
}

// Wrap returns next with every operation but Close watched by obs.
func Wrap(next directory.Store, obs Observer) directory.Store {
	return &store{next: next, obs: obs}
}

// store is a directory.Store that tells obs of every operation on next.
type store struct {
	next directory.Store
	obs  Observer
}

var _ directory.Store = (*store)(nil)

// timed runs f as operation op, watched.
func timed[T any](ctx context.Context, s *store, op string, f func(context.Context) (T, error)) (T, error) {
	ctx = s.obs.Begin(ctx, op)
	start := time.Now()
	v, err := f(ctx)
	s.obs.End(ctx, op, time.Since(start), err)
	return v, err
}

// run runs f, which returns only an error, as operation op, watched.
func run(ctx context.Context, s *store, op string, f func(context.Context) error) error {
	ctx = s.obs.Begin(ctx, op)
	start := time.Now()
	err := f(ctx)
	s.obs.End(ctx, op, time.Since(start), err)
	return err
}

// Close closes the wrapped store; it is not watched.
func (s *store) Close() error { return s.next.Close() }

func (s *store) Ping(ctx context.Context) error {
	return run(ctx, s, "Ping", func(ctx context.Context) error { return s.next.Ping(ctx) })
}

func (s *store) Secret(ctx context.Context, name string, generated []byte) ([]byte, error) {
	return timed(ctx, s, "Secret", func(ctx context.Context) ([]byte, error) { return s.next.Secret(ctx, name, generated) })
}

func (s *store) CreateTenant(ctx context.Context, t directory.Tenant) (directory.Tenant, error) {
	return timed(ctx, s, "CreateTenant", func(ctx context.Context) (directory.Tenant, error) { return s.next.CreateTenant(ctx, t) })
}

func (s *store) Tenant(ctx context.Context, id int64) (directory.Tenant, error) {
	return timed(ctx, s, "Tenant", func(ctx context.Context) (directory.Tenant, error) { return s.next.Tenant(ctx, id) })
}

func (s *store) TenantByName(ctx context.Context, name string) (directory.Tenant, error) {
	return timed(ctx, s, "TenantByName", func(ctx context.Context) (directory.Tenant, error) { return s.next.TenantByName(ctx, name) })
}

func (s *store) Tenants(ctx context.Context) ([]directory.Tenant, error) {
	return timed(ctx, s, "Tenants", func(ctx context.Context) ([]directory.Tenant, error) { return s.next.Tenants(ctx) })
}

func (s *store) CreateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	return timed(ctx, s, "CreateUser", func(ctx context.Context) (directory.User, error) { return s.next.CreateUser(ctx, u, ev, checks...) })
}

func (s *store) CreateUsers(ctx context.Context, users []directory.User, ev directory.Event, checks ...directory.TreeCheck) ([]directory.User, error) {
	return timed(ctx, s, "CreateUsers", func(ctx context.Context) ([]directory.User, error) {
		return s.next.CreateUsers(ctx, users, ev, checks...)
	})
}

func (s *store) User(ctx context.Context, tenantID, id int64, view directory.UserView) (directory.User, error) {
	return timed(ctx, s, "User", func(ctx context.Context) (directory.User, error) { return s.next.User(ctx, tenantID, id, view) })
}

func (s *store) UserBrief(ctx context.Context, tenantID, id int64) (directory.Brief, error) {
	return timed(ctx, s, "UserBrief", func(ctx context.Context) (directory.Brief, error) { return s.next.UserBrief(ctx, tenantID, id) })
}

func (s *store) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	return timed(ctx, s, "UsersByID", func(ctx context.Context) ([]directory.User, error) { return s.next.UsersByID(ctx, tenantID, ids) })
}

func (s *store) ListUsers(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	return timed(ctx, s, "ListUsers", func(ctx context.Context) ([]directory.User, error) { return s.next.ListUsers(ctx, tenantID, f) })
}

func (s *store) ListUserSummaries(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	return timed(ctx, s, "ListUserSummaries", func(ctx context.Context) ([]directory.User, error) {
		return s.next.ListUserSummaries(ctx, tenantID, f)
	})
}

func (s *store) QueryUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, sort directory.UserSort, afterID int64, offset, limit int, view directory.UserView) ([]directory.User, error) {
	return timed(ctx, s, "QueryUsers", func(ctx context.Context) ([]directory.User, error) {
		return s.next.QueryUsers(ctx, tenantID, q, sort, afterID, offset, limit, view)
	})
}

func (s *store) LookupUsers(ctx context.Context, tenantID int64, q *directory.UserQuery, limit int, view directory.UserView) ([]directory.User, error) {
	return timed(ctx, s, "LookupUsers", func(ctx context.Context) ([]directory.User, error) {
		return s.next.LookupUsers(ctx, tenantID, q, limit, view)
	})
}

func (s *store) CountUserQuery(ctx context.Context, tenantID int64, q *directory.UserQuery, max int) (int, error) {
	return timed(ctx, s, "CountUserQuery", func(ctx context.Context) (int, error) { return s.next.CountUserQuery(ctx, tenantID, q, max) })
}

func (s *store) UserByUsername(ctx context.Context, tenantID int64, username string, view directory.UserView) (directory.User, error) {
	return timed(ctx, s, "UserByUsername", func(ctx context.Context) (directory.User, error) {
		return s.next.UserByUsername(ctx, tenantID, username, view)
	})
}

func (s *store) CountUsers(ctx context.Context, tenantID int64, f directory.UserFilter) (int64, error) {
	return timed(ctx, s, "CountUsers", func(ctx context.Context) (int64, error) { return s.next.CountUsers(ctx, tenantID, f) })
}

func (s *store) UpdateUser(ctx context.Context, u directory.User, ev directory.Event, checks ...directory.TreeCheck) (directory.User, error) {
	return timed(ctx, s, "UpdateUser", func(ctx context.Context) (directory.User, error) { return s.next.UpdateUser(ctx, u, ev, checks...) })
}

func (s *store) DeleteUser(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	return run(ctx, s, "DeleteUser", func(ctx context.Context) error { return s.next.DeleteUser(ctx, tenantID, id, version, ev) })
}

func (s *store) CreateOrg(ctx context.Context, o directory.Org, ev directory.Event, checks ...directory.TreeCheck) (directory.Org, error) {
	return timed(ctx, s, "CreateOrg", func(ctx context.Context) (directory.Org, error) { return s.next.CreateOrg(ctx, o, ev, checks...) })
}

func (s *store) Org(ctx context.Context, tenantID, id int64) (directory.Org, error) {
	return timed(ctx, s, "Org", func(ctx context.Context) (directory.Org, error) { return s.next.Org(ctx, tenantID, id) })
}

func (s *store) OrgsByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.Org, error) {
	return timed(ctx, s, "OrgsByID", func(ctx context.Context) ([]directory.Org, error) { return s.next.OrgsByID(ctx, tenantID, ids) })
}

func (s *store) ListOrgs(ctx context.Context, tenantID int64, f directory.OrgFilter) ([]directory.Org, error) {
	return timed(ctx, s, "ListOrgs", func(ctx context.Context) ([]directory.Org, error) { return s.next.ListOrgs(ctx, tenantID, f) })
}

func (s *store) OrgByCode(ctx context.Context, tenantID int64, code string) (directory.Org, error) {
	return timed(ctx, s, "OrgByCode", func(ctx context.Context) (directory.Org, error) { return s.next.OrgByCode(ctx, tenantID, code) })
}

func (s *store) CountOrgs(ctx context.Context, tenantID int64, sp directory.OrgSpan) (int64, error) {
	return timed(ctx, s, "CountOrgs", func(ctx context.Context) (int64, error) { return s.next.CountOrgs(ctx, tenantID, sp) })
}

func (s *store) OrgsInSpan(ctx context.Context, tenantID int64, sp directory.OrgSpan, offset, limit int) ([]directory.Org, error) {
	return timed(ctx, s, "OrgsInSpan", func(ctx context.Context) ([]directory.Org, error) {
		return s.next.OrgsInSpan(ctx, tenantID, sp, offset, limit)
	})
}

func (s *store) UpdateOrg(ctx context.Context, o directory.Org, ev directory.Event, checks ...directory.TreeCheck) (directory.Org, error) {
	return timed(ctx, s, "UpdateOrg", func(ctx context.Context) (directory.Org, error) { return s.next.UpdateOrg(ctx, o, ev, checks...) })
}

func (s *store) DeleteOrg(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	return run(ctx, s, "DeleteOrg", func(ctx context.Context) error { return s.next.DeleteOrg(ctx, tenantID, id, version, ev) })
}

func (s *store) CreateClient(ctx context.Context, c directory.Client, ev directory.Event) (directory.Client, error) {
	return timed(ctx, s, "CreateClient", func(ctx context.Context) (directory.Client, error) { return s.next.CreateClient(ctx, c, ev) })
}

func (s *store) ClientByClientID(ctx context.Context, clientID string) (directory.Client, error) {
	return timed(ctx, s, "ClientByClientID", func(ctx context.Context) (directory.Client, error) { return s.next.ClientByClientID(ctx, clientID) })
}

func (s *store) Clients(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Client, error) {
	return timed(ctx, s, "Clients", func(ctx context.Context) ([]directory.Client, error) {
		return s.next.Clients(ctx, tenantID, afterID, limit)
	})
}

func (s *store) CountClients(ctx context.Context, tenantID int64) (int, error) {
	return timed(ctx, s, "CountClients", func(ctx context.Context) (int, error) { return s.next.CountClients(ctx, tenantID) })
}

func (s *store) SetClientDisabled(ctx context.Context, tenantID int64, clientID string, disabled bool, ev directory.Event) (directory.Client, error) {
	return timed(ctx, s, "SetClientDisabled", func(ctx context.Context) (directory.Client, error) {
		return s.next.SetClientDisabled(ctx, tenantID, clientID, disabled, ev)
	})
}

func (s *store) CreateAPIToken(ctx context.Context, t directory.APIToken, ev directory.Event) (directory.APIToken, error) {
	return timed(ctx, s, "CreateAPIToken", func(ctx context.Context) (directory.APIToken, error) { return s.next.CreateAPIToken(ctx, t, ev) })
}

func (s *store) APITokenByHash(ctx context.Context, hash []byte) (directory.APIToken, error) {
	return timed(ctx, s, "APITokenByHash", func(ctx context.Context) (directory.APIToken, error) { return s.next.APITokenByHash(ctx, hash) })
}

func (s *store) APITokens(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.APIToken, error) {
	return timed(ctx, s, "APITokens", func(ctx context.Context) ([]directory.APIToken, error) {
		return s.next.APITokens(ctx, tenantID, afterID, limit)
	})
}

func (s *store) CountAPITokens(ctx context.Context, tenantID int64, at time.Time) (int, error) {
	return timed(ctx, s, "CountAPITokens", func(ctx context.Context) (int, error) { return s.next.CountAPITokens(ctx, tenantID, at) })
}

func (s *store) RevokeAPIToken(ctx context.Context, tenantID, id int64, ev directory.Event) (directory.APIToken, error) {
	return timed(ctx, s, "RevokeAPIToken", func(ctx context.Context) (directory.APIToken, error) {
		return s.next.RevokeAPIToken(ctx, tenantID, id, ev)
	})
}

func (s *store) FindAuditEvents(ctx context.Context, tenantID int64, f directory.EventFilter) ([]directory.Event, error) {
	return timed(ctx, s, "FindAuditEvents", func(ctx context.Context) ([]directory.Event, error) {
		return s.next.FindAuditEvents(ctx, tenantID, f)
	})
}

func (s *store) AuditEvents(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Event, error) {
	return timed(ctx, s, "AuditEvents", func(ctx context.Context) ([]directory.Event, error) {
		return s.next.AuditEvents(ctx, tenantID, afterID, limit)
	})
}

func (s *store) RecordEvent(ctx context.Context, ev directory.Event) error {
	return run(ctx, s, "RecordEvent", func(ctx context.Context) error { return s.next.RecordEvent(ctx, ev) })
}
