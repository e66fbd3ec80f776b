package db

import (
	"errors"
	"syscall"
)

// ErrLoop is returned for a rule that libseccomp 2.6.1 would link into a
// syscall's tree a second time through a level shared by two branches,
// leaving a level whose links loop; libseccomp then never returns. The
// rule is not added.
var ErrLoop = errors.New("rule can't be merged with the existing rules of the syscall (libseccomp would corrupt its rule tree)")

// Comparison operators in libseccomp's numbering (enum scmp_compare).
const (
	cmpNE       = 1
	cmpLT       = 2
	cmpLE       = 3
	cmpEQ       = 4
	cmpGE       = 5
	cmpGT       = 6
	cmpMaskedEQ = 7
)

// cnode is the working form of a tree node. It mirrors libseccomp's
// reference-counted argument chain node: the insertion and pruning
// algorithms below decide what to unlink from the reference counts, so
// the counts are kept exactly as libseccomp keeps them, even where they
// do not balance. A node whose count reaches zero is marked dead and
// left otherwise untouched.
type cnode struct {
	arg    int
	hi     bool
	op     int // normalised: cmpEQ, cmpGE, cmpGT or cmpMaskedEQ
	opOrig int
	mask   uint32
	datum  uint32
	full   uint64

	hasT, hasF bool
	actT, actF Action

	prv, nxt *cnode // the level
	t, f     *cnode // the next levels

	ref  int
	dead bool
}

// sysEntry is the rule state of one syscall on one architecture.
type sysEntry struct {
	num      uint32
	priority uint32
	chains   *cnode
	nodeCnt  int
	action   Action
	valid    bool // false for a placeholder made by a priority only
}

const (
	priMaskChain = 0x0000ffff
	priMaskUser  = 0x00ff0000
)

func priUser(p uint8) uint32 { return (uint32(p) << 16) & priMaskUser }

// Flags of the prune walk (libseccomp's db_iter_state).
const (
	istMatch     = 0x001
	istMatchOnce = 0x002
	istXFinished = 0x010
	istNFinished = 0x020
	istXPrefix   = 0x100
	istNPrefix   = 0x200
	istMatchSet  = istMatch | istMatchOnce
	istRedundant = istMatch | istXFinished | istNPrefix
)

type iterState struct {
	flags  uint
	action Action
	sx     *sysEntry
}

// argPriority orders the argument words of a level: by argument, then the
// high word after the low word.
func argPriority(a *cnode) int {
	p := a.arg << 1
	if a.hi {
		p++
	}
	return p
}

// opPriority groups the original operators for ordering a level.
func opPriority(op int) int {
	switch op {
	case cmpMaskedEQ, cmpEQ, cmpNE:
		return 3
	case cmpLE, cmpLT:
		return 2
	case cmpGE, cmpGT:
		return 1
	}
	return 0
}

// chainLess reports whether a sorts before b on a level (libseccomp's
// _db_chain_lt).
func chainLess(a, b *cnode) bool {
	pa, pb := argPriority(a), argPriority(b)
	if pa != pb {
		return pa < pb
	}
	oa, ob := opPriority(a.opOrig), opPriority(b.opOrig)
	if oa != ob {
		return oa < ob
	}
	switch a.opOrig {
	case cmpLE, cmpLT:
		// smaller values come first for LT/LE
		return a.datum > b.datum
	default:
		return a.datum < b.datum
	}
}

// chainEqual reports whether two nodes test the same word the same way.
func chainEqual(a, b *cnode) bool {
	return argPriority(a) == argPriority(b) && a.op == b.op &&
		a.datum == b.datum && a.mask == b.mask
}

func isLeaf(n *cnode) bool { return n.t == nil && n.f == nil }

func isZombie(n *cnode) bool { return isLeaf(n) && !n.hasT && !n.hasF }

func nodeGet(n *cnode) *cnode {
	if n != nil {
		n.ref++
	}
	return n
}

// levelClean drops the whole level of n when nothing outside the level
// refers to it; the result counts the nodes that died.
func levelClean(n *cnode) int {
	for n.prv != nil {
		n = n.prv
	}
	start := n
	for m := n; m != nil; m = m.nxt {
		links := 0
		if m.prv != nil {
			links++
		}
		if m.nxt != nil {
			links++
		}
		if m.ref > links {
			return 0
		}
	}
	cnt := 0
	for m := start; m != nil; {
		before := m
		cnt += nodePut(&m)
		if m == before {
			// still referenced: libseccomp would spin here
			break
		}
	}
	return cnt
}

// treePut drops a reference to a tree and cleans its top level.
func treePut(t **cnode) int {
	cnt := nodePut(t)
	if *t != nil {
		cnt += levelClean(*t)
	}
	return cnt
}

