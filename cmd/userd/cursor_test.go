package main

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/userd/userd/internal/postgres/pgtest"
)

// TestCursorsAcrossEngines pages through users ordered by email on each
// engine: the pages hold every user once, in order; no cursor shows an
// email, as text or decoded from base64; an altered cursor answers 400
// naming cursor; and a cursor still works after a restart, since its key
// comes from the installation secret in the database.
func TestCursorsAcrossEngines(t *testing.T) {
	for name, newDB := range pgtest.Engines() {
		t.Run(name, func(t *testing.T) {
			db := newDB(t)
			s := startServer(t, db)
			admin := map[string]string{"Authorization": "Bearer " + accessToken(t, s), "Content-Type": jsonType}
			emails := []string{"page.four@example.com", "page.one@example.com", "page.three@example.com", "page.two@example.com", "page.zero@example.com"}
			for i, email := range []string{emails[1], emails[4], emails[3], emails[0], emails[2]} {
				call(t, "POST", s.base+"/admin/v1/users", admin, `{"username":"pager`+string(rune('a'+i))+`","email":"`+email+`"}`, 201, nil)
			}
			var got, cursors []string
			target := s.base + "/admin/v1/users?email=PAGE&limit=2"
			for page := 1; page <= 3; page++ {
				var body struct {
					Users      []struct{ Email string }
					NextCursor *string `json:"next_cursor"`
				}
				call(t, "GET", target, admin, "", 200, &body)
				for _, u := range body.Users {
					got = append(got, u.Email)
				}
				if body.NextCursor == nil {
					break
				}
				cursors = append(cursors, *body.NextCursor)
				target = s.base + "/admin/v1/users?email=PAGE&limit=2&cursor=" + *body.NextCursor
			}
			if strings.Join(got, " ") != strings.Join(emails, " ") {
				t.Errorf("emails across pages: got %v, want %v", got, emails)
			}
			if len(cursors) != 2 {
				t.Fatalf("got %d cursors, want 2", len(cursors))
			}
			for _, c := range cursors {
				decoded, _ := base64.RawURLEncoding.DecodeString(c)
				for _, email := range emails {
					local := strings.Split(email, "@")[0]
					if strings.Contains(c, local) || bytes.Contains(decoded, []byte(local)) || bytes.Contains(decoded, []byte("example.com")) {
						t.Errorf("cursor %s shows an email", c)
					}
				}
			}

			c := cursors[0]
			swap := "A"
			if c[30] == 'A' {
				swap = "B"
			}
			status, body := send(t, "GET", s.base+"/admin/v1/users?email=PAGE&limit=2&cursor="+c[:30]+swap+c[31:], admin, "")
			if status != 400 || !strings.Contains(body, `"field":"cursor"`) {
				t.Errorf("altered cursor: got %d %s, want 400 naming cursor", status, body)
			}

			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			s = startServer(t, db)
			var page struct {
				Users []struct{ Email string }
			}
			call(t, "GET", s.base+"/admin/v1/users?email=PAGE&limit=2&cursor="+cursors[1], admin, "", 200, &page)
			if len(page.Users) != 1 || page.Users[0].Email != emails[4] {
				t.Errorf("last page after a restart: got %+v, want %s", page.Users, emails[4])
			}
		})
	}
}
