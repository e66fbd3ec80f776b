package db

// This file holds what the tree procedures share: how nodes compare and
// order on a level, the action check, and libseccomp's reference
// counting of nodes (taking, dropping, releasing, sweeping, removing).
//
// A handle is a *cnode that refers to some node of a level, not
// necessarily its first: procedures that read a whole level walk back to
// its head first.

// levelHead returns the first node of n's level.
func levelHead(n *cnode) *cnode {
	for n.prv != nil {
		n = n.prv
	}
	return n
}

// sameTest reports whether a and b make the same test: the same word of
// the same argument, the same normalised operator, datum and mask. The
// original operators and the full datums do not matter.
func sameTest(a, b *cnode) bool {
	return a.arg == b.arg && a.hi == b.hi && a.op == b.op &&
		a.datum == b.datum && a.mask == b.mask
}

// wordRank orders the words of the arguments: argument by argument, the
// low word before the high word.
func wordRank(n *cnode) int {
	r := 2 * n.arg
	if n.hi {
		r++
	}
	return r
}

// opGroup groups the original operators for ordering: GE and GT, then LT
// and LE, then the equality tests.
func opGroup(op int) int {
	switch op {
	case cmpGE, cmpGT:
		return 1
	case cmpLT, cmpLE:
		return 2
	}
	return 3
}

// sortsBefore reports whether the existing node x sorts before the new
// node n, so that n goes in front of x on a level: x tests a lower word,
// or the same word with a lower operator group, or the same group with a
// lower datum (a higher one when x's original operator is LT or LE).
// Nodes may fail to sort before each other both ways.
func sortsBefore(x, n *cnode) bool {
	if rx, rn := wordRank(x), wordRank(n); rx != rn {
		return rx < rn
	}
	if gx, gn := opGroup(x.opOrig), opGroup(n.opOrig); gx != gn {
		return gx < gn
	}
	if x.opOrig == cmpLT || x.opOrig == cmpLE {
		return x.datum > n.datum
	}
	return x.datum < n.datum
}

// allActions reports whether every action on n's level and on every
// level below it is act. It is true for a nil n.
func allActions(n *cnode, act Action) bool {
	if n == nil {
		return true
	}
	for c := levelHead(n); c != nil; c = c.nxt {
		if (c.hasT && c.actT != act) || (c.hasF && c.actF != act) {
			return false
		}
		if !allActions(c.t, act) || !allActions(c.f, act) {
			return false
		}
	}
	return true
}

// hasNext reports whether n continues at another level on either branch.
func (n *cnode) hasNext() bool { return n.t != nil || n.f != nil }

// take adds a count to n, if any.
func take(n *cnode) {
	if n != nil {
		n.refs++
	}
}

// drop takes a count off the node *h refers to. When that releases the
// node, its neighbours lose the counts its level links held (which may
// release them in turn, along the level), are linked to each other, the
// trees below it are dropped, and *h moves to the surviving neighbour
// towards the head, else towards the tail, else nil. The released node
// keeps its fields. drop returns the number of nodes released.
func (db *archDB) drop(h **cnode) int {
	c := *h
	if c == nil {
		return 0
	}
	c.refs--
	if c.refs != 0 {
		return 0
	}
	p, q := c.prv, c.nxt
	if p != nil {
		p.nxt = nil
	}
	if q != nil {
		q.prv = nil
	}
	n := 1
	n += db.drop(&p)
	n += db.drop(&q)
	if p != nil {
		p.nxt = q
		take(q)
	}
	if q != nil {
		q.prv = p
		take(p)
	}
	if p != nil {
		*h = p
	} else {
		*h = q
	}
	t, f := c.t, c.f
	n += db.dropTree(&t)
	n += db.dropTree(&f)
	c.released = true
	return n
}

// dropTree drops the node *h refers to and, if a node of its level
// survives, sweeps that level. It returns the number of nodes released.
func (db *archDB) dropTree(h **cnode) int {
	n := db.drop(h)
	if *h != nil {
		n += db.sweep(*h)
	}
	return n
}

// sweep releases the level of n when nothing outside the level holds a
// count on any of its nodes: node by node from the head, for as long as
// each drop releases the node. It returns the number of nodes released.
func (db *archDB) sweep(n *cnode) int {
	h := levelHead(n)
	for c := h; c != nil; c = c.nxt {
		links := 0
		if c.prv != nil {
			links++
		}
		if c.nxt != nil {
			links++
		}
		if c.refs > links {
			return 0
		}
	}
	total := 0
	for h != nil {
		k := db.drop(&h)
		if k == 0 {
			// libseccomp would drop this node forever
			break
		}
		total += k
	}
	return total
}

// remove takes target out of the tree at *h: it walks *h's level and the
// levels below, unlinks target where it finds it, and unlinks every node
// on the way that is left with neither a successor nor an action. The
// walk of a level ends at the first node below which something was
// released. remove returns the number of nodes released, which leaves out
// unlinked nodes that other links still hold.
func (db *archDB) remove(h **cnode, target *cnode) int {
	if *h == nil || target == nil {
		return 0
	}
	r := 0
	for c := levelHead(*h); ; {
		if c == target {
			return db.unlink(h, c)
		}
		r += db.remove(&c.t, target)
		r += db.remove(&c.f, target)
		if !c.hasNext() && !c.hasT && !c.hasF {
			return r + db.unlink(h, c)
		}
		if c.nxt == nil || r != 0 {
			return r
		}
		c = c.nxt
	}
}

// unlink takes c out of its level, moving *h off c if it refers to it,
// and drops one count on c. The counts c's neighbours held through their
// links are not given back, so c is released only if that was its last
// count. It returns the number of nodes released.
func (db *archDB) unlink(h **cnode, c *cnode) int {
	if *h == c {
		if c.prv != nil {
			*h = c.prv
		} else {
			*h = c.nxt
		}
	}
	if c.prv != nil {
		c.prv.nxt = c.nxt
	}
	if c.nxt != nil {
		c.nxt.prv = c.prv
	}
	c.prv, c.nxt = nil, nil
	local := c
	return db.drop(&local)
}
