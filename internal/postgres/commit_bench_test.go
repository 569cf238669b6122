package postgres

import (
	"bytes"
	"context"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/userd/userd/internal/directory"
)

// BenchmarkGroupCommit runs 64 writers updating their own users, as
// bench/ does, and reports how many writes each transaction held
// (writes/commit): how full the group commit's batches are. It also
// reports the CPU time per write of this process (client-µs/write) and of
// the server processes of its connections (server-µs/write), which,
// unlike ns/op, hold still when other work shares the machine; the
// latter only when the server runs on this machine. read-then-update
// reads the user first, as the directory's UpdateUser does;
// read-without-orgs-then-update reads it as UpdateUserWithoutOrgs does
// for a patch that leaves the memberships alone; service-update-with
// writes through the directory's UpdateUserWith, as OneAccess's PUT does.
func BenchmarkGroupCommit(b *testing.B) {
	b.Run("update", func(b *testing.B) { benchmarkWrites(b, updateCity) })
	b.Run("read-then-update", func(b *testing.B) { benchmarkReadThenUpdate(b, directory.WholeUser) })
	b.Run("read-without-orgs-then-update", func(b *testing.B) { benchmarkReadThenUpdate(b, directory.WithoutOrgsView) })
	b.Run("service-update-with", func(b *testing.B) {
		benchmarkWrites(b, func(s *Store, ctx context.Context, u directory.User, city string) (directory.User, error) {
			return directory.NewService(s, nil).UpdateUserWith(ctx, directory.System(u.TenantID), u.ID, func(directory.User) (directory.UserPatch, error) {
				return directory.UserPatch{City: &city}, nil
			})
		})
	})
}

// benchmarkReadThenUpdate is BenchmarkGroupCommit reading each user with
// view before updateCity.
func benchmarkReadThenUpdate(b *testing.B, view directory.UserView) {
	benchmarkWrites(b, func(s *Store, ctx context.Context, u directory.User, city string) (directory.User, error) {
		u, err := s.User(ctx, u.TenantID, u.ID, view)
		if err != nil {
			return directory.User{}, err
		}
		return updateCity(s, ctx, u, city)
	})
}

// updateCity writes u with its city changed to city, as the directory's
// UpdateUser does once it has read u.
func updateCity(s *Store, ctx context.Context, u directory.User, city string) (directory.User, error) {
	u.City = city
	ev := directory.Event{TenantID: u.TenantID, Time: time.Now(), Action: "user.update", ObjectID: strconv.FormatInt(u.ID, 10), Fields: []string{"city"},
		Changes: []directory.Change{{TenantID: u.TenantID, Type: "user", ObjectID: u.ID, Op: "update", Fields: []string{"city"}, Time: time.Now()}}}
	return s.UpdateUser(ctx, u, ev)
}

// benchmarkWrites is BenchmarkGroupCommit changing each user's city to
// city with write, which answers the user as written.
func benchmarkWrites(b *testing.B, write func(s *Store, ctx context.Context, u directory.User, city string) (directory.User, error)) {
	s := openFresh(b)
	_, users := seedUsers(b, s, 6400)
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	var next atomic.Int64
	commits := s.c.commits.Load()
	client, server := processCPU(), backendsCPU(b, s)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 0))
		own := users[next.Add(1)%64*100:][:100]
		for pb.Next() {
			i := r.IntN(len(own))
			updated, err := write(s, b.Context(), own[i], "City "+strconv.Itoa(r.IntN(1_000_000)))
			if err != nil {
				b.Error(err)
				return
			}
			own[i] = updated
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/float64(s.c.commits.Load()-commits), "writes/commit")
	b.ReportMetric(float64((processCPU()-client).Microseconds())/float64(b.N), "client-µs/write")
	if after := backendsCPU(b, s); len(after) > 0 {
		var spent time.Duration
		for pid, cpu := range after {
			spent += cpu - server[pid]
		}
		b.ReportMetric(float64(spent.Microseconds())/float64(b.N), "server-µs/write")
	}
}

// processCPU returns the CPU time this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendsCPU returns, by process id, the CPU time used by the server
// processes of s's database, read from /proc: none when the server runs
// elsewhere.
func backendsCPU(b *testing.B, s *Store) map[int]time.Duration {
	rows, err := s.pool.Query(b.Context(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		b.Fatal(err)
	}
	out := map[int]time.Duration{}
	for _, pid := range pids {
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return nil
		}
		// utime and stime, the 14th and 15th fields, in clock ticks of
		// 10 ms; the name before them, in parentheses, may hold spaces.
		f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		out[pid] = time.Duration(utime+stime) * 10 * time.Millisecond
	}
	return out
}
