package db

import "syscall"

// merge merges the new node n, with everything below it, into the level
// *h refers to, for entry e. The walk starts at the node *h refers to,
// not at the head of the level, and moves towards the tail: n is merged
// with the first equal node, or else inserted in front of the first node
// that sorts before it, or else appended. Inserting in front of the node
// *h refers to moves *h to n.
//
// merge fails with EEXIST when n conflicts with the rules of the tree,
// and with ErrLoop when n would be linked into a second level (a node
// that two branches of the new chain lead to, reached through two
// levels). What it changed before failing stays changed.
func (db *archDB) merge(e *sysEntry, h **cnode, n *cnode) error {
	x := *h
	for {
		if sameTest(x, n) {
			return db.mergeNode(e, x, n)
		}
		if sortsBefore(x, n) {
			break
		}
		if x.nxt == nil {
			if n.prv != nil || n.nxt != nil {
				return ErrLoop
			}
			n.prv = x
			take(x)
			x.nxt = n
			take(n)
			return nil
		}
		x = x.nxt
	}
	// n goes in front of x
	if n.prv != nil || n.nxt != nil {
		return ErrLoop
	}
	if p := x.prv; p != nil {
		p.nxt = n
		take(n)
		n.prv = p
		x.prv = n
		take(n)
		n.nxt = x
	} else {
		x.prv = n
		take(n)
		n.nxt = x
		take(x)
	}
	if *h == x {
		*h = n
		take(n)
		old := x
		db.drop(&old)
	}
	return nil
}

// mergeNode merges the new node n into the existing node x, which makes
// the same test. An action of n replaces a subtree of x whose actions
// all agree with it, and must otherwise match x's action; a successor of
// n is merged into x's successor or becomes it. The merge of the pair
// ends without looking at the false side when x's true branch ends with
// an action where n continues.
func (db *archDB) mergeNode(e *sysEntry, x, n *cnode) error {
	// the true action
	if n.hasT {
		if !x.hasT {
			if !allActions(x.t, n.actT) {
				return syscall.EEXIST
			}
			old := x.t
			e.nodeCnt -= db.drop(&old)
			x.t, x.hasT, x.actT = nil, true, n.actT
		} else if x.actT != n.actT {
			if n.hi && n.full > x.full {
				x.actT = n.actT
			}
			if !x.hasNext() || !n.hasNext() {
				return syscall.EEXIST
			}
		}
	}
	// the false action
	if n.hasF {
		if !x.hasF {
			if !allActions(x.f, n.actF) {
				return syscall.EEXIST
			}
			old := x.f
			e.nodeCnt -= db.drop(&old)
			x.f, x.hasF, x.actF = nil, true, n.actF
		} else if x.actF != n.actF {
			if n.hi && n.full < x.full {
				x.actF = n.actF
			}
			if !x.hasNext() || !n.hasNext() {
				return syscall.EEXIST
			}
		}
	}
	// the true successor
	if n.t != nil {
		switch {
		case x.t != nil:
			if err := db.merge(e, &x.t, n.t); err != nil {
				return err
			}
		case !x.hasT:
			x.t = n.t
			take(n.t)
		default:
			return nil
		}
	}
	// the false successor
	if n.f != nil {
		switch {
		case x.f != nil:
			if err := db.merge(e, &x.f, n.f); err != nil {
				return err
			}
		case !x.hasF:
			x.f = n.f
			take(n.f)
		default:
			return nil
		}
	}
	return nil
}
