package db

// buildChain fills e with the argument tree of r alone: its number, the
// tree of r's comparisons in increasing argument order, and the number
// of nodes made. A rule whose comparisons all match everything gets no
// tree (e.chains is nil) and its action in e.action.
//
// On a 64-bit ABI each comparison tests the high and then the low word
// of its argument (two or three nodes, see chain64); on a 32-bit ABI it
// is one test of the low word. Every link the chain is built with holds
// a count on the node it leads to, and so does the top handle e.chains.
func (db *archDB) buildChain(r *rule, e *sysEntry) {
	e.num = uint32(r.syscall)
	e.valid = true
	if r.args != nil {
		// build from the last comparison backwards, so that each
		// group links to the one after it
		var next *cnode
		wide := db.arch.Bits == 64
		for i := len(r.args) - 1; i >= 0; i-- {
			a := &r.args[i]
			if !a.valid {
				continue
			}
			var first *cnode
			var made int
			if wide {
				first, made = db.chain64(i, a, next, r.action)
			} else {
				first, made = db.chain32(i, a, next, r.action)
			}
			if first != nil {
				next = first
				e.nodeCnt += made
			}
		}
		if next != nil {
			next.refs++
			e.chains = next
			return
		}
	}
	e.action = r.action
}

// newNode returns a node testing one word of comparison a of argument
// arg with normalised operator op.
func (db *archDB) newNode(arg int, a *apiArg, hi bool, op int) *cnode {
	n := db.alloc.node()
	mask, datum := uint32(a.mask), uint32(a.datum)
	if hi {
		mask, datum = uint32(a.mask>>32), uint32(a.datum>>32)
	}
	n.arg, n.hi, n.op, n.opOrig = arg, hi, op, int(a.op)
	n.mask, n.datum, n.full = mask, datum&mask, a.datum
	return n
}

// onTrue makes n's true branch continue at next, or end with act when
// next is nil.
func (n *cnode) onTrue(next *cnode, act Action) {
	if next == nil {
		n.hasT, n.actT = true, act
		return
	}
	n.t = next
	next.refs++
}

// onFalse is onTrue for the false branch.
func (n *cnode) onFalse(next *cnode, act Action) {
	if next == nil {
		n.hasF, n.actF = true, act
		return
	}
	n.f = next
	next.refs++
}

// chain64 makes the nodes of comparison a of argument arg on a 64-bit
// ABI, continuing at next (or ending with act when next is nil). It
// returns the group's first node and the number of nodes made, or nil
// for a masked comparison whose mask is zero.
//
// Equality tests (EQ, NE, MASKED_EQ) are two nodes, high word then low
// word; for NE both false branches continue. Ordering tests are three:
// high word greater, else high word equal and then the low word; LT and
// LE continue on the false branches of the second and third nodes.
func (db *archDB) chain64(arg int, a *apiArg, next *cnode, act Action) (*cnode, int) {
	switch a.op {
	case cmpEQ, cmpMaskedEQ, cmpNE:
		if a.op == cmpMaskedEQ && a.mask == 0 {
			return nil, 0
		}
		op := cmpEQ
		if a.op == cmpMaskedEQ {
			op = cmpMaskedEQ
		}
		n1 := db.newNode(arg, a, true, op)
		n2 := db.newNode(arg, a, false, op)
		n1.onTrue(n2, act)
		if a.op == cmpNE {
			n1.onFalse(next, act)
			n2.onFalse(next, act)
		} else {
			n2.onTrue(next, act)
		}
		return n1, 2
	case cmpGT, cmpGE, cmpLT, cmpLE:
		low := cmpGT
		if a.op == cmpGE || a.op == cmpLT {
			low = cmpGE
		}
		n1 := db.newNode(arg, a, true, cmpGT)
		n2 := db.newNode(arg, a, true, cmpEQ)
		n3 := db.newNode(arg, a, false, low)
		n1.onFalse(n2, act)
		n2.onTrue(n3, act)
		if a.op == cmpGT || a.op == cmpGE {
			n1.onTrue(next, act)
			n3.onTrue(next, act)
		} else {
			n2.onFalse(next, act)
			n3.onFalse(next, act)
		}
		return n1, 3
	}
	return nil, 0
}

// chain32 makes the node of comparison a of argument arg on a 32-bit
// ABI: one test of the low word, NE, LT and LE as the inverse test
// continuing on its false branch. It returns nil for a masked comparison
// whose mask has a zero low word.
func (db *archDB) chain32(arg int, a *apiArg, next *cnode, act Action) (*cnode, int) {
	var op int
	onTrue := true
	switch a.op {
	case cmpMaskedEQ:
		if uint32(a.mask) == 0 {
			return nil, 0
		}
		op = cmpMaskedEQ
	case cmpEQ, cmpGE, cmpGT:
		op = int(a.op)
	case cmpNE:
		op, onTrue = cmpEQ, false
	case cmpLT:
		op, onTrue = cmpGE, false
	case cmpLE:
		op, onTrue = cmpGT, false
	default:
		return nil, 0
	}
	n := db.newNode(arg, a, false, op)
	if onTrue {
		n.onTrue(next, act)
	} else {
		n.onFalse(next, act)
	}
	return n, 1
}
