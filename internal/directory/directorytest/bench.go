package directorytest

import (
	"context"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/directory"
)

// benchUsers is how many users Bench seeds: enough that reads go through a
// B-tree of realistic depth, few enough to seed in a second or two.
const benchUsers = 20_000

// Bench runs the store benchmarks shared by every engine on s, which must
// be empty and migrated: get one user (also from parallel goroutines), get
// 100 by id, list a page of 100 by email prefix (a prefix of 11 users, and
// one of every user from a random position), count and read a random page
// of 100 by page number (of every user, and of an org holding every tenth),
// and update one user (also from 64 parallel writers). The reads of whole
// users also report the CPU time of the process per read (cpu-ns/op): the
// client's share of a read, which ns/op mixes with waiting on the engine.
//
//	func BenchmarkStore(b *testing.B) { directorytest.Bench(b, openBenchStore(b)) }
func Bench(b *testing.B, s directory.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Microsecond)
	tn, err := s.CreateTenant(ctx, directory.Tenant{Name: "bench", CreatedAt: now})
	if err != nil {
		b.Fatal(err)
	}
	org, err := s.CreateOrg(ctx, directory.Org{TenantID: tn.ID, Name: "Tenth", CreatedAt: now, UpdatedAt: now}, directory.Event{TenantID: tn.ID, Time: now, Action: "org.create"})
	if err != nil {
		b.Fatal(err)
	}
	users := make([]directory.User, 0, benchUsers)
	for len(users) < benchUsers {
		batch := make([]directory.User, 1000)
		for i := range batch {
			n := strconv.Itoa(len(users) + i)
			batch[i] = directory.User{TenantID: tn.ID, Username: "user" + n, Name: "User " + n, Email: "user" + n + "@bench.example",
				Phone: "5550100", Active: true, Origin: directory.OriginImport, City: "Springfield",
				Extension: map[string]any{"role_id": 2}, CreatedAt: now, UpdatedAt: now}
			if (len(users)+i)%10 == 0 {
				batch[i].Orgs = []directory.Membership{{OrgID: org.ID, Primary: true}}
			}
		}
		created, err := s.CreateUsers(ctx, batch, directory.Event{TenantID: tn.ID, Time: now, Action: "user.import"})
		if err != nil {
			b.Fatal(err)
		}
		users = append(users, created...)
	}
	r := rand.New(rand.NewPCG(1, 2))
	randomID := func(r *rand.Rand) int64 { return users[r.IntN(len(users))].ID }

	b.Run("User", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			if _, err := s.User(ctx, tn.ID, randomID(r), directory.WholeUser); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	b.Run("User/parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 0))
			for pb.Next() {
				if _, err := s.User(ctx, tn.ID, randomID(r), directory.WholeUser); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("UsersByID/1", func(b *testing.B) {
		// One user through the batch read, which reads no memberships,
		// to compare with User.
		for b.Loop() {
			if _, err := s.UsersByID(ctx, tn.ID, []int64{randomID(r)}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("UsersByID/100", func(b *testing.B) {
		ids := make([]int64, 100)
		for b.Loop() {
			for i := range ids {
				ids[i] = randomID(r)
			}
			if _, err := s.UsersByID(ctx, tn.ID, ids); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListUsers/email-prefix", func(b *testing.B) {
		for b.Loop() {
			// "user1234" matches user1234 and user12340 to user12349.
			prefix := "user" + strconv.Itoa(r.IntN(benchUsers/10))
			if _, err := s.ListUsers(ctx, tn.ID, directory.UserFilter{Email: prefix, Limit: 101}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ListUsers/email-prefix-of-all", func(b *testing.B) {
		// "user" matches every user: a page after a random user must cost
		// no more than a page of a prefix that matches 11.
		cpu := processCPU()
		for b.Loop() {
			after := users[r.IntN(len(users))]
			f := directory.UserFilter{Email: "user", AfterKey: after.Email, AfterID: after.ID, Limit: 101}
			if _, err := s.ListUsers(ctx, tn.ID, f); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
	})
	for _, c := range []struct {
		name  string
		org   int64
		users int
	}{{"UsersByPage/100", 0, benchUsers}, {"UsersByPage/org/100", org.ID, benchUsers / 10}} {
		// OneAccess's ListUsers: the total and a random page of 100 by
		// page number, of every user or of an org holding every tenth.
		b.Run(c.name, func(b *testing.B) {
			cpu := processCPU()
			for b.Loop() {
				f := directory.UserFilter{OrgID: c.org, Offset: r.IntN(c.users/100) * 100, Limit: 100}
				if _, err := s.CountUsers(ctx, tn.ID, f); err != nil {
					b.Fatal(err)
				}
				if _, err := s.ListUsers(ctx, tn.ID, f); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(processCPU()-cpu)/float64(b.N), "cpu-ns/op")
		})
	}
	b.Run("UpdateUser", func(b *testing.B) {
		for b.Loop() {
			i := r.IntN(len(users))
			u := users[i]
			u.City = "City " + strconv.Itoa(r.IntN(1_000_000))
			u.UpdatedAt = now
			updated, err := s.UpdateUser(ctx, u, cityEvent(tn.ID, u.ID, now))
			if err != nil {
				b.Fatal(err)
			}
			users[i] = updated
		}
	})
	b.Run("UpdateUser/parallel", func(b *testing.B) {
		// 64 writers, as many as bench/ runs, each on its own users so no
		// update loses to another on the version.
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			r := rand.New(rand.NewPCG(rand.Uint64(), 0))
			own := users[next.Add(1)%64*int64(len(users))/64:][:len(users)/64]
			for pb.Next() {
				i := r.IntN(len(own))
				u := own[i]
				u.City = "City " + strconv.Itoa(r.IntN(1_000_000))
				updated, err := s.UpdateUser(ctx, u, cityEvent(tn.ID, u.ID, now))
				if err != nil {
					b.Error(err)
					return
				}
				own[i] = updated
			}
		})
	})
}

// cityEvent is the event of an update of a user's city, as the Service
// builds it: the audit record and the change-log entry.
func cityEvent(tenantID, userID int64, now time.Time) directory.Event {
	return directory.Event{TenantID: tenantID, Time: now, Action: "user.update", ObjectID: strconv.FormatInt(userID, 10), Fields: []string{"city"},
		Changes: []directory.Change{{TenantID: tenantID, Type: directory.ObjectUser, ObjectID: userID, Op: directory.OpUpdate, Fields: []string{"city"}, Time: now}}}
}
