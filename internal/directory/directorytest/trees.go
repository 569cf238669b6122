package directorytest

import (
	"errors"
	"strconv"
	"sync"
	"testing"

	"github.com/userd/userd/internal/directory"
)

// concurrentRounds is how many times the race tests run their two
// conflicting changes at the same moment.
const concurrentRounds = 30

// race runs a and b at the same moment and returns their errors.
func race(a, b func() error) (errA, errB error) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	wg.Add(2)
	go func() { defer wg.Done(); <-start; errA = a() }()
	go func() { defer wg.Done(); <-start; errB = b() }()
	close(start)
	wg.Wait()
	return errA, errB
}

// treeOps are the operations of one kind of tree (orgs by parent, users by
// manager) as the Service offers them to the APIs.
type treeOps struct {
	field     string // the field that names the parent
	maxLevels int
	// create makes a node below parent (0: a root) and returns its id.
	create func(name string, parent int64) (int64, error)
	// move makes parent (0: none) the parent of node id.
	move func(id, parent int64) error
	// parent reads the parent of node id.
	parent func(t *testing.T, id int64) int64
}

func (ops treeOps) mustCreate(t *testing.T, name string, parent int64) int64 {
	t.Helper()
	id, err := ops.create(name, parent)
	if err != nil {
		t.Fatalf("creating %q below %d: %v", name, parent, err)
	}
	return id
}

// chain creates n nodes, each below the one before, and returns the first
// and the last.
func (ops treeOps) chain(t *testing.T, name string, n int) (top, bottom int64) {
	t.Helper()
	for i := range n {
		bottom = ops.mustCreate(t, name+strconv.Itoa(i), bottom)
		if i == 0 {
			top = bottom
		}
	}
	return top, bottom
}

// levels returns how many levels the tree has from node id up to its root,
// or fails the test when the walk finds a cycle.
func (ops treeOps) levels(t *testing.T, id int64) int {
	t.Helper()
	seen := map[int64]bool{}
	levels := 0
	for ; id != 0; levels++ {
		if seen[id] {
			t.Fatalf("node %d is its own ancestor: the tree has a cycle", id)
		}
		seen[id] = true
		id = ops.parent(t, id)
	}
	return levels
}

// checkRaces makes two changes at once that would break the tree together
// although each alone keeps it whole, many times: the store must run the
// Service's tree check inside the write, so exactly one of them succeeds
// and the other is refused as invalid, and the tree keeps no cycle and at
// most maxLevels levels.
func checkRaces(t *testing.T, ops treeOps) {
	moveFn := func(id, parent int64) func() error {
		return func() error { return ops.move(id, parent) }
	}
	checkOneWon := func(t *testing.T, round int, errA, errB error) {
		t.Helper()
		switch {
		case errA == nil && errB == nil:
			t.Fatalf("round %d: both conflicting changes succeeded, want one refused", round)
		case errA != nil && errB != nil:
			t.Fatalf("round %d: both changes refused (%v; %v), want one to succeed", round, errA, errB)
		}
		checkError(t, "the losing change", errors.Join(errA, errB), directory.Invalid, ops.field)
	}

	t.Run("opposite moves", func(t *testing.T) {
		for round := range concurrentRounds {
			x := ops.mustCreate(t, "x"+strconv.Itoa(round), 0)
			y := ops.mustCreate(t, "y"+strconv.Itoa(round), 0)
			errX, errY := race(moveFn(x, y), moveFn(y, x))
			checkOneWon(t, round, errX, errY)
			ops.levels(t, x)
			ops.levels(t, y)
		}
	})

	t.Run("moves that together are too deep", func(t *testing.T) {
		// Three chains of a third of the limit each: either move alone
		// makes a tree of two thirds of it, both together one deeper than
		// the limit.
		third := ops.maxLevels/3 + 1
		_, aBottom := ops.chain(t, "a", third)
		bTop, bBottom := ops.chain(t, "b", third)
		cTop, cBottom := ops.chain(t, "c", third)
		for round := range concurrentRounds {
			errB, errC := race(moveFn(bTop, aBottom), moveFn(cTop, bBottom))
			checkOneWon(t, round, errB, errC)
			if levels := ops.levels(t, cBottom); levels > ops.maxLevels {
				t.Fatalf("round %d: the tree has %d levels, want at most %d", round, levels, ops.maxLevels)
			}
			// Back to three separate chains for the next round.
			for _, top := range []int64{bTop, cTop} {
				if err := ops.move(top, 0); err != nil {
					t.Fatalf("moving node %d back to the top: %v", top, err)
				}
			}
		}
	})

	t.Run("a move and a new node below it", func(t *testing.T) {
		// Two chains of half the limit: the move alone makes a tree of
		// exactly the limit, the new node alone one level more than half.
		_, aBottom := ops.chain(t, "d", ops.maxLevels/2)
		bTop, bBottom := ops.chain(t, "e", ops.maxLevels/2)
		for round := range concurrentRounds {
			var leaf int64
			errMove, errCreate := race(moveFn(bTop, aBottom), func() (err error) {
				leaf, err = ops.create("leaf"+strconv.Itoa(round), bBottom)
				return err
			})
			checkOneWon(t, round, errMove, errCreate)
			if leaf != 0 {
				if levels := ops.levels(t, leaf); levels > ops.maxLevels {
					t.Fatalf("round %d: the tree has %d levels, want at most %d", round, levels, ops.maxLevels)
				}
			}
			for _, top := range []int64{bTop, leaf} {
				if err := ops.move(top, 0); top != 0 && err != nil {
					t.Fatalf("moving node %d back to the top: %v", top, err)
				}
			}
		}
	})
}

