package db

// apiArg is one normalised argument comparison of a rule: libseccomp keeps
// the comparisons of a rule in an array indexed by argument number, so a
// rule's chain always tests the arguments in increasing order.
type apiArg struct {
	mask  uint64
	datum uint64
	op    int32
	valid bool
}

// rule is a rule as stored for replay: the syscall is in the native
// namespace, before translation and rewriting.
type rule struct {
	action  Action
	syscall int32
	strict  bool
	// args holds the comparisons by argument number; nil when the rule
	// has none, as most rules have.
	args *[6]apiArg
}

// noArgs stands for the comparisons of a rule without any; it is never
// written.
var noArgs [6]apiArg

// cmps returns the comparisons of the rule.
func (r *rule) cmps() *[6]apiArg {
	if r.args == nil {
		return &noArgs
	}
	return r.args
}

const datumMax = ^uint64(0)

func lo32(v uint64) uint32 { return uint32(v) }
func hi32(v uint64) uint32 { return uint32(v >> 32) }

func needLo(a *apiArg) bool { return !(a.op == cmpMaskedEQ && lo32(a.mask) == 0) }
func needHi(a *apiArg) bool { return !(a.op == cmpMaskedEQ && hi32(a.mask) == 0) }

// setWord makes c a test of one 32-bit word of argument arg, the high or
// the low one, with the word of a's mask and datum (the datum masked),
// keeping a's operator and full datum as libseccomp does.
func setWord(c *cnode, arg int, hi bool, a *apiArg) {
	c.arg, c.hi, c.opOrig, c.full = arg, hi, int(a.op), a.datum
	if hi {
		c.mask, c.datum = hi32(a.mask), hi32(a.datum)
	} else {
		c.mask, c.datum = lo32(a.mask), lo32(a.datum)
	}
	c.datum &= c.mask
}

// gen64 builds the chain of a rule for an ABI with 64-bit arguments: each
// comparison becomes a high-word and a low-word test (three tests for the
// ordering operators), following libseccomp's _db_rule_gen_64.
func (db *archDB) gen64(r *rule) sysEntry {
	if r.args == nil {
		return sysEntry{num: uint32(r.syscall), valid: true, action: r.action}
	}
	s := sysEntry{num: uint32(r.syscall), valid: true}
	var cur, prev [3]*cnode
	opPrev := 0
	args := r.cmps()
	for arg := 0; arg < 6; arg++ {
		a := &args[arg]
		if !a.valid {
			continue
		}
		if !needHi(a) && !needLo(a) {
			continue
		}
		cur = [3]*cnode{db.alloc.node(), db.alloc.node(), nil}
		switch a.op {
		case cmpGT, cmpGE, cmpLE, cmpLT:
			cur[2] = db.alloc.node()
			setWord(cur[0], arg, true, a)
			setWord(cur[1], arg, true, a)
			setWord(cur[2], arg, false, a)
			cur[0].op = cmpGT
			cur[1].op = cmpEQ
			if a.op == cmpGT || a.op == cmpLE {
				cur[2].op = cmpGT
			} else {
				cur[2].op = cmpGE
			}
			cur[0].f = nodeGet(cur[1])
			cur[1].t = nodeGet(cur[2])
		default: // EQ, MASKED_EQ, NE
			setWord(cur[0], arg, true, a)
			setWord(cur[1], arg, false, a)
			op := cmpEQ
			if a.op == cmpMaskedEQ {
				op = cmpMaskedEQ
			}
			cur[0].op, cur[1].op = op, op
			cur[0].t = nodeGet(cur[1])
		}
		if prev[0] != nil {
			switch opPrev {
			case cmpGT, cmpGE:
				prev[0].t = nodeGet(cur[0])
				prev[2].t = nodeGet(cur[0])
			case cmpEQ, cmpMaskedEQ:
				prev[1].t = nodeGet(cur[0])
			case cmpLE, cmpLT:
				prev[1].f = nodeGet(cur[0])
				prev[2].f = nodeGet(cur[0])
			case cmpNE:
				prev[0].f = nodeGet(cur[0])
				prev[1].f = nodeGet(cur[0])
			}
		} else {
			s.chains = nodeGet(cur[0])
		}
		switch a.op {
		case cmpNE, cmpEQ, cmpMaskedEQ:
			s.nodeCnt += 2
		default:
			s.nodeCnt += 3
		}
		prev = cur
		opPrev = int(a.op)
	}
	if cur[0] == nil {
		s.action = r.action
		return s
	}
	switch opPrev {
	case cmpGT, cmpGE:
		cur[0].hasT, cur[0].actT = true, r.action
		cur[2].hasT, cur[2].actT = true, r.action
	case cmpLE, cmpLT:
		cur[1].hasF, cur[1].actF = true, r.action
		cur[2].hasF, cur[2].actF = true, r.action
	case cmpEQ, cmpMaskedEQ:
		cur[1].hasT, cur[1].actT = true, r.action
	case cmpNE:
		cur[0].hasF, cur[0].actF = true, r.action
		cur[1].hasF, cur[1].actF = true, r.action
	}
	return s
}

// gen32 builds the chain of a rule for an ABI with 32-bit arguments: one
// test of the low word per comparison, the upper 32 bits of the datum and
// mask being dropped, following libseccomp's _db_rule_gen_32.
func (db *archDB) gen32(r *rule) sysEntry {
	if r.args == nil {
		return sysEntry{num: uint32(r.syscall), valid: true, action: r.action}
	}
	s := sysEntry{num: uint32(r.syscall), valid: true}
	var cur, prev *cnode
	tf := false
	args := r.cmps()
	for arg := 0; arg < 6; arg++ {
		a := &args[arg]
		if !a.valid {
			continue
		}
		if !needLo(a) {
			continue
		}
		cur = db.alloc.node()
		setWord(cur, arg, false, a)
		cur.op = int(a.op)
		if prev != nil {
			if tf {
				prev.t = nodeGet(cur)
			} else {
				prev.f = nodeGet(cur)
			}
		} else {
			s.chains = nodeGet(cur)
		}
		s.nodeCnt++
		switch cur.op {
		case cmpNE:
			cur.op, tf = cmpEQ, false
		case cmpLT:
			cur.op, tf = cmpGE, false
		case cmpLE:
			cur.op, tf = cmpGT, false
		default:
			tf = true
		}
		prev = cur
	}
	if cur == nil {
		s.action = r.action
		return s
	}
	if tf {
		cur.hasT, cur.actT = true, r.action
	} else {
		cur.hasF, cur.actF = true, r.action
	}
	return s
}
