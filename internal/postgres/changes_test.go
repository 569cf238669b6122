package postgres

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestChangesCommitOrder commits two transactions out of order: A queues
// its entry first (the smaller seq) and stays open while B, begun later,
// commits. With positions from a sequence B would be visible at the larger
// one before A committed, and a reader paging "after the last one seen"
// would pass A and never see it; the audit log, whose ids are a sequence,
// shows exactly that. The change log must not: B's entry is read at the
// next position, A's, once committed, at the one after, and the reader
// that had read B gets A next.
func TestChangesCommitOrder(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "acme", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	newUser := func(name string) directory.User {
		u, err := s.CreateUser(ctx, directory.User{TenantID: tn.ID, Username: name, Active: true, Origin: "api", CreatedAt: now, UpdatedAt: now},
			directory.Event{TenantID: tn.ID, Time: now, Action: "user.create",
				Changes: []directory.Change{{TenantID: tn.ID, Type: "user", Op: "create", Fields: []string{"username"}, Time: now}}})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	a, b := newUser("a"), newUser("b")
	start, err := s.LastChange(ctx, tn.ID)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a sequence skips", func(t *testing.T) {
		// What a reader of ids from a sequence suffers: A's event gets the
		// smaller id and commits last.
		txA, err := s.pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer txA.Rollback(context.Background())
		if err := insertEvent(ctx, txA, directory.Event{TenantID: tn.ID, Time: now, Action: "seq.a"}); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordEvent(ctx, directory.Event{TenantID: tn.ID, Time: now, Action: "seq.b"}); err != nil {
			t.Fatal(err)
		}
		seen, err := s.AuditEvents(ctx, tn.ID, 0, 1000)
		if err != nil {
			t.Fatal(err)
		}
		after := seen[len(seen)-1].ID
		if err := txA.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		next, err := s.AuditEvents(ctx, tn.ID, after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(next) != 0 {
			t.Fatalf("the reader of ids got %v after %d; this test expects it to miss A's event", next, after)
		}
	})

	// A: a transaction that changed user a and queued its entry, still
	// open.
	txA, err := s.pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer txA.Rollback(context.Background())
	if _, err := txA.Exec(ctx, `UPDATE users SET city = 'A', version = version + 1 WHERE id = $1`, a.ID); err != nil {
		t.Fatal(err)
	}
	if err := recordChanges(ctx, txA, []directory.Change{{TenantID: tn.ID, Type: "user", ObjectID: a.ID, Op: "update", Version: 2, Fields: []string{"city"}, Time: now}}); err != nil {
		t.Fatal(err)
	}

	// B: a whole update through the store, begun after A, committed first.
	u := b
	u.City, u.UpdatedAt = "B", now
	if _, err := s.UpdateUser(ctx, u, directory.Event{TenantID: tn.ID, Time: now, Action: "user.update", ObjectID: strconv.FormatInt(b.ID, 10), Fields: []string{"city"},
		Changes: []directory.Change{{TenantID: tn.ID, Type: "user", ObjectID: b.ID, Op: "update", Fields: []string{"city"}, Time: now}}}); err != nil {
		t.Fatalf("B: %v", err)
	}
	page, err := s.Changes(ctx, tn.ID, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ObjectID != b.ID || page[0].Position != start+1 {
		t.Fatalf("Changes while A is open: got %+v, want B's entry alone at position %d", page, start+1)
	}
	seen := page[0].Position
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	page, err = s.Changes(ctx, tn.ID, seen, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 1 || page[0].ObjectID != a.ID || page[0].Position <= seen {
		t.Fatalf("Changes after %d once A committed: got %+v, want A's entry after B's", seen, page)
	}
	if last, err := s.LastChange(ctx, tn.ID); err != nil || last != page[0].Position {
		t.Fatalf("LastChange: got %d, %v; want %d", last, err, page[0].Position)
	}
}
