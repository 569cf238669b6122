// Package directorytest is the contract suite every directory.Store must
// pass. It is shipped as a function, in the manner of testing/slogtest, so
// each storage engine runs the same cases against its real database:
//
//	func TestStore(t *testing.T) {
//		directorytest.Run(t, func(t *testing.T) directory.Store { return openTestStore(t) })
//	}
//
// The suite states what the Store comments leave open: memberships come back
// in the order they were stored, times come back in UTC exactly as written
// (the Service writes whole microseconds), an empty email is read back as ""
// and does not take part in uniqueness, lists of tenants, clients and tokens
// may come in any order, and a reference to an object that does not exist in
// the same tenant (a manager, an org, a parent org) is a Conflict.
package directorytest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// Run runs the contract suite. open must return a fresh, empty, migrated
// store for each subtest and close it with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) directory.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"Ping", testPing},
		{"Tenants", testTenants},
		{"Secret", testSecret},
		{"UserRoundTrip", testUserRoundTrip},
		{"UserIDs", testUserIDs},
		{"UserUniqueness", testUserUniqueness},
		{"UserReferences", testUserReferences},
		{"UsersByID", testUsersByID},
		{"UserBrief", testUserBrief},
		{"UserViews", testUserViews},
		{"UpdateUserWithoutOrgs", testUpdateUserWithoutOrgs},
		{"ListUsers", testListUsers},
		{"ListUsersPaging", testListUsersPaging},
		{"ListUserSummaries", testListUserSummaries},
		{"SearchUsers", testSearchUsers},
		{"QueryUsers", testQueryUsers},
		{"UsersByOffset", testUsersByOffset},
		{"UsersByOffsetDeep", testUsersByOffsetDeep},
		{"UserCounts", testUserCounts},
		{"UserEmails", testUserEmails},
		{"QueryEmails", testQueryEmails},
		{"UserByUsername", testUserByUsername},
		{"UsersByPhone", testUsersByPhone},
		{"UpdateUser", testUpdateUser},
		{"UpdateUserConflicts", testUpdateUserConflicts},
		{"UpdateUserConcurrent", testUpdateUserConcurrent},
		{"UpdateUserRetry", testUpdateUserRetry},
		{"DeleteUser", testDeleteUser},
		{"DeleteUserManaged", testDeleteUserManaged},
		{"CreateUsers", testCreateUsers},
		{"CreateUsersAllOrNothing", testCreateUsersAllOrNothing},
		{"ExtensionNumbers", testExtensionNumbers},
		{"ProfileEveryField", testProfileEveryField},
		{"ExternalID", testExternalID},
		{"ProfileRules", testProfileRules},
		{"TextInputs", testTextInputs},
		{"EmailNormalForm", testEmailNormalForm},
		{"ConflictWording", testConflictWording},
		{"OrgRoundTrip", testOrgRoundTrip},
		{"OrgCodes", testOrgCodes},
		{"ListOrgs", testListOrgs},
		{"OrgPages", testOrgPages},
		{"OrgPagesDeep", testOrgPagesDeep},
		{"OrgByCode", testOrgByCode},
		{"UpdateOrg", testUpdateOrg},
		{"DeleteOrg", testDeleteOrg},
		{"OrgTreeConcurrent", testOrgTreeConcurrent},
		{"OrgSiblingNames", testOrgSiblingNames},
		{"ManagerChainConcurrent", testManagerChainConcurrent},
		{"ManagerChainImport", testManagerChainImport},
		{"Clients", testClients},
		{"SetClientDisabled", testSetClientDisabled},
		{"APITokens", testAPITokens},
		{"RevokeAPIToken", testRevokeAPIToken},
		{"AuditEvents", testAuditEvents},
		{"AuditEventsOfChanges", testAuditEventsOfChanges},
		{"FindAuditEvents", testFindAuditEvents},
		{"ListUsersByOrg", testListUsersByOrg},
		{"ChangesRecorded", testChangesRecorded},
		{"ChangesAtomic", testChangesAtomic},
		{"ChangesPruned", testChangesPruned},
		{"ChangesConcurrent", testChangesConcurrent},
		{"Subscriptions", testSubscriptions},
		{"Deliveries", testDeliveries},
		{"Lease", testLease},
		{"Closed", testClosed},
	}
	tests = append(tests, signInTests...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newFixture(t, open(t)))
		})
	}
}

// t0 has a microsecond part so a store that drops it is caught.
var t0 = time.Date(2024, time.February, 29, 13, 14, 15, 123456000, time.UTC)

// at returns a distinct time n hours after t0.
func at(n int) time.Time { return t0.Add(time.Duration(n) * time.Hour) }

