package directory_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/userd/userd/internal/auth"
	"github.com/userd/userd/internal/directory"
	"github.com/userd/userd/internal/sqlite"
)

// percentile returns the q-th percentile (nearest rank) of ds.
func percentile(ds []time.Duration, q int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max((len(s)*q+99)/100-1, 0)]
}

// timedHasher records how long the last verification took.
type timedHasher struct {
	*auth.Hasher
	last time.Duration
}

func (h *timedHasher) VerifyPassword(ctx context.Context, password, hash string) (bool, error) {
	start := time.Now()
	ok, err := h.Hasher.VerifyPassword(ctx, password, hash)
	h.last = time.Since(start)
	return ok, err
}

// BenchmarkSignInVsArgon2id measures a whole console sign-in (user lookup,
// argon2id verification through the hasher's queue, role, session row and
// its audit event, on SQLite) against a bare argon2id hash at the same
// parameters, one at a time, and reports both p50s and p99s, the p99
// ratio (issue 15 asks for at most 1.2), and the time a sign-in spends
// outside its verification (overhead), which a loaded machine's
// scheduling noise hardly touches.
//
//	go test -run '^$' -bench SignInVsArgon2id -benchtime 200x ./internal/directory/
func BenchmarkSignInVsArgon2id(b *testing.B) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "b.db"), sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	params := auth.MinHashParams
	ah, err := auth.NewHasher(params, 1)
	if err != nil {
		b.Fatal(err)
	}
	h := &timedHasher{Hasher: ah}
	svc := directory.NewService(st, h)
	tn, err := svc.CreateTenant(ctx, directory.DefaultTenant)
	if err != nil {
		b.Fatal(err)
	}
	p := directory.System(tn.ID)
	name, pw := "ada", "correct horse battery"
	u, err := svc.CreateUser(ctx, p, directory.OriginCLI, directory.UserPatch{Username: &name, Password: &pw})
	if err != nil {
		b.Fatal(err)
	}
	if err := svc.SetConsoleRole(ctx, p, u.ID, directory.RoleAdmin); err != nil {
		b.Fatal(err)
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	bare := make([]time.Duration, 0, b.N)
	signIn := make([]time.Duration, 0, b.N)
	overhead := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		argon2.IDKey([]byte(pw), salt, params.Time, params.Memory, params.Threads, 32)
		bare = append(bare, time.Since(start))
		start = time.Now()
		if _, _, err := svc.SignIn(ctx, "", name, pw, "127.0.0.1"); err != nil {
			b.Fatal(err)
		}
		signIn = append(signIn, time.Since(start))
		overhead = append(overhead, signIn[len(signIn)-1]-h.last)
	}
	b.StopTimer()
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(percentile(bare, 50)), "bare-p50-ms")
	b.ReportMetric(ms(percentile(signIn, 50)), "signin-p50-ms")
	b.ReportMetric(ms(percentile(bare, 99)), "bare-p99-ms")
	b.ReportMetric(ms(percentile(signIn, 99)), "signin-p99-ms")
	b.ReportMetric(float64(percentile(signIn, 99))/float64(percentile(bare, 99)), "p99-ratio")
	b.ReportMetric(ms(percentile(overhead, 50)), "overhead-p50-ms")
	b.ReportMetric(ms(percentile(overhead, 99)), "overhead-p99-ms")
}

// TestAuthenticateHoldsTheHashBound sends 64 concurrent password checks
// through a hasher that runs 2 hashes at once: never more than 2 run, all
// 64 are answered, and the heap grows by a few hashes' memory, not 64.
func TestAuthenticateHoldsTheHashBound(t *testing.T) {
	if testing.Short() {
		t.Skip("64 argon2id hashes")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	const slots, callers = 2, 64
	h, err := auth.NewHasher(auth.HashParams{}, slots)
	if err != nil {
		t.Fatal(err)
	}
	svc := directory.NewService(st, h)
	svc.SetSignInLimits(directory.SignInLimits{MaxAddressFailures: 1000, MaxAccountFailures: 1000})
	tn, err := svc.CreateTenant(ctx, directory.DefaultTenant)
	if err != nil {
		t.Fatal(err)
	}
	p := directory.System(tn.ID)
	name, pw := "ada", "correct horse battery"
	if _, err := svc.CreateUser(ctx, p, directory.OriginCLI, directory.UserPatch{Username: &name, Password: &pw}); err != nil {
		t.Fatal(err)
	}
	checker := directory.Principal{TenantID: tn.ID, Scopes: directory.Scopes{directory.ScopeUsersAuthenticate}, Actor: "client:bench"}

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peakInFlight atomic.Int64
	var peakHeap atomic.Uint64
	stop := make(chan struct{})
	var watch sync.WaitGroup
	watch.Go(func() {
		var ms runtime.MemStats
		for {
			if n := int64(h.InFlight()); n > peakInFlight.Load() {
				peakInFlight.Store(n)
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peakHeap.Load() {
				peakHeap.Store(ms.HeapInuse)
			}
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	})
	start := time.Now()
	var wg sync.WaitGroup
	var ok, failed atomic.Int64
	for i := range callers {
		wg.Go(func() {
			password := pw
			if i%2 == 1 {
				password = "wrong password"
			}
			_, err := svc.Authenticate(ctx, checker, name, password, "198.51.100.1")
			switch {
			case err == nil:
				ok.Add(1)
			case directory.KindOf(err) == directory.Unauthenticated:
				failed.Add(1)
			default:
				t.Errorf("Authenticate: %v", err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(stop)
	watch.Wait()
	if ok.Load() != callers/2 || failed.Load() != callers/2 {
		t.Errorf("answers: got %d right and %d wrong, want %d each", ok.Load(), failed.Load(), callers/2)
	}
	if got := peakInFlight.Load(); got > slots {
		t.Errorf("hashes running at once: got %d, want at most %d", got, slots)
	}
	growth := int64(peakHeap.Load()) - int64(before.HeapInuse)
	perHash := int64(auth.MinHashParams.Memory) << 10
	// Unbounded, 64 hashes would hold 64 × 19 MiB at once; the bound
	// allows the running ones plus garbage not yet collected.
	if growth > 16*perHash {
		t.Errorf("heap grew by %d MiB, want at most %d MiB (16 hashes' memory)", growth>>20, 16*perHash>>20)
	}
	t.Logf("%d concurrent checks, %d hash slots: %v in all, peak %d hashes at once, heap growth %d MiB (one hash holds %d MiB)",
		callers, slots, elapsed.Round(time.Millisecond), peakInFlight.Load(), growth>>20, perHash>>20)
}
