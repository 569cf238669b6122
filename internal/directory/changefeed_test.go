package directory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// pollingStore tells the test each time a reader has read the log's end.
type pollingStore struct {
	directory.Store
	polled chan int64
}

func (s *pollingStore) LastChange(ctx context.Context, tenantID int64) (int64, error) {
	last, err := s.Store.LastChange(ctx, tenantID)
	s.polled <- last
	return last, err
}

// TestWaitForChangesWakes checks that a reader waiting for changes wakes
// when a change commits through the Service, not when its wait or the
// poll runs out: both are set far beyond the test's own timeout.
func TestWaitForChangesWakes(t *testing.T) {
	f := newFixture(t)
	watched := &pollingStore{Store: f.svc.Store(), polled: make(chan int64, 16)}
	svc := directory.NewService(watched, f.hasher)
	svc.SetChangePoll(time.Hour)
	head, err := svc.LastChange(f.ctx, f.a)
	if err != nil {
		t.Fatal(err)
	}
	<-watched.polled

	woke := make(chan error, 1)
	go func() {
		found, err := svc.WaitForChanges(f.ctx, f.a, head, directory.MaxChangesWait)
		if err == nil && !found {
			err = errors.New("WaitForChanges returned without a change")
		}
		woke <- err
	}()
	// The reader has read the log's end and found nothing new: from here on
	// only a notification can wake it before its 30s wait.
	if last := <-watched.polled; last != head {
		t.Fatalf("the reader found position %d, want %d", last, head)
	}
	u, err := svc.CreateUser(f.ctx, f.a, directory.OriginAPI, directory.UserPatch{Username: ptr("newcomer")})
	if err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-woke:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the reader did not wake at the change")
	}
	// Woken by the commit, it answered without reading the log's end
	// again: on PostgreSQL that read is a transaction, and the caller's
	// read of the page follows at once.
	if n := len(watched.polled); n != 0 {
		t.Errorf("the reader read the log's end %d more times after the wake, want none", n)
	}
	changes, err := svc.Changes(f.ctx, f.a, head, 0)
	if err != nil || len(changes) != 1 || changes[0].ObjectID != u.ID {
		t.Fatalf("Changes after the wake: got %+v, %v; want the new user's creation", changes, err)
	}
}

// TestChangesRules checks the Service's rules on reading the log: the scope
// users:read, and bounds on after, limit and wait.
func TestChangesRules(t *testing.T) {
	f := newFixture(t)
	admin := f.a
	admin.Scopes = directory.Scopes{directory.ScopeAdmin}
	_, err := f.svc.Changes(f.ctx, admin, 0, 0)
	wantKind(t, err, directory.Forbidden, "")
	_, err = f.svc.WaitForChanges(f.ctx, admin, 0, time.Second)
	wantKind(t, err, directory.Forbidden, "")
	_, err = f.svc.LastChange(f.ctx, admin)
	wantKind(t, err, directory.Forbidden, "")
	_, err = f.svc.Changes(f.ctx, f.a, -1, 0)
	wantKind(t, err, directory.Invalid, "after")
	_, err = f.svc.Changes(f.ctx, f.a, 0, directory.MaxPageSize+1)
	wantKind(t, err, directory.Invalid, "limit")
	_, err = f.svc.WaitForChanges(f.ctx, f.a, 0, directory.MaxChangesWait+time.Second)
	wantKind(t, err, directory.Invalid, "wait")
	_, err = f.svc.PruneChanges(f.ctx, 0)
	wantKind(t, err, directory.Invalid, "change-retention")
}

// TestPruneChanges checks that the Service prunes what is older than the
// retention, across batches, and that a reader behind it must resync.
func TestPruneChanges(t *testing.T) {
	f := newFixture(t)
	for i := range 3 {
		f.user(t, f.a, directory.UserPatch{Username: ptr("u" + string(rune('a'+i)))})
	}
	if n, err := f.svc.PruneChanges(f.ctx, time.Hour); err != nil || n != 0 {
		t.Fatalf("PruneChanges(1h): got %d, %v; want nothing pruned", n, err)
	}
	n, err := f.svc.PruneChanges(f.ctx, time.Nanosecond)
	if err != nil || n != 3 {
		t.Fatalf("PruneChanges(1ns): got %d, %v; want 3", n, err)
	}
	_, err = f.svc.Changes(f.ctx, f.a, 0, 0)
	if !errors.Is(err, directory.ErrResync) {
		t.Fatalf("Changes(0) after pruning: got %v, want ErrResync", err)
	}
	head, err := f.svc.LastChange(f.ctx, f.a)
	if err != nil || head != 3 {
		t.Fatalf("LastChange: got %d, %v; want 3", head, err)
	}
	if got, err := f.svc.Changes(f.ctx, f.a, head, 0); err != nil || len(got) != 0 {
		t.Fatalf("Changes(head): got %v, %v; want none", got, err)
	}
}
