package postgres

import (
	"context"
	"testing"

	"github.com/userd/userd/internal/readafter"
)

// TestReplicaFor: a read goes to a replica in rotation that has replayed
// the position its request asks for, round robin; a request that may
// write, one without a session, and one whose position no replica has
// replayed read from the primary.
func TestReplicaFor(t *testing.T) {
	behind, ahead, out := &replica{name: "behind"}, &replica{name: "ahead"}, &replica{name: "out"}
	behind.replayed.Store(100)
	ahead.replayed.Store(200)
	out.replayed.Store(300)
	behind.inRotation.Store(true)
	ahead.inRotation.Store(true)
	s := &Store{}
	s.r.list = []*replica{behind, ahead, out}
	pick := func(ctx context.Context) string {
		if r := s.replicaFor(ctx); r != nil {
			return r.name
		}
		return "primary"
	}
	session := func(primary bool, min uint64) context.Context {
		return readafter.With(context.Background(), readafter.NewSession(primary, min))
	}
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want map[string]bool
	}{
		{"no session", context.Background(), map[string]bool{"primary": true}},
		{"may write", session(true, 0), map[string]bool{"primary": true}},
		{"any position", session(false, 0), map[string]bool{"behind": true, "ahead": true}},
		{"after 150", session(false, 150), map[string]bool{"ahead": true}},
		{"after 250", session(false, 250), map[string]bool{"primary": true}},
	} {
		got := map[string]bool{}
		for range 6 {
			got[pick(tc.ctx)] = true
		}
		if len(got) != len(tc.want) {
			t.Errorf("%s: read from %v, want %v", tc.name, got, tc.want)
		}
		for name := range got {
			if !tc.want[name] {
				t.Errorf("%s: read from %v, want %v", tc.name, got, tc.want)
			}
		}
	}
}
