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

// TestLimitsAtTheEdge admits up to each bound and refuses one item past
// it: the principal's bound with TooMany, the node's with Overloaded.
func TestLimitsAtTheEdge(t *testing.T) {
	l := admission.New(admission.Limits{Total: 300, PerPrincipal: 200})
	steps := []struct {
		p     directory.Principal
		items int
		want  directory.Kind
	}{
		{ann, 100, nobody}, {ann, 101, directory.TooMany}, {ann, 100, nobody}, // ann at her 200
		{ann, 1, directory.TooMany},
		{ann, 0, directory.TooMany}, // counts as one
		{carl, 100, nobody},         // same actor in another tenant is another principal
		{bob, 1, directory.Overloaded},
		{ann, 1, directory.TooMany}, // ann's own bound is told first
	}
	var releases []func()
	for i, s := range steps {
		release, err := l.Admit(s.p, s.items)
		switch {
		case s.want == nobody && err != nil:
			t.Fatalf("step %d (%s, %d items): got %v, want admitted", i, s.p.Actor, s.items, err)
		case s.want != nobody && directory.KindOf(err) != s.want:
			t.Fatalf("step %d (%s, %d items): got %v, want %s", i, s.p.Actor, s.items, err, s.want)
		}
		if err == nil {
			releases = append(releases, release)
		}
	}
	if got := l.InFlight(); got != 300 {
		t.Errorf("in flight: got %d, want 300", got)
	}
	releases[0]() // 100 of ann's
	releases[0]() // twice is once
	if got := l.InFlight(); got != 200 {
		t.Errorf("in flight after a release: got %d, want 200", got)
	}
	release, err := l.Admit(bob, 100)
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

// TestLargerThanABound admits a read larger than a bound when nothing else
// runs, as if it were that bound, so a page larger than the bound is slow
// to get but never impossible.
func TestLargerThanABound(t *testing.T) {
	l := admission.New(admission.Limits{Total: 500, PerPrincipal: 100})
	release, err := l.Admit(ann, 1000)
	if err != nil {
		t.Fatalf("a read of 1000 items alone: got %v, want admitted", err)
	}
	if _, err := l.Admit(ann, 1); directory.KindOf(err) != directory.TooMany {
		t.Errorf("another read of ann's beside it: got %v, want TooMany", err)
	}
	if got := l.InFlight(); got != 500 {
		t.Errorf("in flight: got %d, want the node's bound, 500", got)
	}
	release()
}

// TestNoLimits admits everything when the bounds are below 1 or the
// Limiter is nil.
func TestNoLimits(t *testing.T) {
	for _, l := range []*admission.Limiter{nil, admission.New(admission.Limits{}), admission.New(admission.Limits{Total: -1, PerPrincipal: 0})} {
		for range 100 {
			if _, err := l.Admit(dora, 1000); err != nil {
				t.Fatalf("got %v, want admitted", err)
			}
		}
	}
}

// TestConcurrentAdmitNeverExceeds races many principals for few slots.
func TestConcurrentAdmitNeverExceeds(t *testing.T) {
	const total, per = 500, 200
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
			release, err := l.Admit(p, 100)
			if err != nil {
				return
			}
			mu.Lock()
			peak = max(peak, l.InFlight())
			if i%2 == 0 {
				annIn += 100
				peakAnn = max(peakAnn, annIn)
			}
			mu.Unlock()
			runtime.Gosched() // let others try while this one is in
			mu.Lock()
			if i%2 == 0 {
				annIn -= 100
			}
			mu.Unlock()
			release()
		})
	}
	wg.Wait()
	if peak > total || peakAnn > per {
		t.Errorf("got %d items in flight (%d of one principal), want at most %d (%d)", peak, peakAnn, total, per)
	}
}
