package admission_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/userd/userd/internal/admission"
	"github.com/userd/userd/internal/directory"
)

var (
	ann    = directory.Principal{TenantID: 1, Actor: "token:1"}
	bob    = directory.Principal{TenantID: 1, Actor: "token:2"}
	carl   = directory.Principal{TenantID: 2, Actor: "token:1"} // same actor, other tenant
	dora   = directory.Principal{TenantID: 2, Actor: "client:udc_x"}
	nobody = directory.Kind(-1)
)

// TestLimitsAtTheEdge admits up to each bound and refuses one past it: the
// principal's bound with TooMany, the node's with Overloaded.
func TestLimitsAtTheEdge(t *testing.T) {
	l := admission.New(admission.Limits{Total: 3, PerPrincipal: 2})
	steps := []struct {
		p    directory.Principal
		want directory.Kind
	}{
		{ann, nobody}, {ann, nobody},
		{ann, directory.TooMany}, // ann's third
		{carl, nobody},           // same actor in another tenant is another principal
		{bob, directory.Overloaded},
		{ann, directory.TooMany}, // ann's own bound is told first
	}
	var releases []func()
	for i, s := range steps {
		release, err := l.Admit(s.p)
		switch {
		case s.want == nobody && err != nil:
			t.Fatalf("step %d (%s): got %v, want admitted", i, s.p.Actor, err)
		case s.want != nobody && directory.KindOf(err) != s.want:
			t.Fatalf("step %d (%s): got %v, want %s", i, s.p.Actor, err, s.want)
		}
		if err == nil {
			releases = append(releases, release)
		}
	}
	if got := l.InFlight(); got != 3 {
		t.Errorf("in flight: got %d, want 3", got)
	}
	releases[0]() // one of ann's
	releases[0]() // twice is once
	if got := l.InFlight(); got != 2 {
		t.Errorf("in flight after a release: got %d, want 2", got)
	}
	release, err := l.Admit(bob)
	if err != nil {
		t.Fatalf("bob after a release: got %v, want admitted", err)
	}
	release()
	for _, r := range releases[1:] {
		r()
	}
	if got := l.InFlight(); got != 0 {
		t.Errorf("in flight after every release: got %d, want 0", got)
	}
}

// TestNoLimits admits everything when the bounds are below 1 or the
// Limiter is nil.
func TestNoLimits(t *testing.T) {
	for _, l := range []*admission.Limiter{nil, admission.New(admission.Limits{}), admission.New(admission.Limits{Total: -1, PerPrincipal: 0})} {
		for range 100 {
			if _, err := l.Admit(dora); err != nil {
				t.Fatalf("got %v, want admitted", err)
			}
		}
	}
}

// TestConcurrentAdmitNeverExceeds races many principals for few slots.
func TestConcurrentAdmitNeverExceeds(t *testing.T) {
	const total, per = 5, 2
	l := admission.New(admission.Limits{Total: total, PerPrincipal: per})
	var (
		wg            sync.WaitGroup
		mu            sync.Mutex
		peak, peakAnn int
		annIn         int
	)
	for i := range 64 {
		wg.Go(func() {
			p := bob
			if i%2 == 0 {
				p = ann
			}
			release, err := l.Admit(p)
			if err != nil {
				return
			}
			mu.Lock()
			peak = max(peak, l.InFlight())
			if i%2 == 0 {
				annIn++
				peakAnn = max(peakAnn, annIn)
			}
			mu.Unlock()
			runtime.Gosched() // let others try while this one is in
			mu.Lock()
			if i%2 == 0 {
				annIn--
			}
			mu.Unlock()
			release()
		})
	}
	wg.Wait()
	if peak > total || peakAnn > per {
		t.Errorf("got %d in flight (%d of one principal), want at most %d (%d)", peak, peakAnn, total, per)
	}
}
