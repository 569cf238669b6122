package auth

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/userd/userd/internal/directory"
)

func newTestHasher(t *testing.T, params HashParams, maxConcurrent int) *Hasher {
	t.Helper()
	h, err := NewHasher(params, maxConcurrent)
	if err != nil {
		t.Fatalf("NewHasher: %v", err)
	}
	return h
}

func TestHashPasswordPHCFormat(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 0)
	phc, err := h.HashPassword(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	re := regexp.MustCompile(`^\$argon2id\$v=19\$m=19456,t=2,p=1\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$`)
	m := re.FindStringSubmatch(phc)
	if m == nil {
		t.Fatalf("got %q, want $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", phc)
	}
	for i, want := range []int{saltLen, keyLen} {
		b, err := base64.RawStdEncoding.DecodeString(m[i+1])
		if err != nil || len(b) != want {
			t.Errorf("part %d: got %d bytes (err %v), want %d", i, len(b), err, want)
		}
	}
	again, err := h.HashPassword(context.Background(), "correct horse battery")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	if again == phc {
		t.Errorf("two hashes of one password are equal; want distinct salts")
	}
}

func TestNewHasherParams(t *testing.T) {
	tests := []struct {
		name    string
		params  HashParams
		want    HashParams
		wantErr bool
	}{
		{"zero takes defaults", HashParams{}, MinHashParams, false},
		{"stronger kept", HashParams{Memory: 65536, Time: 3, Threads: 4}, HashParams{65536, 3, 4}, false},
		{"partial zero", HashParams{Time: 4}, HashParams{19456, 4, 1}, false},
		{"memory too low", HashParams{Memory: 4096}, HashParams{}, true},
		{"time too low", HashParams{Memory: 19456, Time: 1, Threads: 1}, HashParams{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHasher(tt.params, 1)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), "below the minimum") {
					t.Fatalf("got error %v, want one saying the parameters are below the minimum", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewHasher: %v", err)
			}
			if h.params != tt.want {
				t.Errorf("got %+v, want %+v", h.params, tt.want)
			}
		})
	}
}

