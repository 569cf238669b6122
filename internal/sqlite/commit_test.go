package sqlite

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// queueWrites holds the store's only writer connection while start runs
// writes in goroutines, until n of them wait in the queue; then it lets
// them go, so they all share one transaction, and waits for them to end.
func queueWrites(t *testing.T, s *Store, n int, start func(wg *sync.WaitGroup)) {
	t.Helper()
	conn, err := s.w.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	start(&wg)
	for {
		if s.c.q.Len() >= n {
			break
		}
		time.Sleep(time.Millisecond)
	}
	conn.Close()
	wg.Wait()
}

// seedUsers creates a tenant and n users named u0, u1, ... with emails
// u0@example.com, ...
func seedUsers(t testing.TB, s *Store, n int) (directory.Tenant, []directory.User) {
	t.Helper()
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "group", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	users := make([]directory.User, n)
	for i := range users {
		name := "u" + strconv.Itoa(i)
		users[i] = directory.User{TenantID: tenant.ID, Username: name, Email: name + "@example.com", City: "Old", CreatedAt: now, UpdatedAt: now}
	}
	created, err := s.CreateUsers(ctx, users, directory.Event{TenantID: tenant.ID, Time: now, Action: "user.import"})
	if err != nil {
		t.Fatalf("CreateUsers: %v", err)
	}
	return tenant, created
}

// updateEvents returns the object ids of the tenant's user.update events.
func updateEvents(t *testing.T, s *Store, tenantID int64) map[string]int {
	t.Helper()
	events, err := s.AuditEvents(t.Context(), tenantID, 0, 10_000)
	if err != nil {
		t.Fatalf("AuditEvents: %v", err)
	}
	ids := make(map[string]int)
	for _, ev := range events {
		if ev.Action == "user.update" {
			ids[ev.ObjectID]++
		}
	}
	return ids
}

// TestGroupCommitOutcomes: updates that share one transaction each get
// their own outcome, and the database holds exactly the ones that
// succeeded, each with its audit event.
func TestGroupCommitOutcomes(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	tenant, users := seedUsers(t, s, 40)
	const (
		ok       = iota // a valid update
		stale           // names a version that is not the stored one
		takenBy0        // sets the email of u0, which another user keeps
		newEmail        // sets an email two updates of the batch want
	)
	kinds := make([]int, len(users))
	for i := range users {
		kinds[i] = []int{ok, stale, takenBy0, newEmail}[i%4]
	}
	kinds[0] = ok // u0 keeps its email
	errs := make([]error, len(users))
	queueWrites(t, s, len(users), func(wg *sync.WaitGroup) {
		for i, u := range users {
			wg.Go(func() {
				u.City = "New " + strconv.Itoa(i)
				switch kinds[i] {
				case stale:
					u.Version = 7
				case takenBy0:
					u.Email = "U0@example.com"
				case newEmail:
					u.Email = "wanted@example.com"
				}
				ev := directory.Event{TenantID: tenant.ID, Time: u.UpdatedAt, Action: "user.update", ObjectID: strconv.FormatInt(u.ID, 10), Fields: []string{"city", "email"}}
				_, errs[i] = s.UpdateUser(ctx, u, ev)
			})
		}
	})

	wantedBy := 0
	events := updateEvents(t, s, tenant.ID)
	for i, u := range users {
		err := errs[i]
		switch kinds[i] {
		case ok:
			if err != nil {
				t.Errorf("%s, a valid update: got %v, want success", u.Username, err)
			}
		case stale:
			if !errors.Is(err, directory.ErrVersionMismatch) {
				t.Errorf("%s, a stale version: got %v, want ErrVersionMismatch", u.Username, err)
			}
		case takenBy0:
			if e := directory.AsError(err); err == nil || e.Kind != directory.Conflict || e.Field != "email" {
				t.Errorf("%s, u0's email: got %v, want a conflict on email", u.Username, err)
			}
		case newEmail:
			if err == nil {
				wantedBy++
			} else if e := directory.AsError(err); e.Kind != directory.Conflict || e.Field != "email" {
				t.Errorf("%s, an email another update wants: got %v, want success or a conflict on email", u.Username, err)
			}
		}
		got, gerr := s.User(ctx, tenant.ID, u.ID, directory.WholeUser)
		if gerr != nil {
			t.Fatalf("User %s: %v", u.Username, gerr)
		}
		wantVersion, wantCity, wantEvents := int64(1), "Old", 0
		if err == nil {
			wantVersion, wantCity, wantEvents = 2, "New "+strconv.Itoa(i), 1
		}
		if got.Version != wantVersion || got.City != wantCity {
			t.Errorf("%s stored: got version %d city %q, want version %d city %q", u.Username, got.Version, got.City, wantVersion, wantCity)
		}
		if n := events[strconv.FormatInt(u.ID, 10)]; n != wantEvents {
			t.Errorf("%s: got %d update events, want %d", u.Username, n, wantEvents)
		}
	}
	if wantedBy != 1 {
		t.Errorf("updates to one new email: %d succeeded, want exactly 1", wantedBy)
	}
}

// TestGroupCommitPanic: a write that panics fails alone, with none of its
// changes kept; the writes sharing its transaction are stored.
func TestGroupCommitPanic(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	tenant, users := seedUsers(t, s, 4)
	errs := make([]error, len(users))
	var panicErr error
	queueWrites(t, s, len(users)+1, func(wg *sync.WaitGroup) {
		for i, u := range users {
			wg.Go(func() {
				u.City = "New"
				_, errs[i] = s.UpdateUser(ctx, u, directory.Event{TenantID: tenant.ID, Time: u.UpdatedAt, Action: "user.update", ObjectID: strconv.FormatInt(u.ID, 10), Fields: []string{"city"}})
			})
		}
		wg.Go(func() {
			panicErr = s.write(ctx, func(tx querier) error {
				if err := insertEvent(ctx, tx, directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", ObjectID: "panic"}); err != nil {
					return err
				}
				panic("boom")
			})
		})
	})
	if k := directory.KindOf(panicErr); k != directory.Internal {
		t.Errorf("the write that panicked: got %v (kind %s), want an internal error", panicErr, k)
	}
	for i, err := range errs {
		if err != nil {
			t.Errorf("update of %s beside a panic: got %v, want success", users[i].Username, err)
		}
	}
	events := updateEvents(t, s, tenant.ID)
	if events["panic"] != 0 {
		t.Error("the event written before the panic was kept, want it rolled back")
	}
	if len(events) != len(users) {
		t.Errorf("update events: got %v, want one per user", events)
	}
}

// TestCloseWhileWriting: Close answers the writes in flight and every
// write after it fails as unavailable; nothing hangs.
func TestCloseWhileWriting(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "userd.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	tenant, users := seedUsers(t, s, 16)
	last := make([]error, len(users))
	var started, wg sync.WaitGroup
	for i, u := range users {
		started.Add(1)
		wg.Go(func() {
			for n := 0; ; n++ {
				u.City = strconv.Itoa(n)
				updated, err := s.UpdateUser(context.Background(), u, directory.Event{TenantID: tenant.ID, Time: u.UpdatedAt, Action: "user.update", Fields: []string{"city"}})
				if n == 0 {
					started.Done()
				}
				if err != nil {
					last[i] = err
					return
				}
				u = updated
			}
		})
	}
	started.Wait()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	wg.Wait()
	for i, err := range last {
		if k := directory.KindOf(err); k != directory.Unavailable {
			t.Errorf("writer %d after Close: got %v (kind %s), want unavailable", i, err, k)
		}
	}
}
