package directory

import "context"

// Tree is one tenant's tree (its orgs by parent, or its users by manager)
// as a write transaction sees it. A store hands a Tree to a TreeCheck only
// once no other write that could make the check's answer wrong can run
// until this transaction ends (writes that only add new nodes may run side
// by side: a new node changes no other node's place), so what the check
// reads stays true until the write commits.
type Tree interface {
	// Parent returns the parent of node id, or 0 for a root. It returns
	// NotFound when the tenant has no such node.
	Parent(ctx context.Context, id int64) (int64, error)
	// Children returns the nodes whose parent is one of ids, in any order.
	Children(ctx context.Context, ids []int64) ([]int64, error)
}

// TreeCheck is a rule about a tree that a store runs inside the transaction
// of a write that changes the tree, before writing: its error is the
// write's, and nothing is written. The Service passes one to every write
// that adds an edge to a tree (a parent org, a manager), so the rule holds
// however writes interleave, on every engine.
type TreeCheck func(ctx context.Context, t Tree) error

// treeShape is the rule every tree of the directory follows: no cycles and
// at most maxLevels levels (a root is level 1). The other fields word its
// errors for one kind of tree: missing and cycle take the parent's id,
// tooDeep the limit.
type treeShape struct {
	maxLevels               int
	field                   string // the field that names the parent
	missing, cycle, tooDeep string
}

func (s treeShape) invalid(format string, arg int64) error {
	return Errorf(Invalid, s.field, format, arg)
}

// place returns the check that node id (0 for a node not stored yet) may
// take parent as its parent: parent exists, is not id or below it, and
// the node's subtree still ends within s.maxLevels.
func (s treeShape) place(id, parent int64) TreeCheck {
	return func(ctx context.Context, t Tree) error {
		// levels counts parent and its ancestors: the node will sit one
		// level below them.
		levels := 1
		for p := parent; ; levels++ {
			if p == id {
				return s.invalid(s.cycle, parent)
			}
			if levels >= s.maxLevels {
				return s.invalid(s.tooDeep, int64(s.maxLevels))
			}
			up, err := t.Parent(ctx, p)
			if KindOf(err) == NotFound && p == parent {
				return s.invalid(s.missing, parent)
			}
			if err != nil {
				return err
			}
			if up == 0 {
				break
			}
			p = up
		}
		if id == 0 {
			return nil
		}
		// The node moves with everything below it. The walk is bounded by
		// the limit even if the stored tree were to hold a cycle.
		nodes := []int64{id}
		for level := levels + 1; ; level++ {
			below, err := t.Children(ctx, nodes)
			if err != nil || len(below) == 0 {
				return err
			}
			if level >= s.maxLevels {
				return s.invalid(s.tooDeep, int64(s.maxLevels))
			}
			nodes = below
		}
	}
}

// OrgNames is implemented by the Tree a store hands to the checks of a
// write to its org tree (CreateOrg, UpdateOrg): it finds an org by name
// among the children of a parent, for the rule that siblings have
// distinct names.
type OrgNames interface {
	// OrgNamed returns the id of the org whose parent is parent (0: the
	// root orgs) and whose name is name ignoring case (as strings.ToLower
	// folds it), or 0 when there is none. On an engine whose writes run
	// side by side it first locks that name among parent's children until
	// the transaction ends, so two writes cannot both find it free.
	OrgNamed(ctx context.Context, parent int64, name string) (int64, error)
}
