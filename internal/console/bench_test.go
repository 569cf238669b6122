//go:build unix

package console_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/userd/userd/internal/console"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// benchConsole seeds n users shaped as bench's (user00001234,
// "User 1234", user00001234@bench.example) and an administrator, and
// returns the console and the cookie of the administrator's session.
func benchConsole(b *testing.B, n int) (http.Handler, string) {
	b.Helper()
	ctx := context.Background()
	e := dialecttest.New(b)
	for start := 0; start < n; start += 5000 {
		patches := make([]directory.UserPatch, 0, 5000)
		for i := start; i < min(n, start+5000); i++ {
			username, name, email := fmt.Sprintf("user%08d", i), "User "+strconv.Itoa(i), fmt.Sprintf("user%08d@bench.example", i)
			patches = append(patches, directory.UserPatch{Username: &username, Name: &name, Email: &email})
		}
		if _, err := e.Service.ImportUsers(ctx, e.Principal(), patches); err != nil {
			b.Fatal(err)
		}
	}
	name, password := "bench-admin", "bench admin password"
	u, err := e.Service.CreateUser(ctx, e.Principal(), directory.OriginAdmin, directory.UserPatch{Username: &name, Password: &password})
	if err != nil {
		b.Fatal(err)
	}
	if err := e.Service.SetConsoleRole(ctx, e.Principal(), u.ID, directory.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	_, secret, err := e.Service.SignIn(ctx, "acme", name, password, "203.0.113.9")
	if err != nil {
		b.Fatal(err)
	}
	return console.New(e.Deps()), "userd_console=" + secret.Reveal()
}

// benchPage serves target(i) to the console b.N times as the signed-in
// administrator, each answer checked to be 200. Besides ns/op (wall time,
// which a busy machine inflates) it reports cpu-ns/op: the CPU time the
// whole process spent per page, SQLite and the garbage collector included.
func benchPage(b *testing.B, h http.Handler, cookie string, target func(i int) string) {
	b.Helper()
	b.ReportAllocs()
	b.ResetTimer()
	began := processCPU(b)
	defer func() { b.ReportMetric(float64(processCPU(b)-began)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		w := httptest.NewRecorder()
		r := httptest.NewRequest("GET", target(i), nil)
		r.RemoteAddr = "203.0.113.9:1234"
		r.Header.Set("Cookie", cookie)
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("%s: %d %s", target(i), w.Code, w.Body)
		}
	}
}

// BenchmarkUsersPage is bench's console-users: the users page, 50 rows,
// no search, as an administrator first sees it, on each engine.
func BenchmarkUsersPage(b *testing.B) {
	dialecttest.BenchOnEngines(b, func(b *testing.B) {
		h, cookie := benchConsole(b, 20000)
		benchPage(b, h, cookie, func(int) string { return "/console/users" })
	})
}

// BenchmarkSearch is bench's console-search: the rows the search box
// fetches for a prefix of 5 of the 8 digits, which 1,000 users match, on
// each engine.
func BenchmarkSearch(b *testing.B) {
	dialecttest.BenchOnEngines(b, func(b *testing.B) {
		const n = 20000
		h, cookie := benchConsole(b, n)
		benchPage(b, h, cookie, func(i int) string {
			return fmt.Sprintf("/console/users?fragment=1&q=user%08d", i*7919%n)[:len("/console/users?fragment=1&q=user")+5]
		})
	})
}

// BenchmarkSessionCheck is what every console request does before its
// page: Service.Session for the cookie's secret, on each engine.
func BenchmarkSessionCheck(b *testing.B) {
	dialecttest.BenchOnEngines(b, func(b *testing.B) {
		ctx := context.Background()
		e := dialecttest.New(b)
		name, password := "bench-admin", "bench admin password"
		u, err := e.Service.CreateUser(ctx, e.Principal(), directory.OriginAdmin, directory.UserPatch{Username: &name, Password: &password})
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Service.SetConsoleRole(ctx, e.Principal(), u.ID, directory.RoleAdmin); err != nil {
			b.Fatal(err)
		}
		_, secret, err := e.Service.SignIn(ctx, "acme", name, password, "203.0.113.9")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.ResetTimer()
		began := processCPU(b)
		for i := 0; i < b.N; i++ {
			if _, err := e.Service.Session(ctx, secret, "203.0.113.9"); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU(b)-began)/float64(b.N), "cpu-ns/op")
	})
}

// processCPU is the CPU time, user and system, the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
