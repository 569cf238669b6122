package postgres

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/userd/userd/internal/directory"
)

// openHeld returns a fresh store with n users (seedUsers) whose pool holds
// one connection, which the test holds: the store's one committer cannot
// begin a transaction until release is called, so writes started before
// that queue up and then share one transaction.
func openHeld(t *testing.T, n int) (s *Store, tenant directory.Tenant, users []directory.User, release func()) {
	t.Helper()
	fresh := openFresh(t)
	tenant, users = seedUsers(t, fresh, n)
	s = openURL(t, withParam(fresh.pool.Config().ConnString(), "pool_max_conns", "1"))
	conn, err := s.pool.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	return s, tenant, users, func() { once.Do(conn.Release) }
}

// waitQueued waits until n writes wait in s's queue.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		queued := s.c.q.Len()
		if queued >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d writes queued after 10s, want %d", queued, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// runQueued runs write(0) … write(n-1), each on its own goroutine and
// queued behind s's held connection before the next starts (so the batch
// holds them in that order), then releases the connection and waits for
// them all. It returns how many transactions s committed meanwhile.
func runQueued(t *testing.T, s *Store, release func(), n int, write func(i int)) (commits int64) {
	t.Helper()
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { write(i) })
		waitQueued(t, s, i+1)
	}
	before := s.c.commits.Load()
	release()
	wg.Wait()
	return s.c.commits.Load() - before
}

