package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// openBoundedTest opens a store of one reader connection holding a tenant
// of three users, and returns the tenant's id and the users' ids.
func openBoundedTest(t *testing.T) (*Store, int64, []int64) {
	t.Helper()
	s := openTest(t, Options{ReadConns: 1})
	tenant, users := seedUsers(t, s, 3)
	return s, tenant.ID, userIDs(users)
}

// userIDs returns the ids of users.
func userIDs(users []directory.User) []int64 {
	ids := make([]int64, len(users))
	for i, u := range users {
		ids[i] = u.ID
	}
	return ids
}

// TestBoundedReadWaitEndsWithContext: a point read runs its statement
// whatever its context does, but its wait for a reader still ends with
// the context, so a request that gave up behind busy readers is answered
// at once rather than after them.
func TestBoundedReadWaitEndsWithContext(t *testing.T) {
	s, tenantID, ids := openBoundedTest(t)
	if err := s.rg.Enter(t.Context()); err != nil { // the only reader is busy
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		_, err := s.UserBrief(ctx, tenantID, ids[0])
		done <- err
	}()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("UserBrief whose context ended while it waited for a reader: got %v, want context.Canceled", err)
		}
	case <-time.After(busyTimeout):
		t.Fatal("UserBrief whose context ended still waits for a reader")
	}
	s.rg.Leave()
	if _, err := s.UserBrief(t.Context(), tenantID, ids[0]); err != nil {
		t.Errorf("UserBrief once the reader is free: %v", err)
	}
}

// TestBoundedReadOutlivesItsContext: a batch by id whose context ends
// after its first row still reads every row, and leaves the only reader
// connection fit for the next read.
func TestBoundedReadOutlivesItsContext(t *testing.T) {
	s, tenantID, ids := openBoundedTest(t)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	var read []int64
	err := s.readUsers(ctx, bounded, usersByIDSQL, []any{tenantID, idList(ids)}, func(rows *sql.Rows) error {
		var id, tenant int64
		var rest [cardColumnCount - 2]any
		dest := []any{&id, &tenant}
		for i := range rest {
			dest = append(dest, &rest[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		read = append(read, id)
		if len(read) == 1 {
			cancel()
			// Time for a watcher of the context, were there one, to close
			// the rows or interrupt the statement.
			time.Sleep(20 * time.Millisecond)
		}
		return nil
	})
	if err != nil || len(read) != len(ids) {
		t.Fatalf("batch whose context ended after the first row: read %v (%v), want all of %v", read, err, ids)
	}
	for range 3 {
		if u, err := s.UserBrief(t.Context(), tenantID, ids[1]); err != nil || u.ID != ids[1] {
			t.Fatalf("UserBrief on the same connection after it: got %d (%v), want %d", u.ID, err, ids[1])
		}
	}
}
