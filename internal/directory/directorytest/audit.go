package directorytest

import (
	"slices"
	"strconv"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func testAuditEvents(t *testing.T, f *fixture) {
	var want []directory.Event
	for i := range 5 {
		ev := directory.Event{TenantID: f.a, Time: at(i), Actor: "client:udc_" + strconv.Itoa(i), Action: "auth.failed", ClientIP: "198.51.100." + strconv.Itoa(i)}
		if i%2 == 0 {
			ev.Fields = []string{"client_secret"}
			ev.ObjectID = "udc_" + strconv.Itoa(i)
		}
		if err := f.s.RecordEvent(f.ctx, ev); err != nil {
			t.Fatalf("RecordEvent: %v", err)
		}
		want = append(want, ev)
		if err := f.s.RecordEvent(f.ctx, directory.Event{TenantID: f.b, Time: at(i), Actor: "other", Action: "auth.failed"}); err != nil {
			t.Fatalf("RecordEvent: %v", err)
		}
	}

	all := f.events(t, f.a)
	if len(all) != len(want) {
		t.Fatalf("AuditEvents: got %d events, want %d", len(all), len(want))
	}
	for i, ev := range all {
		checkID(t, "event", ev.ID)
		if i > 0 && ev.ID <= all[i-1].ID {
			t.Errorf("event %d: got id %d after %d, want oldest first", i, ev.ID, all[i-1].ID)
		}
		want[i].ID = ev.ID
		checkEqual(t, "event "+strconv.Itoa(i), ev, want[i])
	}

	tests := []struct {
		name    string
		afterID int64
		limit   int
		want    []int64
	}{
		{"first page", 0, 2, []int64{all[0].ID, all[1].ID}},
		{"second page", all[1].ID, 2, []int64{all[2].ID, all[3].ID}},
		{"last page", all[3].ID, 2, []int64{all[4].ID}},
		{"past the end", all[4].ID, 2, nil},
	}
	eventID := func(ev directory.Event) int64 { return ev.ID }
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.s.AuditEvents(f.ctx, f.a, tc.afterID, tc.limit)
			if err != nil {
				t.Fatalf("AuditEvents: %v", err)
			}
			if g := ids(got, eventID); !slices.Equal(g, tc.want) {
				t.Errorf("AuditEvents(after %d, limit %d): got ids %v, want %v", tc.afterID, tc.limit, g, tc.want)
			}
		})
	}
}

// testAuditEventsOfChanges checks that each kind of change writes its event,
// and that a create's event names the new object.
func testAuditEventsOfChanges(t *testing.T, f *fixture) {
	ev := event(f.a, "user.create", "", "username", "email")
	u, err := f.s.CreateUser(f.ctx, user(f.a, "audited"), ev)
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	ev.ObjectID = strconv.FormatInt(u.ID, 10)
	f.checkLastEvent(t, f.a, ev)

	ev = event(f.a, "user.update", strconv.FormatInt(u.ID, 10), "name", "password")
	changed := u
	changed.Name = "Audited"
	if _, err := f.s.UpdateUser(f.ctx, changed, ev); err != nil {
		t.Fatalf("UpdateUser: %v", err)
	}
	f.checkLastEvent(t, f.a, ev)

	ev = event(f.a, "user.delete", strconv.FormatInt(u.ID, 10))
	if err := f.s.DeleteUser(f.ctx, f.a, u.ID, 0, ev); err != nil {
		t.Fatalf("DeleteUser: %v", err)
	}
	f.checkLastEvent(t, f.a, ev)

	ev = event(f.a, "org.create", "", "name")
	o, err := f.s.CreateOrg(f.ctx, directory.Org{TenantID: f.a, Name: "Audited", CreatedAt: t0, UpdatedAt: t0}, ev)
	if err != nil {
		t.Fatalf("CreateOrg: %v", err)
	}
	ev.ObjectID = strconv.FormatInt(o.ID, 10)
	f.checkLastEvent(t, f.a, ev)

	ev = event(f.a, "org.update", strconv.FormatInt(o.ID, 10), "name")
	o.Name = "Audited again"
	if _, err := f.s.UpdateOrg(f.ctx, o, ev); err != nil {
		t.Fatalf("UpdateOrg: %v", err)
	}
	f.checkLastEvent(t, f.a, ev)

	if len(f.events(t, f.b)) != 0 {
		t.Errorf("tenant b has events for changes in tenant a, want none")
	}
}
