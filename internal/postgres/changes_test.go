package postgres

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestChangesCommitOrder commits two transactions out of order: A takes
// its place in the log first and stays open while B, begun later, tries to
// commit. With ids from a sequence B would commit first with the larger
// id, and a reader paging "after the last id seen" would pass A's id before
// A committed and never see it; the audit log, whose ids are a sequence,
// shows exactly that. The change log must not: B waits for A, and the
// reader sees A's entry before B's, both, whenever it reads.
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

	// A: a transaction that changed user a and recorded its entry, still
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

	// B: a whole update through the store, begun after A.
	bDone := make(chan error, 1)
	go func() {
		u := b
		u.City, u.UpdatedAt = "B", now
		_, err := s.UpdateUser(ctx, u, directory.Event{TenantID: tn.ID, Time: now, Action: "user.update", ObjectID: strconv.FormatInt(b.ID, 10), Fields: []string{"city"},
			Changes: []directory.Change{{TenantID: tn.ID, Type: "user", ObjectID: b.ID, Op: "update", Fields: []string{"city"}, Time: now}}})
		bDone <- err
	}()
	// B gets as far as it can: it waits for A's place in the log.
	waitForLockWait(t, s)
	select {
	case err := <-bDone:
		t.Fatalf("B finished (%v) while A, which took its place in the log first, is open", err)
	default:
	}
	// A reader now sees neither, so it cannot pass A's position.
	if got, err := s.Changes(ctx, tn.ID, start, 100); err != nil || len(got) != 0 {
		t.Fatalf("Changes while A is open: got %v, %v; want none", got, err)
	}
	if err := txA.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-bDone; err != nil {
		t.Fatalf("B: %v", err)
	}
	got, err := s.Changes(ctx, tn.ID, start, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ObjectID != a.ID || got[1].ObjectID != b.ID || got[0].Position >= got[1].Position {
		t.Fatalf("Changes after both committed: got %+v, want A's entry then B's", got)
	}
}

// waitForLockWait waits until a connection of s's database waits for a
// lock on change_heads.
func waitForLockWait(t *testing.T, s *Store) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var waiting bool
		err := s.pool.QueryRow(t.Context(), `SELECT EXISTS (SELECT 1 FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%change_heads%')`).Scan(&waiting)
		if err != nil {
			t.Fatal(err)
		}
		if waiting {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("B never waited for A's lock on change_heads")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
