package postgres

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestLookupPlan checks that a lookup by externalId reads the matches
// from users_external_id_idx, in id order as that index holds them: no
// scan of the tenant, no sub-select of ids and no sort.
func TestLookupPlan(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "plan", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	users := make([]directory.User, 5000)
	for i := range users {
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + strconv.Itoa(i), CreatedAt: now, UpdatedAt: now,
			Profile: directory.Profile{ExternalID: "ext-" + strconv.Itoa(i/10)}}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	if _, err := s.pool.Exec(ctx, `ANALYZE users`); err != nil {
		t.Fatal(err)
	}
	q := directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldExternalID, Value: "ext-12"}
	sql, args := lookupStatement(tenant.ID, &q, 101, directory.ResourceView)
	text := explain(t, s, sql, args...)
	if !strings.Contains(text, "Index Scan using users_external_id_idx on users u") || strings.Contains(text, "Seq Scan") ||
		strings.Contains(text, "Sort") || strings.Contains(text, "ANY") {
		t.Errorf("plan:\n%s\nwant an index scan of users_external_id_idx, no Seq Scan, no Sort and no sub-select of ids", text)
	}
	got, err := s.LookupUsers(ctx, tenant.ID, &q, 101, directory.ResourceView)
	if err != nil || len(got) != 10 || got[0].ID >= got[9].ID {
		t.Errorf("got %d users (%v), want 10 in id order", len(got), err)
	}
}
