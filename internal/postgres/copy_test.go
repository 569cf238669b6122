package postgres

import (
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// TestCopyUsersReadsAsCreated checks that a user bulk-loaded with COPY reads
// back exactly as the same user stored by CreateUsers, every column
// included (NULL for an empty email and external id, the extension and
// contact lists as jsonb), and that COPY still enforces the unique username.
func TestCopyUsersReadsAsCreated(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "copy", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	user := func(i int, email, externalID string) directory.User {
		u := directory.User{TenantID: tn.ID, Username: "user" + strconv.Itoa(i), Name: "User", Email: email, Phone: "5550100",
			Active: true, Origin: directory.OriginImport, Grade: 3, City: "Springfield", Extension: map[string]any{"role_id": 2.0},
			CreatedAt: now, UpdatedAt: now, PasswordChangedAt: now, PasswordHash: "$argon2id$x"}
		u.ExternalID, u.GivenName, u.Birthday = externalID, "Given", "1990-01-02"
		u.OtherEmails = []directory.Contact{{Value: "other@example.com", Type: "work"}}
		return u
	}
	for _, tt := range []struct{ email, externalID string }{{"", ""}, {"a@example.com", "ext-1"}} {
		if _, err := s.CreateUsers(ctx, []directory.User{user(1, tt.email, tt.externalID)}, directory.Event{TenantID: tn.ID, Time: now, Action: "user.import"}); err != nil {
			t.Fatal(err)
		}
		if tt.email != "" {
			if err := s.CopyUsers(ctx, []directory.User{user(2, tt.email, "")}, creations(tn.ID, 1)); err == nil {
				t.Fatalf("CopyUsers of a duplicate email: got no error, want the unique index's")
			}
		}
		copied := user(2, tt.email, tt.externalID)
		if tt.email != "" {
			copied.Email, copied.ExternalID = "copy-"+tt.email, "copy-"+tt.externalID
		}
		if err := s.CopyUsers(ctx, []directory.User{copied}, creations(tn.ID, 1)); err != nil {
			t.Fatalf("CopyUsers: %v", err)
		}
		list, err := s.ListUsers(ctx, tn.ID, directory.UserFilter{Limit: 10})
		if err != nil || len(list) != 2 {
			t.Fatalf("ListUsers: got %d users, error %v; want 2", len(list), err)
		}
		want, got := list[0], list[1]
		want.ID, want.Username, want.Email, want.ExternalID = got.ID, got.Username, copied.Email, copied.ExternalID
		if !reflect.DeepEqual(want, got) {
			t.Errorf("email %q: the copied user reads differently from the created one:\ncreated %+v\ncopied  %+v", tt.email, want, got)
		}
		if err := s.CopyUsers(ctx, []directory.User{user(2, "", "")}, creations(tn.ID, 1)); err == nil {
			t.Errorf("CopyUsers of a duplicate username: got no error, want the unique index's")
		}
		for _, u := range list {
			if err := s.DeleteUser(ctx, tn.ID, u.ID, u.Version, directory.Event{TenantID: tn.ID, Time: now, Action: "user.delete"}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestCopyUsersCounted checks that users bulk-loaded with COPY are counted
// (the user_counts triggers fire for COPY too) and that a COPY that fails
// counts nothing.
func TestCopyUsersCounted(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "copy", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	users := make([]directory.User, 5000)
	for i := range users {
		users[i] = directory.User{TenantID: tn.ID, Username: "user" + strconv.Itoa(i), Active: true, Origin: directory.OriginImport,
			Extension: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	}
	if err := s.CopyUsers(ctx, users, creations(tn.ID, len(users))); err != nil {
		t.Fatalf("CopyUsers: %v", err)
	}
	if err := s.CopyUsers(ctx, users[:2], creations(tn.ID, 2)); err == nil {
		t.Fatal("CopyUsers of taken usernames: got no error")
	}
	if err := s.CopyUsers(ctx, users[:2], nil); err == nil {
		t.Fatal("CopyUsers without change-log entries: got no error")
	}
	if n, err := s.CountUsers(ctx, tn.ID, directory.UserFilter{}); err != nil || n != int64(len(users)) {
		t.Errorf("CountUsers after COPY = %d, %v; want %d", n, err, len(users))
	}

	// The change log holds one creation per user copied, in the users'
	// order, and nothing of the failed copies.
	if last, err := s.LastChange(ctx, tn.ID); err != nil || last != int64(len(users)) {
		t.Fatalf("LastChange after COPY = %d, %v; want %d", last, err, len(users))
	}
	ids := map[string]int64{}
	rows, err := s.pool.Query(ctx, `SELECT username, id FROM users WHERE tenant_id = $1`, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	var (
		name string
		id   int64
	)
	if _, err := pgx.ForEachRow(rows, []any{&name, &id}, func() error { ids[name] = id; return nil }); err != nil {
		t.Fatal(err)
	}
	for after := 0; after < len(users); after += 1000 {
		page, err := s.Changes(ctx, tn.ID, int64(after), 1000)
		if err != nil || len(page) != 1000 {
			t.Fatalf("Changes(after %d): got %d entries, %v; want 1000", after, len(page), err)
		}
		for i, c := range page {
			if want := ids[users[after+i].Username]; c.ObjectID != want || c.Op != directory.OpCreate || c.Version != 1 || c.Type != directory.ObjectUser {
				t.Fatalf("change %d: got %+v, want the creation (version 1) of user %d", after+i+1, c, want)
			}
		}
	}
}

// creations returns n change-log entries of users of tenantID created, as
// directory.Service.PrepareImport returns them for CopyUsers.
func creations(tenantID int64, n int) []directory.Change {
	changes := make([]directory.Change, n)
	for i := range changes {
		changes[i] = directory.Change{TenantID: tenantID, Type: directory.ObjectUser, Op: directory.OpCreate, Fields: []string{"username"}, Time: time.Now().UTC()}
	}
	return changes
}
