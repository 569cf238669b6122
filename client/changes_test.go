package client_test

import (
	"context"
	"testing"
	"time"

	"github.com/userd/userd/client"
)

// TestChangesFollows follows the change log through the iterator: it
// yields what was committed before it started, then waits and yields a
// change committed while it waits, in order.
func TestChangesFollows(t *testing.T) {
	_, c := newClient(t, 0)
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	first, err := c.CreateUser(ctx, client.UserInput{Username: new("first")})
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan client.Change)
	errc := make(chan error, 1)
	go func() {
		for ch, err := range c.Changes(ctx, 0) {
			if err != nil {
				errc <- err
				return
			}
			got <- ch
		}
	}()
	next := func() client.Change {
		t.Helper()
		select {
		case ch := <-got:
			return ch
		case err := <-errc:
			t.Fatal(err)
		case <-time.After(20 * time.Second):
			t.Fatal("no change came")
		}
		return client.Change{}
	}
	if ch := next(); ch.Position != 1 || ch.Type != "user" || ch.ID != first.ID || ch.Op != "create" || ch.Version != 1 {
		t.Fatalf("first change: got %+v, want the creation of user %d at position 1", ch, first.ID)
	}
	// The iterator is now waiting on the server: only the new change's
	// commit can answer it before its 30s wait.
	u, err := c.UpdateUser(ctx, first.ID, client.UserInput{City: new("Paris")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if ch := next(); ch.Position != 2 || ch.ID != first.ID || ch.Op != "update" || ch.Version != u.Version || len(ch.Fields) != 1 || ch.Fields[0] != "city" {
		t.Fatalf("second change: got %+v, want the update of the city at position 2", ch)
	}
	last, err := c.LastChange(ctx)
	if err != nil || last != 2 {
		t.Fatalf("LastChange: got %d, %v; want 2", last, err)
	}
}

// TestChangesResync checks that a reader behind the retention gets an
// error IsResync recognizes, and can start again from LastChange.
func TestChangesResync(t *testing.T) {
	srv, c := newClient(t, 0)
	ctx := t.Context()
	if _, err := c.CreateUser(ctx, client.UserInput{Username: new("gone")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Millisecond) // the change is now older than the 1µs retention below
	if _, err := srv.svc.PruneChanges(ctx, time.Microsecond); err != nil {
		t.Fatal(err)
	}
	for _, err := range c.Changes(ctx, 0) {
		if !client.IsResync(err) {
			t.Fatalf("Changes(0) after pruning: got %v, want a resync error", err)
		}
		break
	}
	last, err := c.LastChange(ctx)
	if err != nil || last != 1 {
		t.Fatalf("LastChange: got %d, %v; want 1", last, err)
	}
}
