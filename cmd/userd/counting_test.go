package main

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/userd/userd/internal/directory"
)

// countingStore is the real store with every call recorded by method name.
// It is instrumentation, not a double: every call goes to the real store.
// The authorization tests compare two requests' calls to prove that they
// did the same work.
type countingStore struct {
	directory.Store
	mu    sync.Mutex
	calls []string
}

func (s *countingStore) record(method string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, method)
}

// take returns the calls recorded since the last take and forgets them.
func (s *countingStore) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	calls := slices.Clone(s.calls)
	s.calls = nil
	return calls
}

func (s *countingStore) Ping(ctx context.Context) error {
	s.record("Ping")
	return s.Store.Ping(ctx)
}

func (s *countingStore) Secret(ctx context.Context, name string, generated []byte) ([]byte, error) {
	s.record("Secret")
	return s.Store.Secret(ctx, name, generated)
}

func (s *countingStore) CreateTenant(ctx context.Context, t directory.Tenant) (directory.Tenant, error) {
	s.record("CreateTenant")
	return s.Store.CreateTenant(ctx, t)
}

func (s *countingStore) Tenant(ctx context.Context, id int64) (directory.Tenant, error) {
	s.record("Tenant")
	return s.Store.Tenant(ctx, id)
}

func (s *countingStore) TenantByName(ctx context.Context, name string) (directory.Tenant, error) {
	s.record("TenantByName")
	return s.Store.TenantByName(ctx, name)
}

func (s *countingStore) Tenants(ctx context.Context) ([]directory.Tenant, error) {
	s.record("Tenants")
	return s.Store.Tenants(ctx)
}

func (s *countingStore) CreateUser(ctx context.Context, u directory.User, ev directory.Event) (directory.User, error) {
	s.record("CreateUser")
	return s.Store.CreateUser(ctx, u, ev)
}

func (s *countingStore) CreateUsers(ctx context.Context, users []directory.User, ev directory.Event) ([]directory.User, error) {
	s.record("CreateUsers")
	return s.Store.CreateUsers(ctx, users, ev)
}

func (s *countingStore) User(ctx context.Context, tenantID, id int64) (directory.User, error) {
	s.record("User")
	return s.Store.User(ctx, tenantID, id)
}

func (s *countingStore) UsersByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.User, error) {
	s.record("UsersByID")
	return s.Store.UsersByID(ctx, tenantID, ids)
}

func (s *countingStore) ListUsers(ctx context.Context, tenantID int64, f directory.UserFilter) ([]directory.User, error) {
	s.record("ListUsers")
	return s.Store.ListUsers(ctx, tenantID, f)
}

func (s *countingStore) UpdateUser(ctx context.Context, u directory.User, ev directory.Event) (directory.User, error) {
	s.record("UpdateUser")
	return s.Store.UpdateUser(ctx, u, ev)
}

func (s *countingStore) DeleteUser(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	s.record("DeleteUser")
	return s.Store.DeleteUser(ctx, tenantID, id, version, ev)
}

func (s *countingStore) CreateOrg(ctx context.Context, o directory.Org, ev directory.Event) (directory.Org, error) {
	s.record("CreateOrg")
	return s.Store.CreateOrg(ctx, o, ev)
}

func (s *countingStore) Org(ctx context.Context, tenantID, id int64) (directory.Org, error) {
	s.record("Org")
	return s.Store.Org(ctx, tenantID, id)
}

func (s *countingStore) OrgsByID(ctx context.Context, tenantID int64, ids []int64) ([]directory.Org, error) {
	s.record("OrgsByID")
	return s.Store.OrgsByID(ctx, tenantID, ids)
}

func (s *countingStore) ListOrgs(ctx context.Context, tenantID int64, f directory.OrgFilter) ([]directory.Org, error) {
	s.record("ListOrgs")
	return s.Store.ListOrgs(ctx, tenantID, f)
}

func (s *countingStore) UpdateOrg(ctx context.Context, o directory.Org, ev directory.Event) (directory.Org, error) {
	s.record("UpdateOrg")
	return s.Store.UpdateOrg(ctx, o, ev)
}

func (s *countingStore) DeleteOrg(ctx context.Context, tenantID, id, version int64, ev directory.Event) error {
	s.record("DeleteOrg")
	return s.Store.DeleteOrg(ctx, tenantID, id, version, ev)
}

func (s *countingStore) CreateClient(ctx context.Context, c directory.Client, ev directory.Event) (directory.Client, error) {
	s.record("CreateClient")
	return s.Store.CreateClient(ctx, c, ev)
}

func (s *countingStore) ClientByClientID(ctx context.Context, clientID string) (directory.Client, error) {
	s.record("ClientByClientID")
	return s.Store.ClientByClientID(ctx, clientID)
}

func (s *countingStore) Clients(ctx context.Context, tenantID int64) ([]directory.Client, error) {
	s.record("Clients")
	return s.Store.Clients(ctx, tenantID)
}

func (s *countingStore) SetClientDisabled(ctx context.Context, tenantID int64, clientID string, disabled bool, ev directory.Event) (directory.Client, error) {
	s.record("SetClientDisabled")
	return s.Store.SetClientDisabled(ctx, tenantID, clientID, disabled, ev)
}

func (s *countingStore) CreateAPIToken(ctx context.Context, t directory.APIToken, ev directory.Event) (directory.APIToken, error) {
	s.record("CreateAPIToken")
	return s.Store.CreateAPIToken(ctx, t, ev)
}

func (s *countingStore) APITokenByHash(ctx context.Context, hash []byte) (directory.APIToken, error) {
	s.record("APITokenByHash")
	return s.Store.APITokenByHash(ctx, hash)
}

func (s *countingStore) APITokens(ctx context.Context, tenantID int64) ([]directory.APIToken, error) {
	s.record("APITokens")
	return s.Store.APITokens(ctx, tenantID)
}

func (s *countingStore) RevokeAPIToken(ctx context.Context, tenantID, id int64, ev directory.Event) (directory.APIToken, error) {
	s.record("RevokeAPIToken")
	return s.Store.RevokeAPIToken(ctx, tenantID, id, ev)
}

func (s *countingStore) AuditEvents(ctx context.Context, tenantID, afterID int64, limit int) ([]directory.Event, error) {
	s.record("AuditEvents")
	return s.Store.AuditEvents(ctx, tenantID, afterID, limit)
}

func (s *countingStore) RecordEvent(ctx context.Context, ev directory.Event) error {
	s.record("RecordEvent")
	return s.Store.RecordEvent(ctx, ev)
}

// countingHasher is the real password hasher with its calls counted.
type countingHasher struct {
	directory.PasswordHasher
	calls atomic.Int64
}

func (h *countingHasher) HashPassword(ctx context.Context, password string) (string, error) {
	h.calls.Add(1)
	return h.PasswordHasher.HashPassword(ctx, password)
}
