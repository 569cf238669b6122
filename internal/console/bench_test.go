//go:build unix

package console_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/console"
	"github.com/userd/userd/internal/dialecttest"
	"github.com/userd/userd/internal/directory"
)

// benchConsole seeds n users shaped as bench's (user00001234,
// "User 1234", user00001234@bench.example) and an administrator, and
// returns the console, the cookie of the administrator's session and the
// URL of the PostgreSQL database ("" on SQLite).
func benchConsole(b *testing.B, n int) (http.Handler, string, string) {
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
	return console.New(e.Deps()), "userd_console=" + benchAdmin(b, e).Reveal(), e.DatabaseURL
}

// benchAdmin creates a console administrator in e and signs it in, and
// returns its session's secret.
func benchAdmin(b *testing.B, e *dialecttest.Env) directory.SessionSecret {
	b.Helper()
	ctx := context.Background()
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
	return secret
}

// benchPage serves target(i) to the console b.N times as the signed-in
// administrator, each answer checked to be 200. Besides ns/op (wall time,
// which a busy machine inflates) it reports cpu-ns/op: the CPU time the
// whole process spent per page, SQLite and the garbage collector included;
// and on PostgreSQL (dbURL set) db-cpu-ns/op, the CPU time the database's
// server processes spent per page.
func benchPage(b *testing.B, h http.Handler, cookie, dbURL string, target func(i int) string) {
	b.Helper()
	b.ReportAllocs()
	defer measureCPU(b, dbURL)()
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
		h, cookie, dbURL := benchConsole(b, 20000)
		benchPage(b, h, cookie, dbURL, func(int) string { return "/console/users" })
	})
}

// BenchmarkSearch is bench's console-search: the rows the search box
// fetches for a prefix of 5 of the 8 digits, which 1,000 users match, on
// each engine.
func BenchmarkSearch(b *testing.B) {
	dialecttest.BenchOnEngines(b, func(b *testing.B) {
		const n = 20000
		h, cookie, dbURL := benchConsole(b, n)
		benchPage(b, h, cookie, dbURL, func(i int) string {
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
		secret := benchAdmin(b, e)
		b.ReportAllocs()
		defer measureCPU(b, e.DatabaseURL)()
		for i := 0; i < b.N; i++ {
			if _, err := e.Service.Session(ctx, secret, "203.0.113.9"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// measureCPU resets b's timer and returns the function that, called when
// b's loop is done, reports cpu-ns/op (this process) and, when dbURL is
// set, db-cpu-ns/op (the server processes of that PostgreSQL database).
func measureCPU(b *testing.B, dbURL string) func() {
	b.Helper()
	dbBegan := databaseCPU(b, dbURL)
	b.ResetTimer()
	began := processCPU(b)
	return func() {
		b.ReportMetric(float64(processCPU(b)-began)/float64(b.N), "cpu-ns/op")
		if dbURL == "" {
			return
		}
		var spent time.Duration
		for pid, t := range databaseCPU(b, dbURL) {
			spent += t - dbBegan[pid]
		}
		b.ReportMetric(float64(spent)/float64(b.N), "db-cpu-ns/op")
	}
}

// databaseCPU returns the CPU time, user and system, each server process
// of the PostgreSQL database at dbURL has used, by process id, but that of
// the connection asking. The server must run on this machine.
func databaseCPU(b *testing.B, dbURL string) map[int]time.Duration {
	b.Helper()
	if dbURL == "" {
		return nil
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		b.Fatalf("connect to read the database's processes: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`)
	if err != nil {
		b.Fatalf("list the database's processes: %v", err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		b.Fatalf("list the database's processes: %v", err)
	}
	cpu := make(map[int]time.Duration, len(pids))
	for _, pid := range pids {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			b.Fatalf("the database's server process %d is not on this machine: %v", pid, err)
		}
		// Fields 14 and 15, after the command in parentheses: user and
		// system time in clock ticks of 1/100 s.
		fields := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		utime, _ := strconv.ParseInt(fields[11], 10, 64)
		stime, _ := strconv.ParseInt(fields[12], 10, 64)
		cpu[pid] = time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return cpu
}

// processCPU is the CPU time, user and system, the process has used.
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatalf("getrusage: %v", err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
