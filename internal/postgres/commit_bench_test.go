package postgres

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// BenchmarkGroupCommit runs 64 writers updating their own users, as
// bench/ does, and reports how many writes each transaction held
// (writes/commit): how full the group commit's batches are.
func BenchmarkGroupCommit(b *testing.B) {
	s := openFresh(b)
	tenant, users := seedUsers(b, s, 6400)
	b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
	var next atomic.Int64
	commits := s.c.commits.Load()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := rand.New(rand.NewPCG(rand.Uint64(), 0))
		own := users[next.Add(1)%64*100:][:100]
		for pb.Next() {
			i := r.IntN(len(own))
			u := own[i]
			u.City = "City " + strconv.Itoa(r.IntN(1_000_000))
			ev := directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", ObjectID: strconv.FormatInt(u.ID, 10), Fields: []string{"city"},
				Changes: []directory.Change{{TenantID: tenant.ID, Type: "user", ObjectID: u.ID, Op: "update", Fields: []string{"city"}, Time: time.Now()}}}
			updated, err := s.UpdateUser(b.Context(), u, ev)
			if err != nil {
				b.Error(err)
				return
			}
			own[i] = updated
		}
	})
	b.ReportMetric(float64(b.N)/float64(s.c.commits.Load()-commits), "writes/commit")
}
