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

// TestChangesSequenceWhatThePageNeeds queues more entries than one
// sequencing transaction moves, as a log nobody read for a while holds,
// and reads it a page at a time. A read must give positions only to the
// entries its page needs (at most one transaction's worth for a page at
// the head, none for a page already sequenced), so its cost does not grow
// with the backlog; LastChange still gives every committed entry its
// position.
func TestChangesSequenceWhatThePageNeeds(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "acme", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)})
	if err != nil {
		t.Fatal(err)
	}
	const backlog = 2*sequenceBatch + sequenceBatch/2
	if _, err := s.pool.Exec(ctx, `INSERT INTO change_queue (tenant_id, object_type, object_id, op, version, fields, time)
		SELECT $1, 'user', g, 'update', 2, '{city}', now() FROM generate_series(1, $2::int) g`, tn.ID, backlog); err != nil {
		t.Fatal(err)
	}
	queued := func() int {
		t.Helper()
		var n int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM change_queue WHERE tenant_id = $1`, tn.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	read := func(after int64, limit int, wantQueued int) {
		t.Helper()
		page, err := s.Changes(ctx, tn.ID, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != limit || page[0].Position != after+1 || page[limit-1].Position != after+int64(limit) || page[0].ObjectID != after+1 {
			t.Fatalf("Changes(after %d, limit %d): got %d entries %+v..., want positions %d to %d in queue order", after, limit, len(page), page[0], after+1, after+int64(limit))
		}
		if got := queued(); got != wantQueued {
			t.Errorf("after Changes(after %d, limit %d) %d entries are still queued, want %d: a read sequences what its page needs, a transaction (%d entries) at a time", after, limit, got, wantQueued, sequenceBatch)
		}
	}
	read(0, 10, backlog-sequenceBatch)
	read(sequenceBatch-10, 10, backlog-sequenceBatch)  // sequenced already
	read(sequenceBatch-5, 10, backlog-2*sequenceBatch) // five past the head
	last, err := s.LastChange(ctx, tn.ID)
	if err != nil || last != backlog {
		t.Fatalf("LastChange: got %d, %v; want %d", last, err, backlog)
	}
	if got := queued(); got != 0 {
		t.Errorf("after LastChange %d entries are still queued, want none", got)
	}
	if page, err := s.Changes(ctx, tn.ID, backlog, 10); err != nil || len(page) != 0 {
		t.Errorf("Changes after the last: got %d entries, %v; want none", len(page), err)
	}
}