// nodePut drops a reference to *pn. When it was the last one the node
// leaves its level (*pn then moves to a neighbour, or nil), its subtrees
// are released and it is marked dead. The result counts the nodes that
// died, itself included.
func nodePut(pn **cnode) int {
	n := *pn
	if n == nil {
		return 0
	}
	n.ref--
	if n.ref != 0 {
		return 0
	}
	cnt := 0
	lp, ln, nt, nf := n.prv, n.nxt, n.t, n.f
	if lp != nil {
		lp.nxt = nil
	}
	if ln != nil {
		ln.prv = nil
	}
	if lp != nil {
		cnt += nodePut(&lp)
	}
	if ln != nil {
		cnt += nodePut(&ln)
	}
	if lp != nil {
		lp.nxt = nodeGet(ln)
	}
	if ln != nil {
		ln.prv = nodeGet(lp)
	}
	switch {
	case lp != nil:
		*pn = lp
	case ln != nil:
		*pn = ln
	default:
		*pn = nil
	}
	cnt += treePut(&nt)
	cnt += treePut(&nf)
	n.dead = true
	return cnt + 1
}

// treeRemove finds node in the tree (and removes any node left without
// branches or actions on the way), unlinks it from its level and releases
// it, counting the nodes that died.
func treeRemove(tree **cnode, node *cnode) int {
	if tree == nil || *tree == nil || node == nil {
		return 0
	}
	cnt := 0
	c := *tree
	for c.prv != nil {
		c = c.prv
	}
	for {
		if c == node {
			break
		}
		cnt += treeRemove(&c.t, node)
		cnt += treeRemove(&c.f, node)
		if isZombie(c) {
			break
		}
		c = c.nxt
		if c == nil || cnt != 0 {
			return cnt
		}
	}
	if c == *tree {
		if c.prv != nil {
			*tree = c.prv
		} else {
			*tree = c.nxt
		}
	}
	if c.prv != nil {
		c.prv.nxt = c.nxt
	}
	if c.nxt != nil {
		c.nxt.prv = c.prv
	}
	c.prv = nil
	c.nxt = nil
	cnt += nodePut(&c)
	return cnt
}

// actCheck reports EEXIST when any action on the level of tree, or below
// it, differs from action.
func actCheck(tree *cnode, action Action) error {
	if tree == nil {
		return nil
	}
	c := tree
	for c.prv != nil {
		c = c.prv
	}
	for ; c != nil; c = c.nxt {
		if c.hasT && c.actT != action {
			return syscall.EEXIST
		}
		if c.hasF && c.actF != action {
			return syscall.EEXIST
		}
		if err := actCheck(c.t, action); err != nil {
			return err
		}
		if err := actCheck(c.f, action); err != nil {
			return err
		}
	}
	return nil
}

