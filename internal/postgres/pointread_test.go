package postgres

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/userd/userd/internal/directory"
)

// TestPointReadsTogether: reads by id and by username that wait for the
// same server together each get exactly their own answer: the user they
// asked for in the view they asked for, NotFound for a missing id and for
// another tenant's user.
func TestPointReadsTogether(t *testing.T) {
	ctx := t.Context()
	fresh := openFresh(t)
	tenant, users := seedUsers(t, fresh, 8)
	other, err := fresh.CreateTenant(ctx, directory.Tenant{Name: "other", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := fresh.CreateUsers(ctx, []directory.User{{TenantID: other.ID, Username: "theirs", CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}},
		directory.Event{TenantID: other.ID, Time: time.Now().UTC(), Action: "user.import"})
	if err != nil {
		t.Fatal(err)
	}
	s := openURL(t, withParam(fresh.pool.Config().ConnString(), "pool_max_conns", "1"))
	held, err := s.pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var once sync.Once
	release := func() { once.Do(held.Release) }
	defer release()

	type answer struct {
		u   directory.User
		err error
	}
	// brief reads the Brief of user id as a User holding the fields the
	// answers are checked on.
	brief := func(id int64) (directory.User, error) {
		b, err := s.UserBrief(ctx, tenant.ID, id)
		return directory.User{ID: b.ID, TenantID: b.TenantID, Email: b.Email}, err
	}
	reads := []func() (directory.User, error){}
	for _, u := range users {
		reads = append(reads,
			func() (directory.User, error) { return brief(u.ID) },
			func() (directory.User, error) { return s.User(ctx, tenant.ID, u.ID, directory.WholeUser) },
			func() (directory.User, error) {
				return s.UserByUsername(ctx, tenant.ID, u.Username, directory.WithoutOrgsView)
			},
		)
	}
	reads = append(reads,
		func() (directory.User, error) {
			return s.User(ctx, tenant.ID, users[len(users)-1].ID+1000, directory.WholeUser)
		},
		func() (directory.User, error) { return brief(theirs[0].ID) },
	)
	answers := make([]answer, len(reads))
	var wg sync.WaitGroup
	for i, read := range reads {
		wg.Go(func() {
			u, err := read()
			answers[i] = answer{u, err}
		})
	}
	// The pool's one connection is held: once a round trip waits for it,
	// the reads pile up behind it.
	for len(s.points.running) == 0 {
		runtime.Gosched()
	}
	release()
	wg.Wait()

	for i, u := range users {
		for j, a := range answers[3*i : 3*i+3] {
			if a.err != nil {
				t.Errorf("read %d of user %s: %v", j, u.Username, a.err)
				continue
			}
			if a.u.ID != u.ID || a.u.TenantID != tenant.ID || a.u.Email != u.Email {
				t.Errorf("read %d of user %s (id %d) answered id %d, tenant %d, email %q", j, u.Username, u.ID, a.u.ID, a.u.TenantID, a.u.Email)
			}
			if j > 0 && a.u.Username != u.Username {
				t.Errorf("read %d of user %s answered username %q", j, u.Username, a.u.Username)
			}
		}
	}
	for _, a := range answers[len(answers)-2:] {
		if directory.KindOf(a.err) != directory.NotFound {
			t.Errorf("read of a missing id and of another tenant's user: got %+v, %v; want NotFound", a.u, a.err)
		}
	}
}

// TestPointReadFailsAlone: the reads queued go out in one round trip and
// each gets its own row; the server skips the rest of a pipeline after a
// statement that fails, so the reads after it run again in the next round
// trip and get their answers, and the failing read gets its error.
func TestPointReadFailsAlone(t *testing.T) {
	s := openFresh(t)
	p := newPointReads(s.pool)
	divisors := []int{1, 2, 5, 10, 0, 2, 1}
	got := make([]int, len(divisors))
	ops := make([]*pointRead, len(divisors))
	for i, divisor := range divisors {
		ops[i] = &pointRead{ctx: t.Context(), sql: `SELECT 10 / $1::int`, args: []any{divisor}, done: make(chan error, 1),
			decode: func(rows pgx.Rows) error {
				if !rows.Next() {
					return rows.Err()
				}
				return rows.Scan(&got[i])
			}}
		p.q.Add(ops[i], false)
	}
	p.runBatch(p.q.Take(maxPointBatch))
	for i := range 4 {
		if err := <-ops[i].done; err != nil || got[i] != 10/divisors[i] {
			t.Errorf("read %d, before the failing one: %d, %v; want %d, nil", i, got[i], err, 10/divisors[i])
		}
	}
	var pgErr *pgconn.PgError
	if err := <-ops[4].done; !errors.As(err, &pgErr) || pgErr.Code != "22012" {
		t.Errorf("the failing read: %v, want division_by_zero (22012)", err)
	}
	if n := p.q.Len(); n != 2 {
		t.Fatalf("%d reads queued again after the failure, want 2", n)
	}
	p.runBatch(p.q.Take(maxPointBatch))
	for i := 5; i < len(ops); i++ {
		if err := <-ops[i].done; err != nil || got[i] != 10/divisors[i] {
			t.Errorf("read %d, after the failing one: %d, %v; want %d, nil", i, got[i], err, 10/divisors[i])
		}
	}
}

// TestPointReadEndsAtDeadline: a read returns at its request's deadline,
// whether it waits for a connection itself or queued behind the round
// trips that do, and reads work again once the connection is free.
func TestPointReadEndsAtDeadline(t *testing.T) {
	s, tenant, users, release := openHeld(t, 1)
	defer release()
	read := func(ctx context.Context) error {
		u, err := s.UserBrief(ctx, tenant.ID, users[0].ID)
		if err == nil && u.ID != users[0].ID {
			t.Errorf("read user %d, got %d", users[0].ID, u.ID)
		}
		return err
	}
	ended := func(what string, err error, took time.Duration) {
		t.Helper()
		if !errors.Is(err, context.DeadlineExceeded) && directory.KindOf(err) != directory.Unavailable || took > 5*time.Second {
			t.Errorf("%s: %v after %v; want the deadline's error at once", what, err, took)
		}
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	ended("a read alone, waiting for a connection", read(ctx), time.Since(start))

	// Reads that take every place, one after the other, each alone and
	// waiting for the held connection.
	var wg sync.WaitGroup
	for i := range maxPointBatches {
		wg.Go(func() {
			if err := read(t.Context()); err != nil {
				t.Errorf("a read waiting for the connection: %v", err)
			}
		})
		for len(s.points.running) <= i {
			runtime.Gosched()
		}
	}
	ctx, cancel = context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	ended("a read queued behind them", read(ctx), time.Since(start))
	if n := s.points.q.Len(); n != 0 {
		t.Errorf("%d reads left in the queue after the read gave up, want 0", n)
	}
	release()
	wg.Wait()
	if err := read(t.Context()); err != nil {
		t.Fatalf("read after the connection was released: %v", err)
	}
}
