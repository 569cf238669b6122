package postgres

import (
	"reflect"
	"strconv"
	"testing"
	"time"

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
			if err := s.CopyUsers(ctx, []directory.User{user(2, tt.email, "")}); err == nil {
				t.Fatalf("CopyUsers of a duplicate email: got no error, want the unique index's")
			}
		}
		copied := user(2, tt.email, tt.externalID)
		if tt.email != "" {
			copied.Email, copied.ExternalID = "copy-"+tt.email, "copy-"+tt.externalID
		}
		if err := s.CopyUsers(ctx, []directory.User{copied}); err != nil {
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
		if err := s.CopyUsers(ctx, []directory.User{user(2, "", "")}); err == nil {
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
	if err := s.CopyUsers(ctx, users); err != nil {
		t.Fatalf("CopyUsers: %v", err)
	}
	if err := s.CopyUsers(ctx, users[:2]); err == nil {
		t.Fatal("CopyUsers of taken usernames: got no error")
	}
	if n, err := s.CountUsers(ctx, tn.ID, directory.UserFilter{}); err != nil || n != int64(len(users)) {
		t.Errorf("CountUsers after COPY = %d, %v; want %d", n, err, len(users))
	}
}