// treePrune removes the parts of the existing tree that the new chain
// makes redundant (libseccomp's _db_tree_prune), counting the nodes it
// removes, and reports through state whether the new chain is itself
// redundant.
func treePrune(existing **cnode, nw *cnode, state *iterState) int {
	var (
		cnt      int
		stateNxt iterState
		stateNew = *state
		x        = *existing
		n        = nw
		xNext    *cnode
	)
	// descend prunes one level down, the existing subtree at *sub against
	// the new subtree nsub, with the state's flags changed by clear and
	// set. It holds a reference to x meanwhile, as pruning may drop it
	// (x is then nil). It reports whether the new chain matched below.
	descend := func(sub **cnode, nsub *cnode, clear, set uint) bool {
		nodeGet(x)
		stateNxt = *state
		stateNxt.flags &^= clear
		stateNxt.flags |= set
		cnt += treePrune(sub, nsub, &stateNxt)
		cnt += nodePut(&x)
		if stateNxt.flags&istMatch != 0 {
			stateNew.flags |= stateNxt.flags
			return true
		}
		return false
	}
	if n == nil || x == nil {
		goto ret
	}
	if state.flags&istMatchSet == istMatchOnce {
		goto ret
	}
	for x.prv != nil {
		x = x.prv
	}
	for ; x != nil; x = xNext {
		xNext = x.nxt
		if chainEqual(x, n) {
			stateNew.flags |= istMatchSet
			if isLeaf(n) {
				stateNew.flags |= istNFinished
			}
			if isLeaf(x) {
				stateNew.flags |= istXFinished
			}
			// keep nodes that carry more than the new chain does
			if (x.hasT || x.t != nil) && !(n.hasT || n.t != nil) {
				goto ret
			}
			if (x.hasF || x.f != nil) && !(n.hasF || n.f != nil) {
				goto ret
			}
			if stateNew.flags&istNFinished != 0 && stateNew.flags&istXFinished != 0 {
				if n.hasT != x.hasT || n.actT != x.actT {
					goto ret
				}
				if n.hasF != x.hasF || n.actF != x.actF {
					goto ret
				}
			}
			if n.t != nil {
				descend(&x.t, n.t, 0, istMatchSet)
				if x == nil {
					continue
				}
			}
			if n.f != nil {
				descend(&x.f, n.f, 0, istMatchSet)
				if x == nil {
					continue
				}
			}
			if actCheck(x, stateNew.action) == nil &&
				stateNew.flags&istMatch != 0 &&
				stateNew.flags&istNFinished != 0 &&
				stateNew.flags&istXPrefix != 0 {
				// the new chain is shorter: drop the existing one
				cnt += treeRemove(&state.sx.chains, x)
				if state.sx.chains == nil {
					goto ret
				}
			} else if actCheck(x, stateNew.action) == nil &&
				stateNew.flags&istMatch != 0 &&
				stateNew.flags&istXFinished != 0 &&
				stateNew.flags&istNPrefix != 0 {
				// the new chain is longer
				goto ret
			}
		} else if chainLess(x, n) {
			if state.flags&istNPrefix != 0 {
				goto ret
			}
			if x.t != nil {
				if descend(&x.t, n, istMatch, istXPrefix) {
					goto ret
				}
				if x == nil {
					continue
				}
			}
			if x.f != nil {
				if descend(&x.f, n, istMatch, istXPrefix) {
					goto ret
				}
				if x == nil {
					continue
				}
			}
		} else {
			if state.flags&istXPrefix != 0 {
				goto ret
			}
			if n.t != nil {
				if descend(&x, n.t, istMatch, istNPrefix) {
					goto ret
				}
				if x == nil {
					continue
				}
			}
			if n.f != nil {
				if descend(&x, n.f, istMatch, istNPrefix) {
					goto ret
				}
				if x == nil {
					continue
				}
			}
		}
	}
	// falling off the level: nothing matched
	stateNew.flags &^= istMatch

ret:
	if stateNew.flags&istMatch != 0 {
		state.flags |= stateNew.flags
	} else {
		state.flags &^= istMatch
	}
	return cnt
}

// treeAdd merges the new chain into the existing tree (libseccomp's
// _db_tree_add, with the 2.6.1 fix for the false branch of 64-bit
// comparisons).
func treeAdd(existing **cnode, nw *cnode, state *iterState) error {
	x := *existing
	n := nw
	for x != nil {
		if chainEqual(x, n) {
			if n.hasT {
				if !x.hasT {
					if err := actCheck(x.t, n.actT); err != nil {
						return err
					}
					rc := nodePut(&x.t)
					x.t = nil
					x.actT = n.actT
					x.hasT = true
					state.sx.nodeCnt -= rc
				} else if n.actT != x.actT {
					// a 64-bit GT/GE: the larger datum decides
					if n.hi && n.full > x.full {
						x.actT = n.actT
					}
					if isLeaf(x) || isLeaf(n) {
						return syscall.EEXIST
					}
				}
			}
			if n.hasF {
				if !x.hasF {
					if err := actCheck(x.f, n.actF); err != nil {
						return err
					}
					rc := nodePut(&x.f)
					x.f = nil
					x.actF = n.actF
					x.hasF = true
					state.sx.nodeCnt -= rc
				} else if n.actF != x.actF {
					// a 64-bit LT/LE: the smaller datum decides
					if n.hi && n.full < x.full {
						x.actF = n.actF
					}
					if isLeaf(x) || isLeaf(n) {
						return syscall.EEXIST
					}
				}
			}
			if n.t != nil {
				if x.t != nil {
					if err := treeAdd(&x.t, n.t, state); err != nil {
						return err
					}
				} else if !x.hasT {
					x.t = nodeGet(n.t)
				} else {
					// the existing chain is shorter
					return nil
				}
			}
			if n.f != nil {
				if x.f != nil {
					if err := treeAdd(&x.f, n.f, state); err != nil {
						return err
					}
				} else if !x.hasF {
					x.f = nodeGet(n.f)
				} else {
					return nil
				}
			}
			return nil
		} else if !chainLess(x, n) {
			if x.nxt == nil {
				if n.prv != nil || n.nxt != nil {
					return ErrLoop
				}
				n.prv = nodeGet(x)
				x.nxt = nodeGet(n)
				return nil
			}
			x = x.nxt
		} else {
			if n.prv != nil || n.nxt != nil {
				return ErrLoop
			}
			if x.prv != nil {
				x.prv.nxt = nodeGet(n)
				n.prv = x.prv
				x.prv = nodeGet(n)
				n.nxt = x
			} else {
				x.prv = nodeGet(n)
				n.nxt = nodeGet(x)
			}
			if *existing == x {
				*existing = nodeGet(n)
				nodePut(&x)
			}
			return nil
		}
	}
	return nil
}
