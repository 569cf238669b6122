package directory_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// readCountingStore counts the users read by id.
type readCountingStore struct {
	directory.Store
	reads atomic.Int64
}

func (s *readCountingStore) User(ctx context.Context, tenantID, id int64, view directory.UserView) (directory.User, error) {
	s.reads.Add(1)
	return s.Store.User(ctx, tenantID, id, view)
}

// TestUpdateUserWithReadsOnce checks that UpdateUserWith writes the patch
// made from the user it read without reading the user again, and that the
// write still refuses a user changed since that read.
func TestUpdateUserWithReadsOnce(t *testing.T) {
	f := newFixture(t)
	counted := &readCountingStore{Store: f.svc.Store()}
	svc := directory.NewService(counted, f.hasher)
	u := f.user(t, f.a, directory.UserPatch{Username: ptr("ada"), City: ptr("Paris")})

	var seen directory.User
	got, err := svc.UpdateUserWith(f.ctx, f.a, u.ID, func(stored directory.User) (directory.UserPatch, error) {
		seen = stored
		return directory.UserPatch{City: ptr(stored.City + " and Lyon")}, nil
	})
	if err != nil {
		t.Fatalf("UpdateUserWith: %v", err)
	}
	if n := counted.reads.Load(); n != 1 {
		t.Errorf("UpdateUserWith read the user %d times, want 1", n)
	}
	if seen.Version != u.Version || seen.City != "Paris" {
		t.Errorf("change saw version %d city %q, want %d %q", seen.Version, seen.City, u.Version, "Paris")
	}
	if got.City != "Paris and Lyon" || got.Version != u.Version+1 {
		t.Errorf("UpdateUserWith answered city %q version %d, want %q %d", got.City, got.Version, "Paris and Lyon", u.Version+1)
	}

	// Another write lands between the read and the write: the patch made
	// from the older user is refused, not applied over the newer one.
	_, err = svc.UpdateUserWith(f.ctx, f.a, u.ID, func(stored directory.User) (directory.UserPatch, error) {
		if _, err := f.svc.UpdateUser(f.ctx, f.a, u.ID, 0, directory.UserPatch{City: ptr("Nice")}); err != nil {
			t.Fatalf("the other write: %v", err)
		}
		return directory.UserPatch{City: ptr(stored.City + " and Lille")}, nil
	})
	if err != directory.ErrVersionMismatch {
		t.Fatalf("UpdateUserWith over a newer user: got %v, want ErrVersionMismatch", err)
	}
	now, err := f.svc.User(f.ctx, f.a, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if now.City != "Nice" {
		t.Errorf("after the refused write the city is %q, want the other write's %q", now.City, "Nice")
	}

	// A patch that changes nothing is not written, and the user is read once.
	counted.reads.Store(0)
	if _, err := svc.UpdateUserWith(f.ctx, f.a, u.ID, func(stored directory.User) (directory.UserPatch, error) {
		return directory.UserPatch{City: ptr(stored.City)}, nil
	}); err != nil {
		t.Fatalf("UpdateUserWith, no change: %v", err)
	}
	if n := counted.reads.Load(); n != 1 {
		t.Errorf("UpdateUserWith with no change read the user %d times, want 1", n)
	}

	// A password hash is refused as UpdateUser refuses it.
	_, err = svc.UpdateUserWith(f.ctx, f.a, u.ID, func(directory.User) (directory.UserPatch, error) {
		return directory.UserPatch{PasswordHash: ptr("$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g")}, nil
	})
	wantKind(t, err, directory.Invalid, "password_hash")
}
