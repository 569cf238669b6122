package sqlite

import (
	"strings"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestReadUserColumnOfWrongType: a value the schema does not allow, written
// by something other than userd, makes the read fail with an error naming
// the user rather than read as a zero.
func TestReadUserColumnOfWrongType(t *testing.T) {
	s := openTest(t, Options{})
	ctx := t.Context()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tenant, err := s.CreateTenant(ctx, directory.Tenant{Name: "acme", CreatedAt: now})
	if err != nil {
		t.Fatalf("CreateTenant: %v", err)
	}
	u, err := s.CreateUser(ctx, directory.User{TenantID: tenant.ID, Username: "ada", Grade: 3, CreatedAt: now, UpdatedAt: now},
		directory.Event{TenantID: tenant.ID, Time: now, Action: "user.create"})
	if err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	if _, err := s.w.ExecContext(ctx, `UPDATE users SET grade = 'high', city = x'610062' WHERE id = ?`, u.ID); err != nil {
		t.Fatalf("update grade: %v", err)
	}
	_, err = s.User(ctx, tenant.ID, u.ID, directory.WholeUser)
	if err == nil || !strings.Contains(err.Error(), "column 6 holds a string") {
		t.Errorf("User: got %v, want an error about column 6, the grade", err)
	}
	// UsersByID reads no grade, but reads the city, a blob holding a NUL,
	// among its texts joined by NULs.
	if _, err := s.UsersByID(ctx, tenant.ID, []int64{u.ID}); err == nil || !strings.Contains(err.Error(), "joined texts hold more than 11 values") {
		t.Errorf("UsersByID: got %v, want an error about the joined texts", err)
	}
}
