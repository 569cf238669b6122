package directorytest

import (
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

func testFindAuditEvents(t *testing.T, f *fixture) {
	type rec struct {
		actor, action, object string
		minute                int
	}
	recs := []rec{
		{"user:1", "user.update", "7", 0},
		{"user:1", "user.create", "8", 1},
		{"user:2", "user.update", "7", 2},
		{"token:3", "org.create", "9", 3},
		{"user:1", "user.update", "7", 4},
	}
	for _, r := range recs {
		ev := directory.Event{TenantID: f.a, Time: at(r.minute), Actor: r.actor, Action: r.action, ObjectID: r.object}
		if err := f.s.RecordEvent(f.ctx, ev); err != nil {
			t.Fatalf("RecordEvent: %v", err)
		}
	}
	if err := f.s.RecordEvent(f.ctx, directory.Event{TenantID: f.b, Time: at(0), Actor: "user:1", Action: "user.update", ObjectID: "7"}); err != nil {
		t.Fatalf("RecordEvent: %v", err)
	}
	all := f.events(t, f.a)
	id := func(i int) int64 { return all[len(all)-len(recs)+i].ID }
	tests := []struct {
		name   string
		filter directory.EventFilter
		want   []int64
	}{
		{"actor", directory.EventFilter{Actor: "user:1"}, []int64{id(0), id(1), id(4)}},
		{"object", directory.EventFilter{ObjectID: "7"}, []int64{id(0), id(2), id(4)}},
		{"action", directory.EventFilter{Action: "user.update"}, []int64{id(0), id(2), id(4)}},
		{"actor and object", directory.EventFilter{Actor: "user:1", ObjectID: "7"}, []int64{id(0), id(4)}},
		{"since, inclusive", directory.EventFilter{Since: at(2)}, []int64{id(2), id(3), id(4)}},
		{"until, exclusive", directory.EventFilter{Until: at(2)}, []int64{id(0), id(1)}},
		{"a window and an action", directory.EventFilter{Since: at(1), Until: at(4), Action: "user.update"}, []int64{id(2)}},
		{"after id", directory.EventFilter{Actor: "user:1", AfterID: id(0)}, []int64{id(1), id(4)}},
		{"limit", directory.EventFilter{ObjectID: "7", Limit: 2}, []int64{id(0), id(2)}},
		{"nothing matches", directory.EventFilter{Actor: "user:99"}, nil},
	}
	eventID := func(ev directory.Event) int64 { return ev.ID }
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.filter.Limit == 0 {
				tc.filter.Limit = directory.MaxPageSize
			}
			got, err := f.s.FindAuditEvents(f.ctx, f.a, tc.filter)
			if err != nil {
				t.Fatalf("FindAuditEvents: %v", err)
			}
			if g := ids(got, eventID); !slices.Equal(g, tc.want) {
				t.Errorf("FindAuditEvents(%+v): got ids %v, want %v", tc.filter, g, tc.want)
			}
		})
	}
}
