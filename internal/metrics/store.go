package metrics

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/userd/userd/internal/directory"
)

// WatchStore returns next with every method call timed, by operation (the
// method's name), and failures counted by kind. If next reports pool
// statistics (the SQLite store's Stats, the PostgreSQL store's Stat), they
// are exported too.
func (m *Metrics) WatchStore(next directory.Store) directory.Store {
	switch st := next.(type) {
	case interface{ Stats() map[string]sql.DBStats }:
		m.reg.MustRegister(newPoolCollector(func() map[string]poolStats {
			out := map[string]poolStats{}
			for name, s := range st.Stats() {
				out[name] = sqlStats(s)
			}
			return out
		}))
	case interface{ Stat() *pgxpool.Stat }:
		m.reg.MustRegister(newPoolCollector(func() map[string]poolStats {
			return map[string]poolStats{"postgres": pgxStats(st.Stat())}
		}))
	}
	return &store{next: next, ops: m.storeOps, errs: m.storeErrors}
}

// store is a directory.Store that measures the one it wraps.
type store struct {
	next directory.Store
	ops  *prometheus.HistogramVec
	errs *prometheus.CounterVec
}

var _ directory.Store = (*store)(nil)

// observe records an operation that began at start and returned err.
func (s *store) observe(op string, start time.Time, err error) error {
	s.ops.WithLabelValues(op).Observe(time.Since(start).Seconds())
	if err != nil {
		s.errs.WithLabelValues(op, directory.KindOf(err).String()).Inc()
	}
	return err
}

// timed runs f as operation op and observes it.
func timed[T any](s *store, op string, f func() (T, error)) (T, error) {
	start := time.Now()
	v, err := f()
	return v, s.observe(op, start, err)
}

// Close closes the wrapped store; it is not timed.
func (s *store) Close() error { return s.next.Close() }

func (s *store) Ping(ctx context.Context) error {
	start := time.Now()
	return s.observe("Ping", start, s.next.Ping(ctx))
}

func (s *store) Secret(ctx context.Context, name string, generated []byte) ([]byte, error) {
	return timed(s, "Secret", func() ([]byte, error) { return s.next.Secret(ctx, name, generated) })
}

func (s *store) CreateTenant(ctx context.Context, t directory.Tenant) (directory.Tenant, error) {
	return timed(s, "CreateTenant", func() (directory.Tenant, error) { return s.next.CreateTenant(ctx, t) })
}

func (s *store) Tenant(ctx context.Context, id int64) (directory.Tenant, error) {
	return timed(s, "Tenant", func() (directory.Tenant, error) { return s.next.Tenant(ctx, id) })
}

func (s *store) TenantByName(ctx context.Context, name string) (directory.Tenant, error) {
	return timed(s, "TenantByName", func() (directory.Tenant, error) { return s.next.TenantByName(ctx, name) })
}

func (s *store) Tenants(ctx context.Context) ([]directory.Tenant, error) {
	return timed(s, "Tenants", func() ([]directory.Tenant, error) { return s.next.Tenants(ctx) })
}

func (s *store) CreateUser(ctx context.Context, u directory.User, ev directory.Event) (directory.User, error) {
	return timed(s, "CreateUser", func() (directory.User, error) { return s.next.CreateUser(ctx, u, ev) })
}

func (s *store) CreateUsers(ctx context.Context, users []directory.User, ev directory.Event) ([]directory.User, error) {
	return timed(s, "CreateUsers", func() ([]directory.User, error) { return s.next.CreateUsers(ctx, users, ev) })
}

func (s *store) User(ctx context.Context, tenantID, id int64) (directory.User, error) {
	return timed(s, "User", func() (directory.User, error) { return s.next.User(ctx, tenantID, id) })
}

func (s *store) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	return timed(s, "UsersByID", func() ([]directory.User, error) { return s.next.UsersByID(ctx, tenantID, ids) })
}

func (s *store) ListUsers(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	return timed(s, "ListUsers", func() ([]directory.User, error) { return s.next.ListUsers(ctx, tenantID, f) })
}

