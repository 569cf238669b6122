package sqlite

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestLookupPlan checks that a lookup by externalId reads the matches
// from users_external_id, in id order as that index holds them: no scan
// of the tenant, no sub-select of ids and no sort (the memberships of
// each match are read by its id, as on every read of users).
func TestLookupPlan(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	now := time.Now().UTC()
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "plan", CreatedAt: now})
	if err != nil {
		t.Fatal(err)
	}
	users := make([]directory.User, 2000)
	for i := range users {
		users[i] = directory.User{TenantID: tenant.ID, Username: "user" + strconv.Itoa(i), Extension: map[string]any{}, CreatedAt: now, UpdatedAt: now,
			Profile: directory.Profile{ExternalID: "ext-" + strconv.Itoa(i/10)}}
	}
	if _, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"}); err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	q := directory.UserQuery{Op: directory.QueryEq, Field: directory.FieldExternalID, Value: "ext-12"}
	query, args := lookupStatement(tenant.ID, &q, 101, directory.ResourceView)
	text := strings.Join(queryPlan(t, s, query, args), "\n")
	if !strings.Contains(text, "SEARCH users USING INDEX users_external_id (tenant_id=? AND external_id=?)") ||
		strings.Contains(text, "SCAN") || strings.Contains(text, "B-TREE") || strings.Contains(text, "LIST SUBQUERY") {
		t.Errorf("plan:\n%s\nwant one search of users_external_id, no scan, no sort and no sub-select of ids", text)
	}
	got, err := s.LookupUsers(ctx, tenant.ID, &q, 101, directory.ResourceView)
	if err != nil || len(got) != 10 || got[0].ID >= got[9].ID {
		t.Errorf("got %d users (%v), want 10 in id order", len(got), err)
	}
}
