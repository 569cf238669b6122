package postgres

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/userd/userd/internal/directory"
)

// rowWriters returns how many transactions and subtransactions wrote the
// current rows of the users with the given ids: one when a batch wrote
// them all without savepoints, one per write when each had its own.
func rowWriters(t *testing.T, s *Store, ids []int64) int {
	t.Helper()
	var n int
	if err := s.pool.QueryRow(t.Context(), `SELECT count(DISTINCT xmin::text) FROM users WHERE id = ANY($1)`, ids).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// setCity is a write that is a function, not a statement: it forces its
// batch into a pgx.Tx.
func setCity(s *Store, u directory.User, city string) error {
	return s.inTx(context.Background(), func(tx pgx.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE users SET city = $1 WHERE id = $2`, city, u.ID)
		return err
	})
}

// TestGroupCommitWithoutSavepoints: a batch in which no write fails sets
// no savepoint, so every row it wrote carries its transaction's id alone;
// with statements alone and with a function among them.
func TestGroupCommitWithoutSavepoints(t *testing.T) {
	for _, withFunction := range []bool{false, true} {
		t.Run("function="+strconv.FormatBool(withFunction), func(t *testing.T) {
			s, tenant, users, release := openHeld(t, 6)
			defer release()
			want := make([]error, len(users))
			errs := make([]error, len(users))
			runOneBatch(t, s, release, len(users), func(i int) {
				u := users[i]
				city := "New" + strconv.Itoa(i)
				if withFunction && i == 3 {
					errs[i] = setCity(s, u, city)
					return
				}
				u.City = city
				_, errs[i] = s.UpdateUser(t.Context(), u, cityEmailEvent(tenant.ID, u.ID))
			})
			ids := make([]int64, len(users))
			for i, u := range users {
				ids[i] = u.ID
				if errs[i] != nil {
					t.Errorf("write %d: %v", i, errs[i])
				}
			}
			if n := rowWriters(t, s, ids); n != 1 {
				t.Errorf("the rows of one batch were written by %d (sub)transactions, want 1: no savepoints", n)
			}
			if withFunction {
				got, err := s.User(t.Context(), tenant.ID, users[3].ID, directory.WholeUser)
				if err != nil || got.City != "New3" {
					t.Errorf("the function's write: city %q (%v), want New3", got.City, err)
				}
				return
			}
			checkOutcomes(t, s, tenant.ID, users, want, errs)
		})
	}
}

// TestGroupCommitRedo: when a write of a batch fails, the batch's
// transaction is rolled back whole and the batch runs again with a
// savepoint per write: the failing writes (a unique violation, a function
// that fails after its update, a stale version) fail alone, leaving
// nothing half-applied, and the others are stored once, in one
// transaction.
func TestGroupCommitRedo(t *testing.T) {
	s, tenant, users, release := openHeld(t, 6)
	defer release()
	errFunction := errors.New("the function failed after its update")
	want := []error{nil, errTaken, nil, errFunction, directory.ErrVersionMismatch, nil}
	errs := make([]error, len(users))
	runOneBatch(t, s, release, len(users), func(i int) {
		u := users[i]
		u.City = "New" + strconv.Itoa(i)
		switch want[i] {
		case errTaken:
			u.Email = users[0].Email
		case directory.ErrVersionMismatch:
			u.Version++
		case errFunction:
			errs[i] = s.inTx(context.Background(), func(tx pgx.Tx) error {
				if _, err := tx.Exec(context.Background(), `UPDATE users SET city = 'Half' WHERE id = $1`, u.ID); err != nil {
					return err
				}
				return errFunction
			})
			return
		}
		_, errs[i] = s.UpdateUser(t.Context(), u, cityEmailEvent(tenant.ID, u.ID))
	})
	if n := rowWriters(t, s, []int64{users[0].ID, users[2].ID, users[5].ID}); n != 3 {
		t.Errorf("the 3 stored writes were written by %d (sub)transactions, want 3: one savepoint each", n)
	}
	checkOutcomes(t, s, tenant.ID, users, want, errs)
}

// TestGroupCommitRedoRetry: a function that loses a deadlock in a batch
// without savepoints counts that run as one of its maxTxAttempts; the
// writes beside it are stored once, whether it wins on its next run or
// never does.
func TestGroupCommitRedoRetry(t *testing.T) {
	for _, failures := range []int{1, maxTxAttempts} {
		t.Run(strconv.Itoa(failures), func(t *testing.T) {
			s, tenant, users, release := openHeld(t, 3)
			defer release()
			runs := 0
			errs := make([]error, len(users))
			runQueued(t, s, release, len(users), func(i int) {
				u := users[i]
				u.City = "New" + strconv.Itoa(i)
				if i != 1 {
					_, errs[i] = s.UpdateUser(t.Context(), u, cityEmailEvent(tenant.ID, u.ID))
					return
				}
				errs[i] = s.inTx(context.Background(), func(tx pgx.Tx) error {
					runs++
					if _, err := tx.Exec(context.Background(), `UPDATE users SET city = $1 WHERE id = $2`, u.City, u.ID); err != nil {
						return err
					}
					if runs <= failures {
						return &pgconn.PgError{Code: deadlockDetected}
					}
					return nil
				})
			})
			wantRuns, wantCity := failures+1, "New1"
			if failures >= maxTxAttempts {
				wantRuns, wantCity = maxTxAttempts, "Old"
				if !retryable(errs[1]) {
					t.Errorf("the function that always lost: got %v, want a deadlock", errs[1])
				}
			} else if errs[1] != nil {
				t.Errorf("the function that won its second run: %v", errs[1])
			}
			if runs != wantRuns {
				t.Errorf("the function ran %d times, want %d", runs, wantRuns)
			}
			events := updateEvents(t, s, tenant.ID)
			for i, u := range users {
				got, err := s.User(t.Context(), tenant.ID, u.ID, directory.WholeUser)
				if err != nil {
					t.Fatal(err)
				}
				if i == 1 {
					if got.City != wantCity {
						t.Errorf("the function's user: city %q, want %q", got.City, wantCity)
					}
					continue
				}
				if errs[i] != nil || got.City != "New"+strconv.Itoa(i) || got.Version != u.Version+1 || events[strconv.FormatInt(u.ID, 10)] != 1 {
					t.Errorf("write %d: err %v, city %q, version %d, %d events; want stored once, at version %d",
						i, errs[i], got.City, got.Version, events[strconv.FormatInt(u.ID, 10)], u.Version+1)
				}
			}
		})
	}
}