func (s *store) UpdateUser(ctx context.Context, u directory.User, ev directory.Event) (directory.User, error) {
	return timed(s, "UpdateUser", func() (directory.User, error) { return s.next.UpdateUser(ctx, u, ev) })
}

func (s *store) DeleteUser(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	start := time.Now()
	return s.observe("DeleteUser", start, s.next.DeleteUser(ctx, tenantID, id, version, ev))
}

func (s *store) CreateOrg(ctx context.Context, o directory.Org, ev directory.Event) (directory.Org, error) {
	return timed(s, "CreateOrg", func() (directory.Org, error) { return s.next.CreateOrg(ctx, o, ev) })
}

func (s *store) Org(ctx context.Context, tenantID, id int64) (directory.Org, error) {
	return timed(s, "Org", func() (directory.Org, error) { return s.next.Org(ctx, tenantID, id) })
}

func (s *store) OrgsByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.Org, error) {
	return timed(s, "OrgsByID", func() ([]directory.Org, error) { return s.next.OrgsByID(ctx, tenantID, ids) })
}

func (s *store) ListOrgs(ctx context.Context, tenantID int64, f directory.OrgFilter) ([]directory.Org, error) {
	return timed(s, "ListOrgs", func() ([]directory.Org, error) { return s.next.ListOrgs(ctx, tenantID, f) })
}

func (s *store) UpdateOrg(ctx context.Context, o directory.Org, ev directory.Event) (directory.Org, error) {
	return timed(s, "UpdateOrg", func() (directory.Org, error) { return s.next.UpdateOrg(ctx, o, ev) })
}

func (s *store) DeleteOrg(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	start := time.Now()
	return s.observe("DeleteOrg", start, s.next.DeleteOrg(ctx, tenantID, id, version, ev))
}

func (s *store) CreateClient(ctx context.Context, c directory.Client, ev directory.Event) (directory.Client, error) {
	return timed(s, "CreateClient", func() (directory.Client, error) { return s.next.CreateClient(ctx, c, ev) })
}

func (s *store) ClientByClientID(ctx context.Context, clientID string) (directory.Client, error) {
	return timed(s, "ClientByClientID", func() (directory.Client, error) { return s.next.ClientByClientID(ctx, clientID) })
}

func (s *store) Clients(ctx context.Context, tenantID int64) ([]directory.Client, error) {
	return timed(s, "Clients", func() ([]directory.Client, error) { return s.next.Clients(ctx, tenantID) })
}

func (s *store) SetClientDisabled(ctx context.Context, tenantID int64, clientID string, disabled bool, ev directory.Event) (directory.Client, error) {
	return timed(s, "SetClientDisabled", func() (directory.Client, error) {
		return s.next.SetClientDisabled(ctx, tenantID, clientID, disabled, ev)
	})
}

func (s *store) CreateAPIToken(ctx context.Context, t directory.APIToken, ev directory.Event) (directory.APIToken, error) {
	return timed(s, "CreateAPIToken", func() (directory.APIToken, error) { return s.next.CreateAPIToken(ctx, t, ev) })
}

func (s *store) APITokenByHash(ctx context.Context, hash []byte) (directory.APIToken, error) {
	return timed(s, "APITokenByHash", func() (directory.APIToken, error) { return s.next.APITokenByHash(ctx, hash) })
}

func (s *store) APITokens(ctx context.Context, tenantID int64) ([]directory.APIToken, error) {
	return timed(s, "APITokens", func() ([]directory.APIToken, error) { return s.next.APITokens(ctx, tenantID) })
}

func (s *store) RevokeAPIToken(ctx context.Context, tenantID, id int64, ev directory.Event) (directory.APIToken, error) {
	return timed(s, "RevokeAPIToken", func() (directory.APIToken, error) { return s.next.RevokeAPIToken(ctx, tenantID, id, ev) })
}

func (s *store) AuditEvents(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Event, error) {
	return timed(s, "AuditEvents", func() ([]directory.Event, error) { return s.next.AuditEvents(ctx, tenantID, afterID, limit) })
}

func (s *store) RecordEvent(ctx context.Context, ev directory.Event) error {
	start := time.Now()
	return s.observe("RecordEvent", start, s.next.RecordEvent(ctx, ev))
}
