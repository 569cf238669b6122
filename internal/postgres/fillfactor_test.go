package postgres

import (
	"strconv"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// TestUpdateStaysOnItsPage checks that the users table leaves room on its
// pages (migration 00012), as COPY fills them: an update that changes no
// indexed column keeps the row on its page, a HOT update, even on pages
// loaded by CopyUsers, the bench's seeding path. On full pages the new
// version went to another page and every index of users got an entry.
func TestUpdateStaysOnItsPage(t *testing.T) {
	s := openFresh(t)
	ctx := t.Context()
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "pages", CreatedAt: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	users := make([]directory.User, 2000)
	for i := range users {
		name := "user" + strconv.Itoa(i)
		users[i] = directory.User{TenantID: tn.ID, Username: name, Name: "User " + name, Email: name + "@example.com",
			Active: true, Origin: directory.OriginImport, City: "Old", CreatedAt: now, UpdatedAt: now}
	}
	if err := s.CopyUsers(ctx, users, creations(tn.ID, len(users))); err != nil {
		t.Fatalf("CopyUsers: %v", err)
	}
	// The first user of each page, by where it is before the update.
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT ON ((ctid::text::point)[0]) id, (ctid::text::point)[0]::bigint
		FROM users WHERE tenant_id = $1 ORDER BY (ctid::text::point)[0], id`, tn.ID)
	if err != nil {
		t.Fatal(err)
	}
	page := map[int64]int64{}
	for rows.Next() {
		var id, block int64
		if err := rows.Scan(&id, &block); err != nil {
			t.Fatal(err)
		}
		page[id] = block
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(page) < 10 {
		t.Fatalf("%d users filled %d pages; want at least 10 pages", len(users), len(page))
	}
	for id := range page {
		u, err := s.User(ctx, tn.ID, id, directory.WholeUser)
		if err != nil {
			t.Fatal(err)
		}
		u.City, u.UpdatedAt = "New", now.Add(time.Second)
		ev := directory.Event{TenantID: tn.ID, Time: u.UpdatedAt, Action: "user.update", ObjectID: strconv.FormatInt(id, 10), Fields: []string{"city"}}
		if _, err := s.UpdateUser(ctx, u, ev); err != nil {
			t.Fatalf("UpdateUser: %v", err)
		}
	}
	moved := 0
	for id, block := range page {
		var after int64
		if err := s.pool.QueryRow(ctx, `SELECT (ctid::text::point)[0]::bigint FROM users WHERE tenant_id = $1 AND id = $2`, tn.ID, id).Scan(&after); err != nil {
			t.Fatal(err)
		}
		if after != block {
			moved++
		}
	}
	if moved > 0 {
		t.Errorf("%d of %d updated users moved to another page; want every update on its own page (fillfactor)", moved, len(page))
	}
}
