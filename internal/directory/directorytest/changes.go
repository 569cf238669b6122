package directorytest

import (
	"errors"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// entry is what a test expects of a change-log entry: all but its position
// and time.
type entry struct {
	typ     string
	id      int64
	op      string
	version int64
	fields  []string
}

func (e entry) String() string {
	return fmt.Sprintf("%s %d %s v%d %v", e.typ, e.id, e.op, e.version, e.fields)
}

func entryOf(c directory.Change) entry {
	return entry{c.Type, c.ObjectID, c.Op, c.Version, c.Fields}
}

// changes returns every entry of tenant's log after position after,
// checking that positions strictly increase and every entry is tenant's.
func (f *fixture) changes(t *testing.T, tenant, after int64) []directory.Change {
	t.Helper()
	var all []directory.Change
	for {
		page, err := f.s.Changes(f.ctx, tenant, after, 3)
		if err != nil {
			t.Fatalf("Changes(%d, %d): %v", tenant, after, err)
		}
		for _, c := range page {
			if c.Position <= after {
				t.Fatalf("Changes(%d, %d): position %d does not follow %d", tenant, after, c.Position, after)
			}
			if c.TenantID != tenant {
				t.Fatalf("Changes(%d): an entry of tenant %d", tenant, c.TenantID)
			}
			after = c.Position
		}
		all = append(all, page...)
		if len(page) < 3 {
			return all
		}
	}
}

// lastChange returns tenant's newest position.
func (f *fixture) lastChange(t *testing.T, tenant int64) int64 {
	t.Helper()
	last, err := f.s.LastChange(f.ctx, tenant)
	if err != nil {
		t.Fatalf("LastChange(%d): %v", tenant, err)
	}
	return last
}

// checkChanges fails the test unless tenant's entries after position after
// are want, in order, and LastChange is the last one's position.
func (f *fixture) checkChanges(t *testing.T, tenant, after int64, want ...entry) []directory.Change {
	t.Helper()
	got := f.changes(t, tenant, after)
	gotEntries := make([]entry, len(got))
	for i, c := range got {
		gotEntries[i] = entryOf(c)
	}
	if g, w := fmt.Sprint(gotEntries), fmt.Sprint(want); g != w {
		t.Errorf("change log after %d:\ngot  %s\nwant %s", after, g, w)
	}
	wantLast := after
	if len(got) > 0 {
		wantLast = got[len(got)-1].Position
	}
	if last := f.lastChange(t, tenant); last != wantLast {
		t.Errorf("LastChange(%d): got %d, want %d", tenant, last, wantLast)
	}
	return got
}

// testChangesRecorded drives the Service through every kind of change to
// users and orgs and checks the log holds exactly one entry per object
// changed, with the fields that changed and the object's new version.
func testChangesRecorded(t *testing.T, f *fixture) {
	svc, p := f.service()
	ctx := f.ctx
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	org, err := svc.CreateOrg(ctx, p, directory.OrgPatch{Name: ptr("Team"), Code: ptr("team")})
	must(err)
	boss, err := svc.CreateUser(ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("boss"), Password: ptr("correct horse")})
	must(err)
	worker, err := svc.CreateUser(ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("worker"), Email: ptr("w@example.com"),
		ManagerID: &boss.ID, Orgs: &[]directory.Membership{{OrgID: org.ID, Primary: true}}})
	must(err)
	_, err = svc.UpdateUser(ctx, p, worker.ID, 0, directory.UserPatch{City: ptr("Paris"), Name: ptr("Worker"), Email: ptr("w@example.com")})
	must(err)
	// A patch that changes nothing records nothing.
	_, err = svc.UpdateUser(ctx, p, worker.ID, 0, directory.UserPatch{City: ptr("Paris")})
	must(err)
	_, err = svc.UpdateUser(ctx, p, worker.ID, 0, directory.UserPatch{Password: ptr("another secret"), Orgs: &[]directory.Membership{}})
	must(err)
	_, err = svc.UpdateOrg(ctx, p, org.ID, 0, directory.OrgPatch{Name: ptr("Team A")})
	must(err)
	imported, err := svc.ImportUsers(ctx, p, []directory.UserPatch{
		{Username: ptr("imp1"), ManagerID: &boss.ID},
		{Username: ptr("imp2"), PasswordHash: ptr("plain$secret")},
	})
	must(err)
	must(svc.DeleteUser(ctx, p, boss.ID, 0))
	must(svc.DeleteOrg(ctx, p, org.ID, 0))

	got := f.checkChanges(t, f.a, 0,
		entry{"org", org.ID, "create", 1, []string{"name", "code"}},
		entry{"user", boss.ID, "create", 1, []string{"username", "password"}},
		entry{"user", worker.ID, "create", 1, []string{"username", "email", "manager_id", "orgs"}},
		entry{"user", worker.ID, "update", 2, []string{"name", "city"}},
		entry{"user", worker.ID, "update", 3, []string{"orgs", "password"}},
		entry{"org", org.ID, "update", 2, []string{"name"}},
		entry{"user", imported[0].ID, "create", 1, []string{"username", "manager_id"}},
		entry{"user", imported[1].ID, "create", 1, []string{"username", "password"}},
		// The delete of a manager clears the manager of those it managed:
		// each is an update of its own, before the delete.
		entry{"user", worker.ID, "update", 4, []string{"manager_id"}},
		entry{"user", imported[0].ID, "update", 2, []string{"manager_id"}},
		entry{"user", boss.ID, "delete", 2, nil},
		entry{"org", org.ID, "delete", 3, nil},
	)
	for _, c := range got {
		if c.Time.IsZero() || c.Time.Location() != time.UTC {
			t.Errorf("entry %d: time %v, want a UTC time", c.Position, c.Time)
		}
	}
	// Another tenant's log has none of it, and its positions are its own.
	f.checkChanges(t, f.b, 0)
	pb := directory.System(f.b)
	other, err := svc.CreateUser(ctx, pb, directory.OriginAPI, directory.UserPatch{Username: ptr("other")})
	must(err)
	f.checkChanges(t, f.b, 0, entry{"user", other.ID, "create", 1, []string{"username"}})
	f.checkChanges(t, f.a, got[len(got)-1].Position)
}

