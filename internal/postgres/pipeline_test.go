package postgres

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// TestGroupCommitPipeline: a batch of updates alone runs as one pipeline,
// BEGIN to COMMIT. Writes that fail in it (a stale version, an email
// taken, twice in a row, a missing user, and the last write of the batch)
// each fail alone, and the writes around them are stored, with their
// events and change-log entries, in one transaction.
func TestGroupCommitPipeline(t *testing.T) {
	s, tenant, users, release := openHeld(t, 10)
	defer release()
	ctx := t.Context()

	want := []error{nil, directory.ErrVersionMismatch, errTaken, errTaken, errMissing, nil, nil, errTaken, nil, errTaken}
	errs := make([]error, len(users))
	runOneBatch(t, s, release, len(users), func(i int) {
		u := users[i]
		u.City = "New" + strconv.Itoa(i)
		switch want[i] {
		case directory.ErrVersionMismatch:
			u.Version++
		case errTaken:
			u.Email = users[0].Email
		case errMissing:
			u.ID = users[len(users)-1].ID + 1000
		}
		_, errs[i] = s.UpdateUser(ctx, u, cityEmailEvent(tenant.ID, u.ID))
	})
	checkOutcomes(t, s, tenant.ID, users, want, errs)
}

// TestGroupCommitPipelineFailedCommit: when the COMMIT at the end of a
// pipeline fails, every write of the batch gets the error and none is
// stored.
func TestGroupCommitPipelineFailedCommit(t *testing.T) {
	s, tenant, users, release := openHeld(t, 4)
	defer release()
	ctx := t.Context()
	// Checked at COMMIT: a city named Fail makes the transaction fail.
	// On a connection of its own: the test holds the store's one.
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `CREATE FUNCTION fail_city() RETURNS trigger LANGUAGE plpgsql AS
			$$BEGIN IF NEW.city = 'Fail' THEN RAISE EXCEPTION 'city Fail'; END IF; RETURN NEW; END$$;
		CREATE CONSTRAINT TRIGGER fail_city AFTER UPDATE ON users DEFERRABLE INITIALLY DEFERRED
			FOR EACH ROW EXECUTE FUNCTION fail_city()`); err != nil {
		t.Fatal(err)
	}
	errs := make([]error, len(users))
	runQueued(t, s, release, len(users), func(i int) {
		u := users[i]
		u.City = "New"
		if i == 2 {
			u.City = "Fail"
		}
		_, errs[i] = s.UpdateUser(ctx, u, cityEmailEvent(tenant.ID, u.ID))
	})
	checkNothingCommitted(t, s, tenant.ID, users, errs)
	var queued int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM change_queue WHERE op = 'update'`).Scan(&queued); err != nil || queued != 0 {
		t.Errorf("%d change-log entries (%v) after a failed COMMIT, want 0", queued, err)
	}
}

var (
	errTaken   = errors.New("email taken")
	errMissing = errors.New("no such user")
)

// cityEmailEvent is the event of an update of a user's city and email,
// with its change-log entry.
func cityEmailEvent(tenantID, id int64) directory.Event {
	now := time.Now()
	fields := []string{"city", "email"}
	return directory.Event{TenantID: tenantID, Time: now, Action: "user.update", ObjectID: strconv.FormatInt(id, 10), Fields: fields,
		Changes: []directory.Change{{TenantID: tenantID, Type: "user", ObjectID: id, Op: "update", Fields: fields, Time: now}}}
}

// checkOutcomes checks that each write i got want[i] (nil: stored with
// its event and change-log entry; errTaken: a Conflict; errMissing:
// NotFound; else that error), and that a failed one left no trace.
func checkOutcomes(t *testing.T, s *Store, tenantID int64, users []directory.User, want, errs []error) {
	t.Helper()
	ctx := t.Context()
	events := updateEvents(t, s, tenantID)
	for i, u := range users {
		var entries int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM change_queue WHERE object_id = $1 AND op = 'update'`, u.ID).Scan(&entries); err != nil {
			t.Fatal(err)
		}
		got, err := s.User(ctx, tenantID, u.ID, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		id := strconv.FormatInt(u.ID, 10)
		switch want[i] {
		case nil:
			if errs[i] != nil || got.City != "New"+strconv.Itoa(i) || got.Version != u.Version+1 || events[id] != 1 || entries != 1 {
				t.Errorf("write %d: err %v, city %q, version %d, %d events, %d change-log entries; want stored at version %d, with one of each",
					i, errs[i], got.City, got.Version, events[id], entries, u.Version+1)
			}
			continue
		case errTaken:
			if directory.KindOf(errs[i]) != directory.Conflict {
				t.Errorf("write %d (taken email): got %v (kind %v), want a Conflict", i, errs[i], directory.KindOf(errs[i]))
			}
		case errMissing:
			if directory.KindOf(errs[i]) != directory.NotFound {
				t.Errorf("write %d (missing user): got %v (kind %v), want NotFound", i, errs[i], directory.KindOf(errs[i]))
			}
		default:
			if !errors.Is(errs[i], want[i]) {
				t.Errorf("write %d: got %v, want %v", i, errs[i], want[i])
			}
		}
		if got.City != "Old" || events[id] != 0 || entries != 0 {
			t.Errorf("write %d failed but left city %q, %d events, %d change-log entries; want no change", i, got.City, events[id], entries)
		}
	}
}

func TestShiftParams(t *testing.T) {
	for _, tc := range []struct {
		sql  string
		n    int
		want string
	}{
		{`VALUES ($1, $2)`, 4, `VALUES ($5, $6)`},
		{`COALESCE($6::text[], '{}'), $7`, 10, `COALESCE($16::text[], '{}'), $17`},
		{`no parameters`, 3, `no parameters`},
		{`$9$10`, 1, `$10$11`},
	} {
		if got := shiftParams(tc.sql, tc.n); got != tc.want {
			t.Errorf("shiftParams(%q, %d) = %q, want %q", tc.sql, tc.n, got, tc.want)
		}
	}
}