// fixture is a store with two tenants: a, where the tests act, and b, whose
// objects must stay invisible to a and untouched by changes in a.
type fixture struct {
	s    directory.Store
	ctx  context.Context
	a, b int64
}

func newFixture(t *testing.T, s directory.Store) *fixture {
	t.Helper()
	f := &fixture{s: s, ctx: t.Context()}
	f.a = f.createTenant(t, "acme").ID
	f.b = f.createTenant(t, "globex").ID
	return f
}

func (f *fixture) createTenant(t *testing.T, name string) directory.Tenant {
	t.Helper()
	tn, err := f.s.CreateTenant(f.ctx, directory.Tenant{Name: name, CreatedAt: t0})
	if err != nil {
		t.Fatalf("CreateTenant(%q): %v", name, err)
	}
	return tn
}

// event returns an event of tenant as the Service would build it.
func event(tenant int64, action string, objectID string, fields ...string) directory.Event {
	return directory.Event{TenantID: tenant, Time: at(100), Actor: "client:udc_test", Action: action, ObjectID: objectID, Fields: fields, ClientIP: "192.0.2.7"}
}

// user returns a minimal valid user of tenant, as the Service would build it.
func user(tenant int64, username string) directory.User {
	return directory.User{TenantID: tenant, Username: username, Active: true, Origin: directory.OriginAPI, Extension: map[string]any{}, CreatedAt: t0, UpdatedAt: t0}
}

func (f *fixture) createUser(t *testing.T, u directory.User) directory.User {
	t.Helper()
	got, err := f.s.CreateUser(f.ctx, u, event(u.TenantID, "user.create", ""))
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", u.Username, err)
	}
	return got
}

func (f *fixture) createOrg(t *testing.T, tenant int64, name, code string, parent int64) directory.Org {
	t.Helper()
	o := directory.Org{TenantID: tenant, Name: name, Code: code, ParentID: parent, CreatedAt: t0, UpdatedAt: t0}
	got, err := f.s.CreateOrg(f.ctx, o, event(tenant, "org.create", ""))
	if err != nil {
		t.Fatalf("CreateOrg(%q): %v", name, err)
	}
	return got
}

// readUser returns the stored user; it fails the test if there is none.
func (f *fixture) readUser(t *testing.T, tenant, id int64) directory.User {
	t.Helper()
	u, err := f.s.User(f.ctx, tenant, id, directory.WholeUser)
	if err != nil {
		t.Fatalf("User(%d, %d): %v", tenant, id, err)
	}
	return u
}

func (f *fixture) readOrg(t *testing.T, tenant, id int64) directory.Org {
	t.Helper()
	o, err := f.s.Org(f.ctx, tenant, id)
	if err != nil {
		t.Fatalf("Org(%d, %d): %v", tenant, id, err)
	}
	return o
}

// events returns every audit event of tenant, oldest first.
func (f *fixture) events(t *testing.T, tenant int64) []directory.Event {
	t.Helper()
	evs, err := f.s.AuditEvents(f.ctx, tenant, 0, directory.MaxPageSize)
	if err != nil {
		t.Fatalf("AuditEvents(%d): %v", tenant, err)
	}
	return evs
}

// lastEventID returns the id of tenant's newest audit event, or 0.
func (f *fixture) lastEventID(t *testing.T, tenant int64) int64 {
	t.Helper()
	evs := f.events(t, tenant)
	if len(evs) == 0 {
		return 0
	}
	return evs[len(evs)-1].ID
}

// checkNoEventsAfter fails the test if tenant has audit events newer than id:
// a change that fails must not leave one.
func (f *fixture) checkNoEventsAfter(t *testing.T, tenant, id int64) {
	t.Helper()
	evs, err := f.s.AuditEvents(f.ctx, tenant, id, directory.MaxPageSize)
	if err != nil {
		t.Fatalf("AuditEvents(%d, %d): %v", tenant, id, err)
	}
	for _, ev := range evs {
		t.Errorf("audit event %q (object %q) written for a change that failed, want none", ev.Action, ev.ObjectID)
	}
}

// checkLastEvent fails the test unless tenant's newest audit event is want,
// apart from its id, and returns it.
func (f *fixture) checkLastEvent(t *testing.T, tenant int64, want directory.Event) directory.Event {
	t.Helper()
	evs := f.events(t, tenant)
	if len(evs) == 0 {
		t.Fatalf("no audit event for %q, want one", want.Action)
	}
	got := evs[len(evs)-1]
	want.ID = got.ID
	checkEqual(t, "event", got, want)
	return got
}