// testChangesAtomic checks that a change that fails records nothing, and
// that writes that change no user or org (credentials, failed
// authentications) are not in the log.
func testChangesAtomic(t *testing.T, f *fixture) {
	svc, p := f.service()
	ctx := f.ctx
	org, err := svc.CreateOrg(ctx, p, directory.OrgPatch{Name: ptr("Team")})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("taken"), Orgs: &[]directory.Membership{{OrgID: org.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	last := f.lastChange(t, f.a)
	failures := []struct {
		name string
		do   func() error
	}{
		{"duplicate username", func() error {
			_, err := svc.CreateUser(ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("TAKEN")})
			return err
		}},
		{"stale version", func() error {
			_, err := svc.UpdateUser(ctx, p, u.ID, u.Version+1, directory.UserPatch{City: ptr("x")})
			return err
		}},
		{"rename onto a taken username", func() error {
			other, err := svc.CreateUser(ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("other")})
			if err != nil {
				return nil // not the failure under test
			}
			last = f.lastChange(t, f.a)
			_, err = svc.UpdateUser(ctx, p, other.ID, 0, directory.UserPatch{Username: ptr("taken")})
			return err
		}},
		{"import with a bad user", func() error {
			_, err := svc.ImportUsers(ctx, p, []directory.UserPatch{{Username: ptr("fresh")}, {Username: ptr("taken")}})
			return err
		}},
		{"delete an org with members", func() error { return svc.DeleteOrg(ctx, p, org.ID, 0) }},
		{"delete a missing user", func() error { return svc.DeleteUser(ctx, p, u.ID+1000, 0) }},
	}
	for _, tc := range failures {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.do(); err == nil {
				t.Fatal("the change succeeded, want an error")
			}
			if got := f.lastChange(t, f.a); got != last {
				t.Errorf("LastChange: got %d, want %d: a failed change was recorded", got, last)
			}
			f.checkChanges(t, f.a, last)
		})
	}
	t.Run("credentials and failed logins", func(t *testing.T) {
		if _, _, err := svc.CreateClient(ctx, p, "app", directory.Scopes{directory.ScopeUsersRead}); err != nil {
			t.Fatal(err)
		}
		if err := f.s.RecordEvent(ctx, event(f.a, "auth.failure", "")); err != nil {
			t.Fatal(err)
		}
		f.checkChanges(t, f.a, last)
	})
}