func TestVerifyPassword(t *testing.T) {
	ctx := context.Background()
	h := newTestHasher(t, HashParams{}, 0)
	phc, err := h.HashPassword(ctx, "s3cret-password")
	if err != nil {
		t.Fatalf("HashPassword: %v", err)
	}
	// A hash made elsewhere with other parameters: VerifyPassword must read
	// m, t and p from the string, not use the Hasher's own.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("other-password"), salt, 3, 20480, 2, 24)
	foreign := "$argon2id$v=19$m=20480,t=3,p=2$" + base64.RawStdEncoding.EncodeToString(salt) + "$" + base64.RawStdEncoding.EncodeToString(key)

	tests := []struct {
		name     string
		password string
		phc      string
		want     bool
	}{
		{"right password", "s3cret-password", phc, true},
		{"wrong password", "s3cret-passwore", phc, false},
		{"empty password", "", phc, false},
		{"parameters from the string", "other-password", foreign, true},
		{"parameters from the string, wrong password", "s3cret-password", foreign, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := h.VerifyPassword(ctx, tt.password, tt.phc)
			if err != nil {
				t.Fatalf("VerifyPassword: %v", err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestVerifyPasswordMalformed(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 0)
	salt := base64.RawStdEncoding.EncodeToString([]byte("0123456789abcdef"))
	key := base64.RawStdEncoding.EncodeToString(make([]byte, 32))
	for _, phc := range []string{
		"",
		"plaintext",
		"$argon2i$v=19$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=16$m=19456,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=0,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=0$" + salt + "$" + key,
		"$argon2id$v=19$m=99999999,t=2,p=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1,x=1$" + salt + "$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$",     // an empty hash would match anything
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$AAAA", // too short to mean anything
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "==$" + key,
		"$argon2id$v=19$m=19456,t=2,p=1$" + salt + "$" + key + "$",
	} {
		t.Run(phc, func(t *testing.T) {
			ok, err := h.VerifyPassword(context.Background(), "whatever", phc)
			if err == nil || ok {
				t.Errorf("got (%v, %v), want (false, error)", ok, err)
			}
		})
	}
}

// TestHasherConcurrencyBound runs many hashes at once and checks that no
// more than the bound ever derive a key at the same time.
func TestHasherConcurrencyBound(t *testing.T) {
	const bound, callers = 3, 20
	h := newTestHasher(t, HashParams{}, bound)
	var inFlight, maxInFlight atomic.Int32
	h.derive = func(password, salt []byte, time_, memory uint32, threads uint8, n uint32) []byte {
		cur := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			old := maxInFlight.Load()
			if cur <= old || maxInFlight.CompareAndSwap(old, cur) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		return make([]byte, n)
	}
	var wg sync.WaitGroup
	for range callers {
		wg.Go(func() {
			if _, err := h.HashPassword(context.Background(), "password"); err != nil {
				t.Errorf("HashPassword: %v", err)
			}
		})
	}
	wg.Wait()
	if got := maxInFlight.Load(); got != bound {
		t.Errorf("got at most %d hashes in flight, want exactly %d", got, bound)
	}
}

// TestHasherQueuedCancel fills every slot and checks that a queued hash
// gives up with Unavailable when its context ends.
func TestHasherQueuedCancel(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 1)
	release := make(chan struct{})
	started := make(chan struct{})
	h.derive = func(password, salt []byte, time_, memory uint32, threads uint8, n uint32) []byte {
		close(started)
		<-release
		return make([]byte, n)
	}
	done := make(chan error, 1)
	go func() {
		_, err := h.HashPassword(context.Background(), "holds the only slot")
		done <- err
	}()
	<-started

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := h.HashPassword(ctx, "queued")
	if got := directory.KindOf(err); got != directory.Unavailable {
		t.Errorf("got kind %v (%v), want unavailable", got, err)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("got %v, want it to wrap context.DeadlineExceeded", err)
	}
	if e := directory.AsError(err); !strings.Contains(e.Message, "busy") {
		t.Errorf("got message %q, want it to say the server is busy", e.Message)
	}
	close(release)
	if err := <-done; err != nil {
		t.Errorf("slot holder: %v", err)
	}
}

// TestHasherCounts checks InFlight and Queued while one hash holds the only
// slot and another waits for it, and after both finish.
func TestHasherCounts(t *testing.T) {
	h := newTestHasher(t, HashParams{}, 1)
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	h.derive = func(password, salt []byte, time_, memory uint32, threads uint8, n uint32) []byte {
		started <- struct{}{}
		<-release
		return make([]byte, n)
	}
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			if _, err := h.HashPassword(context.Background(), "password"); err != nil {
				t.Errorf("HashPassword: %v", err)
			}
		})
	}
	<-started
	for deadline := time.Now().Add(5 * time.Second); h.Queued() != 1 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	if got, want := [2]int{h.InFlight(), h.Queued()}, [2]int{1, 1}; got != want {
		t.Errorf("got [in flight, queued] %v, want %v", got, want)
	}
	close(release)
	wg.Wait()
	if got, want := [2]int{h.InFlight(), h.Queued()}, [2]int{0, 0}; got != want {
		t.Errorf("after both: got [in flight, queued] %v, want %v", got, want)
	}
}

// TestHasherFairAcrossTenants floods the only hashing slot with tenant A's
// hashes and checks that tenant B's one hash, queued behind A's backlog,
// is the next but one to run: the hasher takes turns between tenants, so
// B waits for at most one hash per other waiting tenant, however many A
// has queued. Hashes without a tenant share one turn.
func TestHasherFairAcrossTenants(t *testing.T) {
	const backlog = 20
	h := newTestHasher(t, HashParams{}, 1)
	started := make(chan string)
	release := make(chan struct{})
	h.derive = func(password, salt []byte, time_, memory uint32, threads uint8, n uint32) []byte {
		started <- string(password)
		<-release
		return make([]byte, n)
	}
	var wg sync.WaitGroup
	hash := func(tenantID int64, name string) {
		wg.Go(func() {
			if _, err := h.HashPassword(directory.WithTenant(context.Background(), tenantID), name); err != nil {
				t.Errorf("HashPassword(%s): %v", name, err)
			}
		})
	}
	waitQueued := func(n int) {
		t.Helper()
		for h.Queued() != n {
			runtime.Gosched()
		}
	}
	hash(1, "a-running")
	order := []string{<-started}
	for i := range backlog {
		hash(1, fmt.Sprintf("a%02d", i))
		waitQueued(i + 1)
	}
	hash(2, "b")
	waitQueued(backlog + 1)
	for range backlog + 1 {
		release <- struct{}{}
		order = append(order, <-started)
	}
	release <- struct{}{}
	wg.Wait()
	if pos := slices.Index(order, "b"); pos < 0 || pos > 2 {
		t.Errorf("got order %v, want b at most third (after the running hash and one of A's queue), whatever A's backlog", order)
	}
	if a := slices.DeleteFunc(slices.Clone(order[1:]), func(s string) bool { return s == "b" }); !slices.IsSorted(a) {
		t.Errorf("got A's hashes in order %v, want first come first served within a tenant", a)
	}
}
