package postgres

import (
	"context"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
)

// BenchmarkPasswordCheck runs 64 callers of the password check
// (Service.Authenticate, right passwords of 64 users) against 64 callers of
// a bare verification through the same kind of Hasher, one hashing slot per
// CPU, as bench/'s password-check and argon2id-ceiling paths do without
// HTTP. Beside ns/op, which a shared machine's other work moves, it
// reports the CPU time per check of this process (cpu-ms/op) and of the
// server processes of its connections (server-µs/op), and how busy the
// hashing slots were (slots-busy-%: the hashes in flight, sampled every
// millisecond, as a share of the slots); a check that cost only its hash
// would show the bare verification's numbers. authenticate-without-hash
// is the check with a verifier that does not hash: its CPU beside the
// hash, exactly.
//
//	USERD_TEST_POSTGRES_URL=postgres://... go test -run '^$' -bench PasswordCheck -benchtime 400x ./internal/postgres/
func BenchmarkPasswordCheck(b *testing.B) {
	s := openFresh(b)
	slots := runtime.NumCPU()
	h, err := auth.NewHasher(auth.HashParams{}, slots)
	if err != nil {
		b.Fatal(err)
	}
	const password = "bench password check"
	hash, err := h.HashPassword(b.Context(), password)
	if err != nil {
		b.Fatal(err)
	}
	tenant, users := seedUsers(b, s, 64)
	for i := range users {
		users[i].PasswordHash, users[i].Active = hash, true
		ev := directory.Event{TenantID: tenant.ID, Time: time.Now(), Action: "user.update", ObjectID: strconv.FormatInt(users[i].ID, 10), Fields: []string{"password", "active"}}
		if users[i], err = s.UpdateUser(b.Context(), users[i], ev); err != nil {
			b.Fatal(err)
		}
	}
	svc := directory.NewService(s, h)
	checker := directory.Principal{TenantID: tenant.ID, Scopes: directory.Scopes{directory.ScopeUsersAuthenticate}, Actor: "client:bench"}
	ctx := directory.WithTenant(context.Background(), tenant.ID)
	run := func(b *testing.B, check func(i int) error) {
		b.SetParallelism(max(1, 64/runtime.GOMAXPROCS(0)))
		var busy, samples atomic.Int64
		stop := make(chan struct{})
		var watch sync.WaitGroup
		watch.Go(func() {
			t := time.NewTicker(time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-stop:
					return
				case <-t.C:
					busy.Add(int64(h.InFlight()))
					samples.Add(1)
				}
			}
		})
		var next atomic.Int64
		client, server := processCPU(), backendsCPU(b, s)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := int(next.Add(1))
			for pb.Next() {
				if err := check(i % len(users)); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.StopTimer()
		close(stop)
		watch.Wait()
		b.ReportMetric(float64((processCPU()-client).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		if after := backendsCPU(b, s); len(after) > 0 {
			var spent time.Duration
			for pid, cpu := range after {
				spent += cpu - server[pid]
			}
			b.ReportMetric(float64(spent.Microseconds())/float64(b.N), "server-µs/op")
		}
		if n := samples.Load(); n > 0 {
			b.ReportMetric(100*float64(busy.Load())/float64(n*int64(slots)), "slots-busy-%")
		}
	}
	b.Run("bare", func(b *testing.B) {
		run(b, func(int) error {
			_, err := h.VerifyPassword(ctx, password, hash)
			return err
		})
	})
	b.Run("authenticate", func(b *testing.B) {
		run(b, func(i int) error {
			_, err := svc.Authenticate(ctx, checker, users[i].Username, password, "198.51.100.7")
			return err
		})
	})
	// The check without its hash: what it costs beside the hash, which the
	// hash's own variation hides in the run above.
	unhashed := directory.NewService(s, noHash{})
	b.Run("authenticate-without-hash", func(b *testing.B) {
		run(b, func(i int) error {
			_, err := unhashed.Authenticate(ctx, checker, users[i].Username, password, "198.51.100.7")
			return err
		})
	})
}

// noHash verifies a password by comparing it with the stored hash of the
// seeded users, without hashing.
type noHash struct{}

func (noHash) HashPassword(context.Context, string) (string, error) { return "", nil }

func (noHash) VerifyPassword(_ context.Context, password, hash string) (bool, error) {
	return strings.HasPrefix(hash, "$argon2id$") && password != "", nil
}