// testChangesPruned checks retention: PruneChanges deletes old entries in
// bounded batches, and a reader whose position falls among them is told to
// resync, never given a page with a gap.
func testChangesPruned(t *testing.T, f *fixture) {
	create := func(tenant int64, name string, at time.Time) directory.User {
		t.Helper()
		ev := event(tenant, "user.create", "", "username")
		ev.Time = at
		ev.Changes = []directory.Change{{TenantID: tenant, Type: directory.ObjectUser, Op: directory.OpCreate, Fields: []string{"username"}, Time: at}}
		u, err := f.s.CreateUser(f.ctx, user(tenant, name), ev)
		if err != nil {
			t.Fatalf("CreateUser(%q): %v", name, err)
		}
		return u
	}
	for i := range 3 {
		create(f.a, "old"+strconv.Itoa(i), at(i))
		create(f.b, "old"+strconv.Itoa(i), at(i))
	}
	create(f.a, "new", at(10))
	all := f.changes(t, f.a, 0)
	if len(all) != 4 {
		t.Fatalf("got %d entries, want 4", len(all))
	}

	n, err := f.s.PruneChanges(f.ctx, at(5), 2)
	if err != nil || n != 2 {
		t.Fatalf("PruneChanges(limit 2): got %d, %v; want 2, nil", n, err)
	}
	n, err = f.s.PruneChanges(f.ctx, at(5), 100)
	if err != nil || n != 4 {
		t.Fatalf("PruneChanges: got %d, %v; want the 4 entries left before the cut, nil", n, err)
	}
	for _, after := range []int64{0, all[0].Position, all[1].Position} {
		_, err := f.s.Changes(f.ctx, f.a, after, 10)
		if !errors.Is(err, directory.ErrResync) {
			t.Errorf("Changes after pruned position %d: got %v, want ErrResync", after, err)
		}
		checkError(t, "Changes after a pruned position", err, directory.Gone, "after")
	}
	// From the newest pruned position on, nothing is missing.
	f.checkChanges(t, f.a, all[2].Position, entryOf(all[3]))
	f.checkChanges(t, f.b, f.lastChange(t, f.b))
	if n, err := f.s.PruneChanges(f.ctx, at(5), 100); err != nil || n != 0 {
		t.Errorf("PruneChanges again: got %d, %v; want 0, nil", n, err)
	}
}

// testChangesConcurrent follows the log while several writers commit at
// once: the follower, paging by position as it goes, must end up with
// exactly the entries a reader of the whole log sees afterwards, in the
// same order, each once: no entry was skipped because it committed after
// a larger position was read.
func testChangesConcurrent(t *testing.T, f *fixture) {
	svc, p := f.service()
	const writers, updates = 6, 15
	users := make([]directory.User, writers)
	for i := range users {
		u, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: ptr("w" + strconv.Itoa(i))})
		if err != nil {
			t.Fatal(err)
		}
		users[i] = u
	}
	start := f.lastChange(t, f.a)

	done := make(chan error, writers)
	for i := range writers {
		go func() {
			for j := range updates {
				if _, err := svc.UpdateUser(f.ctx, p, users[i].ID, 0, directory.UserPatch{City: ptr("c" + strconv.Itoa(j))}); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	var followed []directory.Change
	after, finished := start, 0
	for {
		page, err := f.s.Changes(f.ctx, f.a, after, 7)
		if err != nil {
			t.Fatalf("Changes(%d): %v", after, err)
		}
		for _, c := range page {
			if c.Position <= after {
				t.Fatalf("position %d after %d", c.Position, after)
			}
			after = c.Position
		}
		followed = append(followed, page...)
		if len(page) > 0 {
			continue
		}
		// Caught up: the end, once every writer has finished; else wait
		// for the next to finish, then read on.
		if finished == writers {
			break
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		finished++
	}
	all := f.changes(t, f.a, start)
	if len(all) != writers*updates {
		t.Fatalf("the log holds %d entries after position %d, want %d", len(all), start, writers*updates)
	}
	if len(followed) != len(all) {
		t.Fatalf("the follower saw %d entries, the log holds %d: it skipped some", len(followed), len(all))
	}
	versions := map[int64]int64{}
	for i, c := range all {
		if followed[i].Position != c.Position || followed[i].ObjectID != c.ObjectID || followed[i].Version != c.Version {
			t.Fatalf("entry %d: the follower saw %+v, the log holds %+v", i, followed[i], c)
		}
		// One user's versions increase along the log: commit order.
		if c.Version <= versions[c.ObjectID] {
			t.Fatalf("user %d: version %d after version %d", c.ObjectID, c.Version, versions[c.ObjectID])
		}
		versions[c.ObjectID] = c.Version
	}
}