// runOneBatch is runQueued for writes that must all share one transaction.
func runOneBatch(t *testing.T, s *Store, release func(), n int, write func(i int)) {
	t.Helper()
	if got := runQueued(t, s, release, n, write); got != 1 {
		t.Errorf("the %d queued writes took %d transactions, want 1", n, got)
	}
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

// updateEvents returns, by object id, the user.update events of tenant.
func updateEvents(t *testing.T, s *Store, tenantID int64) map[string]int {
	t.Helper()
	evs, err := s.AuditEvents(t.Context(), tenantID, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, ev := range evs {
		if ev.Action == "user.update" {
			got[ev.ObjectID]++
		}
	}
	return got
}

// TestGroupCommitOutcomes: writes queued together share one transaction,
// and each gets exactly its own outcome: a good update is stored with its
// audit event, a stale one, one that takes another user's email and one
// that panics each fail alone, leaving no change and no event, and the
// good writes after them are still stored.
func TestGroupCommitOutcomes(t *testing.T) {
	s, tenant, users, release := openHeld(t, 12)
	defer release()
	ctx := t.Context()

	type outcome int
	const (
		stored outcome = iota
		stale
		taken
		panicked
	)
	want := make([]outcome, len(users))
	for i := range want {
		want[i] = []outcome{stored, stale, stored, taken, stored, panicked}[i%6]
	}
	errs := make([]error, len(users))
	runOneBatch(t, s, release, len(users), func(i int) {
		u := users[i]
		ev := directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", ObjectID: strconv.FormatInt(u.ID, 10), Fields: []string{"city", "email"}}
		u.City = "New" + strconv.Itoa(i)
		switch want[i] {
		case stale:
			u.Version++
		case taken:
			u.Email = users[0].Email
		case panicked:
			errs[i] = s.inTx(ctx, func(tx pgx.Tx) error {
				if _, err := tx.Exec(ctx, `UPDATE users SET city = 'Panic' WHERE id = $1`, u.ID); err != nil {
					return err
				}
				panic("a write's bug")
			})
			return
		}
		_, errs[i] = s.UpdateUser(ctx, u, ev)
	})

	events := updateEvents(t, s, tenant.ID)
	for i, u := range users {
		got, err := s.User(ctx, tenant.ID, u.ID, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(u.ID, 10)
		switch want[i] {
		case stored:
			if errs[i] != nil || got.City != "New"+strconv.Itoa(i) || events[id] != 1 {
				t.Errorf("write %d: err %v, city %q, %d events; want stored with one event", i, errs[i], got.City, events[id])
			}
			continue
		case stale:
			if !errors.Is(errs[i], directory.ErrVersionMismatch) {
				t.Errorf("write %d (stale version): got %v, want ErrVersionMismatch", i, errs[i])
			}
		case taken:
			if directory.KindOf(errs[i]) != directory.Conflict {
				t.Errorf("write %d (taken email): got %v (kind %v), want a Conflict", i, errs[i], directory.KindOf(errs[i]))
			}
		case panicked:
			if directory.KindOf(errs[i]) != directory.Internal {
				t.Errorf("write %d (panic): got %v, want an Internal error", i, errs[i])
			}
		}
		if got.City != "Old" || events[id] != 0 {
			t.Errorf("write %d failed but left city %q and %d events; want no change", i, got.City, events[id])
		}
	}
}

// TestGroupCommitFailedCommit: when COMMIT fails, every write of the batch
// gets the error and none is stored, though each one succeeded alone.
func TestGroupCommitFailedCommit(t *testing.T) {
	s, tenant, users, release := openHeld(t, 4)
	defer release()
	ctx := t.Context()
	errs := make([]error, len(users))
	runQueued(t, s, release, len(users), func(i int) {
		u := users[i]
		if i == 2 {
			// A deferred constraint is checked at COMMIT, so this write
			// succeeds and its transaction fails.
			errs[i] = s.inTx(ctx, func(tx pgx.Tx) error {
				_, err := tx.Exec(ctx, `CREATE TEMP TABLE deferred (n int UNIQUE DEFERRABLE INITIALLY DEFERRED) ON COMMIT DROP;
						INSERT INTO deferred VALUES (1), (1)`)
				return err
			})
			return
		}
		u.City = "New"
		_, errs[i] = s.UpdateUser(ctx, u, directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", Fields: []string{"city"}})
	})
	checkNothingCommitted(t, s, tenant.ID, users, errs)
}

// checkNothingCommitted checks that every write of a batch whose COMMIT
// failed was answered with an error, and that no user and no event changed.
func checkNothingCommitted(t *testing.T, s *Store, tenantID int64, users []directory.User, errs []error) {
	t.Helper()
	for i, u := range users {
		if errs[i] == nil {
			t.Errorf("write %d: succeeded, but its transaction's COMMIT failed", i)
		}
		got, err := s.User(t.Context(), tenantID, u.ID, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		if got.City != "Old" {
			t.Errorf("user %d: city %q after a failed COMMIT, want Old", i, got.City)
		}
	}
	if n := len(updateEvents(t, s, tenantID)); n != 0 {
		t.Errorf("%d update events after a failed COMMIT, want 0", n)
	}
}

// TestGroupCommitRetry: a write that loses a deadlock or a serialization
// conflict is rolled back to its savepoint and run again in a later
// transaction, up to maxTxAttempts times; the rest of its first batch is
// stored once.
func TestGroupCommitRetry(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	if _, err := s.pool.Exec(ctx, `CREATE TABLE retried (attempt int)`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		code     string
		failures int
		want     error
	}{
		{deadlockDetected, 1, nil},
		{serializationFailure, maxTxAttempts - 1, nil},
		{serializationFailure, maxTxAttempts, &pgconn.PgError{Code: serializationFailure}},
	} {
		if _, err := s.pool.Exec(ctx, `DELETE FROM retried`); err != nil {
			t.Fatal(err)
		}
		attempts := 0
		err := s.inTx(ctx, func(tx pgx.Tx) error {
			attempts++
			if _, err := tx.Exec(ctx, `INSERT INTO retried VALUES ($1)`, attempts); err != nil {
				return err
			}
			if attempts <= tc.failures {
				return &pgconn.PgError{Code: tc.code}
			}
			return nil
		})
		if (err == nil) != (tc.want == nil) || (err != nil && !retryable(err)) {
			t.Errorf("%s %d times: got %v, want %v", tc.code, tc.failures, err, tc.want)
		}
		var rows int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM retried`).Scan(&rows); err != nil {
			t.Fatal(err)
		}
		if want := 1; tc.want != nil {
			want = 0
			if rows != want {
				t.Errorf("%s %d times: %d rows kept, want %d", tc.code, tc.failures, rows, want)
			}
		} else if rows != want || attempts != tc.failures+1 {
			t.Errorf("%s %d times: %d attempts, %d rows kept; want %d attempts, %d row", tc.code, tc.failures, attempts, rows, tc.failures+1, want)
		}
	}
}

// TestGroupCommitGiveUp: a write whose caller gives up while it waits in
// the queue is withdrawn: it answers at the deadline and is never stored.
func TestGroupCommitGiveUp(t *testing.T) {
	s, tenant, users, release := openHeld(t, 1)
	defer release()
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	u := users[0]
	u.City = "Abandoned"
	start := time.Now()
	_, err := s.UpdateUser(ctx, u, directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", Fields: []string{"city"}})
	if directory.KindOf(err) != directory.Unavailable || time.Since(start) > 2*time.Second {
		t.Fatalf("got %v after %v, want Unavailable at the deadline", err, time.Since(start))
	}
	release()
	// A write queued after it runs; had the abandoned one stayed queued, it
	// would have run first.
	if _, err := s.CreateTenant(t.Context(), directory.Tenant{Name: "after", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := s.inTx(t.Context(), func(pgx.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	got, err := s.User(t.Context(), tenant.ID, u.ID, directory.WholeUser)
	if err != nil || got.City != "Old" {
		t.Errorf("abandoned write: city %q (%v), want Old", got.City, err)
	}
}

// TestGroupCommitClose: Close while writes stream in answers each write
// truly: a success is stored, an Unavailable is not, and nothing hangs.
func TestGroupCommitClose(t *testing.T) {
	s := openFresh(t)
	reader := openURL(t, s.pool.Config().ConnString())
	tenant, users := seedUsers(t, s, 16)
	type result struct {
		n   int
		err error
	}
	results := make([][]result, len(users))
	var wg sync.WaitGroup
	for i, u := range users {
		wg.Go(func() {
			for n := 1; ; n++ {
				u.City = "c" + strconv.Itoa(n)
				got, err := s.UpdateUser(context.Background(), u, directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", Fields: []string{"city"}})
				results[i] = append(results[i], result{n, err})
				if err != nil {
					return
				}
				u = got
			}
		})
	}
	time.Sleep(300 * time.Millisecond)
	done := make(chan struct{})
	go func() { s.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return within 10s")
	}
	wg.Wait()
	for i, u := range users {
		rs := results[i]
		last := rs[len(rs)-1]
		if directory.KindOf(last.err) != directory.Unavailable {
			t.Errorf("user %d: the write after Close got %v, want Unavailable", i, last.err)
		}
		got, err := reader.User(t.Context(), tenant.ID, u.ID, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		if want := "c" + strconv.Itoa(last.n-1); last.n == 1 && got.City != "Old" || last.n > 1 && got.City != want {
			t.Errorf("user %d: stored city %q, want the last acknowledged write's %q", i, got.City, want)
		}
	}
}
