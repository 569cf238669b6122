package scim_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/userd/userd/internal/admin"
	"github.com/userd/userd/internal/directory"
)

// benchUsers seeds n ordinary users (user00000000…) into tenant acme.
func benchUsers(b *testing.B, n int) http.Handler {
	b.Helper()
	e := newEnv(b)
	for start := 0; start < n; start += 5000 {
		patches := make([]directory.UserPatch, 0, 5000)
		for i := start; i < min(n, start+5000); i++ {
			name, email := fmt.Sprintf("user%08d", i), fmt.Sprintf("user%08d@example.com", i)
			patches = append(patches, directory.UserPatch{Username: &name, Email: &email})
		}
		if _, err := e.Service.ImportUsers(context.Background(), e.Principal(), patches); err != nil {
			b.Fatal(err)
		}
	}
	h := handler(e)
	mux := http.NewServeMux()
	mux.Handle("/scim/", h)
	admin.Routes(mux, e.Deps())
	auth := "Bearer " + e.Credentials["scim"]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Header.Set("Authorization", auth)
		mux.ServeHTTP(w, r)
	})
}

func benchGet(b *testing.B, h http.Handler, target func(i int) string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", target(i), nil))
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target(i), w.Code, w.Body)
		}
	}
}

// BenchmarkAdminGet is bench's admin-get, the reference the SCIM lookup
// is held to (within 1.5 times its cost).
func BenchmarkAdminGet(b *testing.B) {
	const n = 20000
	h := benchUsers(b, n)
	benchGet(b, h, func(i int) string { return "/admin/v1/users/" + strconv.Itoa(2+i*7919%n) })
}

// BenchmarkFilterUsername is bench's scim-filter-username: the lookup
// Entra ID and Okta make before each change.
func BenchmarkFilterUsername(b *testing.B) {
	const n = 20000
	h := benchUsers(b, n)
	benchGet(b, h, func(i int) string {
		return "/scim/v2/Users?filter=" + url.QueryEscape(fmt.Sprintf(`userName eq "user%08d"`, i*7919%n))
	})
}

// BenchmarkFilterPage100 is bench's scim-filter-page100: a page of 100 of
// the 1,000 users a prefix matches, with totalResults.
func BenchmarkFilterPage100(b *testing.B) {
	const n = 20000
	h := benchUsers(b, n)
	benchGet(b, h, func(i int) string {
		return "/scim/v2/Users?count=100&filter=" + url.QueryEscape(fmt.Sprintf(`userName sw "user%05d"`, i*31%(n/1000)))
	})
}
