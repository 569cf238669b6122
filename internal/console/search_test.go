package console_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"testing"

	"github.com/userd/userd/internal/directory"
)

var (
	nextPage = regexp.MustCompile(`<a href="([^"]+)" id="next-page">`)
	userLink = regexp.MustCompile(`<td><a href="/console/users/\d+">([^<]+)</a>`)
)

// TestUsersSearchPages checks that the users page pages through a search
// by following its own next link: every user whose username, email or
// name starts with the query comes once, in the order of the value that
// matched, across pages.
func TestUsersSearchPages(t *testing.T) {
	e := newEnv(t, false)
	var want []string
	for i := range 120 {
		username, email, name := fmt.Sprintf("pager%03d", i), "", ""
		switch i % 3 {
		case 1: // found by its email, which sorts after the usernames
			username, email = fmt.Sprintf("x%03d", i), fmt.Sprintf("pagerz%03d@example.com", i)
		case 2: // found by its name and its username: once
			name = username
		}
		want = append(want, username)
		if _, err := e.Service.CreateUser(context.Background(), e.Principal(), directory.OriginAdmin,
			directory.UserPatch{Username: &username, Email: &email, Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	// Ordered by the matching value: the "pager…" usernames, then the
	// "pagerz…" emails.
	slices.SortStableFunc(want, func(a, b string) int { return boolInt(a[0] == 'x') - boolInt(b[0] == 'x') })

	b := e.browser(t)
	b.signInRoot()
	var got []string
	path := "/console/users?q=PAGER"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatalf("paging did not end after %d pages", pages)
		}
		resp, body := b.get(path)
		wantStatus(t, "GET "+path, resp, 200)
		for _, m := range userLink.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		path = ""
		if m := nextPage.FindStringSubmatch(body); m != nil {
			path = htmlUnescape(m[1])
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("users over all pages of q=PAGER:\ngot  %v\nwant %v", got, want)
	}
}

// TestServerTiming checks that a page and a search fragment say how long
// the console spent on them, for the bench and a browser's network panel.
func TestServerTiming(t *testing.T) {
	e := newEnv(t, false)
	b := e.browser(t)
	b.signInRoot()
	for _, path := range []string{"/console/users", "/console/users?fragment=1&q=a"} {
		resp, _ := b.get(path)
		if got := resp.Header.Get("Server-Timing"); !serverTiming.MatchString(got) {
			t.Errorf("GET %s: Server-Timing %q, want app;dur=<milliseconds>", path, got)
		}
	}
}

var serverTiming = regexp.MustCompile(`^app;dur=\d+\.\d{3}$`)

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
