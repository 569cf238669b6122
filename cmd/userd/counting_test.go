package main

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/userd/userd/internal/directory"
)

// callLog records the real store's operations by method name, through
// storewatch. It is instrumentation, not a double: every call goes to the
// real store. The authorization tests compare two requests' calls to prove
// that they did the same work.
type callLog struct {
	mu    sync.Mutex
	calls []string
}

// Begin implements storewatch.Observer.
func (l *callLog) Begin(ctx context.Context, op string) context.Context {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, op)
	return ctx
}

// End implements storewatch.Observer.
func (l *callLog) End(context.Context, string, time.Duration, error) {}

// take returns the calls recorded since the last take and forgets them.
func (l *callLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	calls := slices.Clone(l.calls)
	l.calls = nil
	return calls
}

// countingHasher is the real password hasher with its calls counted.
type countingHasher struct {
	directory.PasswordHasher
	calls atomic.Int64
}

func (h *countingHasher) HashPassword(ctx context.Context, password string) (string, error) {
	h.calls.Add(1)
	return h.PasswordHasher.HashPassword(ctx, password)
}

// VerifyPassword counts a password check as a hash (it costs one) and
// passes it to the wrapped hasher, which must be a PasswordVerifier.
func (h *countingHasher) VerifyPassword(ctx context.Context, password, hash string) (bool, error) {
	h.calls.Add(1)
	return h.PasswordHasher.(directory.PasswordVerifier).VerifyPassword(ctx, password, hash)
}

// NeedsRehash asks the real hasher.
func (h *countingHasher) NeedsRehash(hash string) bool {
	return h.PasswordHasher.(directory.Rehasher).NeedsRehash(hash)
}