// userCount returns how many users tenant has.
func (f *fixture) userCount(t *testing.T, tenant int64) int {
	t.Helper()
	us, err := f.s.ListUsers(f.ctx, tenant, directory.UserFilter{Limit: directory.MaxPageSize})
	if err != nil {
		t.Fatalf("ListUsers(%d): %v", tenant, err)
	}
	return len(us)
}

// checkError fails the test unless err is a *directory.Error of kind want
// naming field (field "" is not checked).
func checkError(t *testing.T, what string, err error, want directory.Kind, field string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: got no error, want kind %s", what, want)
		return
	}
	if got := directory.KindOf(err); got != want {
		t.Errorf("%s: got kind %s (%v), want %s", what, got, err, want)
		return
	}
	if field != "" {
		if got := directory.AsError(err).Field; got != field {
			t.Errorf("%s: got field %q (%v), want %q", what, got, err, field)
		}
	}
}

// checkVersionMismatch fails the test unless err is ErrVersionMismatch.
func checkVersionMismatch(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, directory.ErrVersionMismatch) {
		t.Errorf("%s: got %v, want directory.ErrVersionMismatch", what, err)
	}
}

// checkID fails the test unless id is one userd may hand out.
func checkID(t *testing.T, what string, id int64) {
	t.Helper()
	if id <= 0 || id > directory.MaxSafeID {
		t.Errorf("%s id: got %d, want 1..2^53-1", what, id)
	}
}

// checkEqual reports each field of the structs got and want that differs.
// Empty and nil slices count as equal; everything else must be deeply equal,
// so a time must come back in UTC and a number in an extension as the same
// json.Number.
func checkEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range gv.NumField() {
		g, w := gv.Field(i), wv.Field(i)
		if g.Kind() == reflect.Slice && g.Len() == 0 && w.Len() == 0 {
			continue
		}
		if !reflect.DeepEqual(g.Interface(), w.Interface()) {
			t.Errorf("%s %s: got %s, want %s", what, gv.Type().Field(i).Name, show(g.Interface()), show(w.Interface()))
		}
	}
}

func show(v any) string {
	if tm, ok := v.(time.Time); ok {
		return fmt.Sprintf("%s (%s)", tm.Format(time.RFC3339Nano), tm.Location())
	}
	return fmt.Sprintf("%#v", v)
}

// ids returns the ids of objects in order.
func ids[T any](objs []T, id func(T) int64) []int64 {
	out := make([]int64, len(objs))
	for i, o := range objs {
		out[i] = id(o)
	}
	return out
}

func userID(u directory.User) int64 { return u.ID }
func orgID(o directory.Org) int64   { return o.ID }

// sortedIDs returns the ids of objects in ascending order, for results whose
// order the contract leaves open.
func sortedIDs[T any](objs []T, id func(T) int64) []int64 {
	out := ids(objs, id)
	slices.Sort(out)
	return out
}

// checkListed fails the test unless list holds exactly the objects want, in
// any order, each equal to the one wanted.
func checkListed[T any](t *testing.T, what string, list []T, id func(T) int64, want ...T) {
	t.Helper()
	if got, wantIDs := sortedIDs(list, id), sortedIDs(want, id); !slices.Equal(got, wantIDs) {
		t.Errorf("%s: got ids %v, want %v", what, got, wantIDs)
		return
	}
	for _, got := range list {
		for _, w := range want {
			if id(got) == id(w) {
				checkEqual(t, what, got, w)
			}
		}
	}
}

func testPing(t *testing.T, f *fixture) {
	if err := f.s.Ping(f.ctx); err != nil {
		t.Errorf("Ping: got %v, want nil", err)
	}
}

// testClosed checks that a closed store answers Unavailable to reads and
// writes alike: the node is going away, and a client should retry on
// another one.
func testClosed(t *testing.T, f *fixture) {
	u := f.createUser(t, user(f.a, "before-close"))
	if err := f.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	_, err := f.s.User(f.ctx, f.a, u.ID, directory.WholeUser)
	checkError(t, "User after Close", err, directory.Unavailable, "")
	_, err = f.s.ListUsers(f.ctx, f.a, directory.UserFilter{Limit: 10})
	checkError(t, "ListUsers after Close", err, directory.Unavailable, "")
	_, err = f.s.Tenants(f.ctx)
	checkError(t, "Tenants after Close", err, directory.Unavailable, "")
	_, err = f.s.CreateUser(f.ctx, user(f.a, "after-close"), event(f.a, "user.create", ""))
	checkError(t, "CreateUser after Close", err, directory.Unavailable, "")
	checkError(t, "Ping after Close", f.s.Ping(f.ctx), directory.Unavailable, "")
}