// testOrgTreeConcurrent races moves of orgs under each other.
func testOrgTreeConcurrent(t *testing.T, f *fixture) {
	svc := directory.NewService(f.s, nil)
	p := directory.System(f.a)
	checkRaces(t, treeOps{
		field:     "parent_id",
		maxLevels: directory.MaxOrgLevels,
		create: func(name string, parent int64) (int64, error) {
			o, err := svc.CreateOrg(f.ctx, p, directory.OrgPatch{Name: &name, ParentID: &parent})
			return o.ID, err
		},
		move: func(id, parent int64) error {
			_, err := svc.UpdateOrg(f.ctx, p, id, 0, directory.OrgPatch{ParentID: &parent})
			return err
		},
		parent: func(t *testing.T, id int64) int64 { return f.readOrg(t, f.a, id).ParentID },
	})
}

// testManagerChainConcurrent races changes of managers that together would
// make a manager cycle or a chain too long.
func testManagerChainConcurrent(t *testing.T, f *fixture) {
	svc := directory.NewService(f.s, nil)
	p := directory.System(f.a)
	checkRaces(t, treeOps{
		field:     "manager_id",
		maxLevels: directory.MaxManagerLevels,
		create: func(name string, manager int64) (int64, error) {
			u, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: &name, ManagerID: &manager})
			return u.ID, err
		},
		move: func(id, manager int64) error {
			_, err := svc.UpdateUser(f.ctx, p, id, 0, directory.UserPatch{ManagerID: &manager})
			return err
		},
		parent: func(t *testing.T, id int64) int64 { return f.readUser(t, f.a, id).ManagerID },
	})
}

// testManagerChainImport imports users below the end of the longest chain
// allowed: the whole batch is refused, naming the user at fault, on every
// engine.
func testManagerChainImport(t *testing.T, f *fixture) {
	svc := directory.NewService(f.s, nil)
	p := directory.System(f.a)
	var bottom int64
	for i := range directory.MaxManagerLevels {
		name := "level" + strconv.Itoa(i+1)
		u, err := svc.CreateUser(f.ctx, p, directory.OriginAPI, directory.UserPatch{Username: &name, ManagerID: &bottom})
		if err != nil {
			t.Fatalf("CreateUser(%q): %v", name, err)
		}
		bottom = u.ID
	}
	before := f.userCount(t, f.a)
	_, err := svc.ImportUsers(f.ctx, p, []directory.UserPatch{
		{Username: ptr("fine")},
		{Username: ptr("one-too-deep"), ManagerID: &bottom},
	})
	var be *directory.BatchError
	if !errors.As(err, &be) || be.Index != 1 {
		t.Fatalf("ImportUsers: got %v, want an error about item 1", err)
	}
	checkError(t, "ImportUsers", err, directory.Invalid, "manager_id")
	if n := f.userCount(t, f.a); n != before {
		t.Errorf("after a refused import: got %d users, want %d", n, before)
	}
}

func ptr[T any](v T) *T { return &v }
