package compile

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// compiler holds the state of one compilation.
type compiler struct {
	in    Input
	nodes []block
	table []id // hash table of nodes, -1 for an empty slot

	// Argument trees.
	bigEndian  bool           // byte order of the architecture being compiled
	weighted   bool           // Input.Weights gives weights
	sparseFold bool           // rangeTree folds only the isolated numbers rarely reached
	defRet     id             // return of the default action
	conts      []cont         // interned continuations; conts[0] is unused
	contIndex  map[cont]int32 // reverse of conts
	memo       map[levelKey]id
	depth      int

	// Scratch space reused between architectures.
	segs    []seg
	msegs   []seg
	gwSeq   []uint32 // alphabeticTree's sequence
	gwInts  []int32  // alphabeticTree's tree and scratch
	rev     bpf.Program
	entry   []int
	tramp   []int
	weights []uint32 // rangeTree's weights
	seen    []bool
	post    []id
	rets    []id
	heights []int32
	entries []entry
	blks    []archBlock
	roots   []id
	retIDs  []retID
	lastRet retID
	// trueFirst lists the blocks whose true successor is to be placed
	// right after them: the architecture checks, so that far jumps, if
	// any, burden the later architectures rather than the first.
	trueFirst []id
}

var pool = sync.Pool{New: func() any {
	return &compiler{
		contIndex: make(map[cont]int32, 16),
		memo:      make(map[levelKey]id, 32),
	}
}}

// newCompiler returns a compiler for in, reusing the memory of an earlier
// compilation when it can. Call release when done.
func newCompiler(in Input) *compiler {
	c := pool.Get().(*compiler)
	c.in = in
	c.nodes = c.nodes[:0]
	c.table = c.table[:0]
	c.conts = append(c.conts[:0], cont{})
	clear(c.contIndex)
	clear(c.memo)
	c.depth = 0
	c.retIDs = c.retIDs[:0]
	c.lastRet = retID{}
	c.heights = c.heights[:0]
	c.trueFirst = c.trueFirst[:0]
	return c
}

// release returns c to the pool, dropping its references to the input.
func (c *compiler) release() {
	c.in = Input{}
	clear(c.memo)
	clear(c.contIndex)
	clear(c.conts)
	clear(c.blks[:cap(c.blks)])
	pool.Put(c)
}

// cont is where evaluation goes once a level of an argument tree has been
// passed: the evaluation of the level that contains pos, from pos on (or,
// with viaFalse, from the false branch of pos), followed by parent. The
// continuation 0 is the filter's default action.
type cont struct {
	pos      *db.Node
	viaFalse bool
	parent   int32
}

// levelKey identifies the code for "evaluate from node n on, then
// continue with cont, on path p".
type levelKey struct {
	n    *db.Node
	cont int32
	p    path
}

// path is what is known when a block is entered: what the accumulator
// holds, and the ranges the argument words tested so far lie in.
type path struct {
	st acc
	fs facts
}

// span is a range of values, lo to ^nhi inclusive; the zero span holds
// every value.
type span struct{ lo, nhi uint32 }

// facts holds a span for each 32-bit argument word of struct
// seccomp_data, indexed by (offset-16)/4.
type facts [12]span

// maxFactsMemo is the number of argument-tree blocks past which facts
// are no longer tracked, which bounds the work on large trees.
const maxFactsMemo = 1 << 12

// bounds returns the range known for the word at off.
func (f *facts) bounds(off uint32) (lo, hi uint32) {
	s := f[(off-bpf.OffsetArgs)/4]
	return s.lo, ^s.nhi
}

// decide reports whether comparing a word in lo..hi to d with op has a
// known outcome, and that outcome.
func decide(op uint16, d, lo, hi uint32) (known, res bool) {
	switch op {
	case bpf.JEQ:
		if d < lo || d > hi {
			return true, false
		}
		if lo == d && hi == d {
			return true, true
		}
	case bpf.JGT:
		if lo > d {
			return true, true
		}
		if hi <= d {
			return true, false
		}
	case bpf.JGE:
		if lo >= d {
			return true, true
		}
		if hi < d {
			return true, false
		}
	}
	return false, false
}

// learn returns the facts after the comparison of the word at off with d
// by op came out true, and after it came out false. The comparison's
// outcome must not be known in advance.
func (f facts) learn(off uint32, op uint16, d uint32) (t, fl facts) {
	i := (off - bpf.OffsetArgs) / 4
	lo, hi := f[i].lo, ^f[i].nhi
	tlo, thi, flo, fhi := lo, hi, lo, hi
	switch op {
	case bpf.JEQ:
		tlo, thi = d, d
		if d == lo {
			flo = d + 1
		} else if d == hi {
			fhi = d - 1
		}
	case bpf.JGT:
		tlo, fhi = d+1, d
	case bpf.JGE:
		tlo, fhi = d, d-1
	}
	t, fl = f, f
	t[i], fl[i] = span{tlo, ^thi}, span{flo, ^fhi}
	return t, fl
}

// maxDepth bounds the nesting of argument-tree evaluation; a larger depth
// means the tree has a cycle.
const maxDepth = 1 << 12

// maxNodes bounds the size of the graph: a program that needs more
// blocks is far too long anyway.
const maxNodes = 1 << 16

var errCycle = errors.New("compile: argument tree too deep or cyclic")

// program builds the whole graph and returns its root.
func (c *compiler) program() (id, error) {
	blks, err := blocks(c.in, c.blks[:0])
	if err != nil {
		return 0, err
	}
	c.blks = blks
	c.weighted = c.in.weighted()
	if c.weighted {
		// The most frequent architecture is checked first.
		slices.SortStableFunc(blks, func(a, b archBlock) int { return compareDesc(a.total, b.total) })
	}
	roots := c.roots[:0]
	for range blks {
		roots = append(roots, 0)
	}
	c.roots = roots
	for i := range blks {
		if roots[i], err = c.archTree(&blks[i]); err != nil {
			return 0, err
		}
	}
	// The architecture checks, in the order of the filters.
	next := c.ret(c.in.BadArch)
	w := word{off: bpf.OffsetArch, mask: ^uint32(0)}
	for i := len(blks) - 1; i >= 0; i-- {
		st := archAcc
		if i == 0 {
			st = unknownAcc
		}
		next = c.jump(w, st, bpf.JEQ, blks[i].token, roots[i], next)
		c.trueFirst = append(c.trueFirst, next)
	}
	return next, nil
}

// internCont returns the number of continuation k.
func (c *compiler) internCont(k cont) int32 {
	if n, ok := c.contIndex[k]; ok {
		return n
	}
	n := int32(len(c.conts))
	c.conts = append(c.conts, k)
	c.contIndex[k] = n
	return n
}

// after returns the continuation that follows node n of a level reached
// with continuation k: the next node of the level, or k after the last.
func (c *compiler) after(n *db.Node, k int32) int32 {
	if n.Next != nil {
		return c.internCont(cont{pos: n.Next, parent: k})
	}
	return k
}

// resolve returns the code of continuation k on path p.
func (c *compiler) resolve(k int32, p path) (id, error) {
	if k == 0 {
		return c.defRet, nil
	}
	ct := c.conts[k]
	if ct.viaFalse {
		n := ct.pos
		return c.branch(n.FalseNext, n.HasFalseAct, n.FalseAct, c.after(n, ct.parent), p)
	}
	return c.level(ct.pos, ct.parent, p)
}

// branch returns the code of one branch of a node: another level, an
// action, or the continuation after the node.
func (c *compiler) branch(next *db.Node, hasAct bool, act db.Action, after int32, p path) (id, error) {
	switch {
	case next != nil:
		first, err := levelStart(next)
		if err != nil {
			return 0, err
		}
		return c.level(first, after, p)
	case hasAct:
		return c.ret(act), nil
	default:
		return c.resolve(after, p)
	}
}

// levelStart returns the first node of the level of n.
func levelStart(n *db.Node) (*db.Node, error) {
	for i := 0; n.Prev != nil; i++ {
		if i > 1<<16 {
			return nil, errCycle
		}
		n = n.Prev
	}
	return n, nil
}

// argWord returns the word that node n compares.
func (c *compiler) argWord(n *db.Node) (word, error) {
	if n.Arg < 0 || n.Arg > 5 {
		return word{}, fmt.Errorf("compile: argument index %d out of range", n.Arg)
	}
	off := uint32(bpf.OffsetArgs + 8*n.Arg)
	if n.High != c.bigEndian {
		off += 4
	}
	return word{off: off, mask: n.Mask}, nil
}

// jumpOp returns the BPF jump of a normalised comparison.
func jumpOp(op db.Op) (uint16, error) {
	switch op {
	case db.OpEQ, db.OpMaskedEQ:
		return bpf.JEQ, nil
	case db.OpGT:
		return bpf.JGT, nil
	case db.OpGE:
		return bpf.JGE, nil
	}
	return 0, fmt.Errorf("compile: unknown comparison %d", op)
}

// level returns the code that evaluates a level from node n on and then
// continues with k, on path p.
func (c *compiler) level(n *db.Node, k int32, p path) (id, error) {
	if len(c.memo) > maxFactsMemo {
		p.fs = facts{}
	}
	key := levelKey{n: n, cont: k, p: p}
	if r, ok := c.memo[key]; ok {
		return r, nil
	}
	if c.depth >= maxDepth {
		return 0, errCycle
	}
	if len(c.nodes) > maxNodes {
		return 0, fmt.Errorf("%w: more than %d blocks", ErrTooLong, maxNodes)
	}
	c.depth++
	defer func() { c.depth-- }()

	w, err := c.argWord(n)
	if err != nil {
		return 0, err
	}
	op, err := jumpOp(n.Op)
	if err != nil {
		return 0, err
	}
	full := w.mask == ^uint32(0)
	known, res := constResult(op, w.mask, n.Datum)
	if !known && full {
		// Earlier tests of the word on this path may decide this one.
		lo, hi := p.fs.bounds(w.off)
		known, res = decide(op, n.Datum, lo, hi)
	}
	var r id
	if known {
		// Nothing is loaded or compared.
		next := c.after(n, k)
		if res {
			r, err = c.branch(n.TrueNext, n.HasTrueAct, n.TrueAct, next, p)
		} else {
			r, err = c.branch(n.FalseNext, n.HasFalseAct, n.FalseAct, next, p)
		}
	} else if m := c.eqRun(n, w); m >= minSwitch {
		r, err = c.eqSwitch(n, m, w, k, p)
	} else {
		next := c.after(n, k)
		pt := path{st: w.acc(), fs: p.fs}
		pf := pt
		if full {
			pt.fs, pf.fs = p.fs.learn(w.off, op, n.Datum)
		}
		var t, f id
		if t, err = c.branch(n.TrueNext, n.HasTrueAct, n.TrueAct, next, pt); err != nil {
			return 0, err
		}
		if f, err = c.branch(n.FalseNext, n.HasFalseAct, n.FalseAct, next, pf); err != nil {
			return 0, err
		}
		r = c.jump(w, p.st, op, n.Datum, t, f)
	}
	if err != nil {
		return 0, err
	}
	c.memo[key] = r
	return r, nil
}

// constResult reports whether comparing a word masked with mask to datum
// with op has the same outcome whatever the word, and that outcome.
func constResult(op uint16, mask, datum uint32) (known, res bool) {
	switch {
	case mask == 0:
		switch op {
		case bpf.JEQ:
			return true, datum == 0
		case bpf.JGT:
			return true, false
		case bpf.JGE:
			return true, datum == 0
		}
	case op == bpf.JEQ && datum&mask != datum:
		return true, false
	case op == bpf.JGT && datum >= mask:
		return true, false
	case op == bpf.JGE && datum == 0:
		return true, true
	case op == bpf.JGE && datum > mask:
		return true, false
	}
	return false, false
}

// minSwitch is the shortest run of equality tests compiled as a search
// tree rather than as a chain of tests.
const minSwitch = 3

// maxSwitch bounds the length of a run, to keep the duplicate check cheap.
const maxSwitch = 64

// eqRun returns the length of the run of equality tests that starts at n:
// consecutive nodes of the level that compare the same masked word for
// equality with distinct constants, where every node but the last goes on
// to the next node when its test fails. At most one test of a run can
// succeed, so a run is a switch on the word.
func (c *compiler) eqRun(n *db.Node, w word) int {
	if n.Op != db.OpEQ && n.Op != db.OpMaskedEQ {
		return 0
	}
	m := 1
	for cur := n; m < maxSwitch && cur.FalseNext == nil && !cur.HasFalseAct && cur.Next != nil; m++ {
		nx := cur.Next
		if (nx.Op != db.OpEQ && nx.Op != db.OpMaskedEQ) || nx.Arg != n.Arg || nx.High != n.High || nx.Mask != w.mask {
			break
		}
		dup := false
		for p := n; p != nx; p = p.Next {
			if p.Datum == nx.Datum {
				dup = true
				break
			}
		}
		if dup {
			break
		}
		cur = nx
	}
	return m
}

// eqSwitch compiles the run of m equality tests that starts at n as a
// search tree on the word.
func (c *compiler) eqSwitch(n *db.Node, m int, w word, k int32, p path) (id, error) {
	ws := path{st: w.acc(), fs: p.fs}
	last := n
	for i := 1; i < m; i++ {
		last = last.Next
	}
	// Once one test of the run has failed or its branch has been passed,
	// the others fail too: evaluation goes on with the false branch of
	// the last test of the run.
	rest := c.internCont(cont{pos: last, viaFalse: true, parent: k})
	dflt, err := c.resolve(rest, ws)
	if err != nil {
		return 0, err
	}
	type kase struct {
		v uint32
		d id
	}
	cases := make([]kase, 0, m)
	nd := n
	for i := 0; i < m; i, nd = i+1, nd.Next {
		next := rest
		if i == m-1 {
			next = c.after(nd, k)
		}
		if nd.Datum&w.mask != nd.Datum {
			continue // never equal
		}
		pc := ws
		if w.mask == ^uint32(0) {
			pc.fs, _ = p.fs.learn(w.off, bpf.JEQ, nd.Datum)
		}
		d, err := c.branch(nd.TrueNext, nd.HasTrueAct, nd.TrueAct, next, pc)
		if err != nil {
			return 0, err
		}
		cases = append(cases, kase{nd.Datum, d})
	}
	// Insertion sort: runs are short.
	for i := 1; i < len(cases); i++ {
		for j := i; j > 0 && cases[j].v < cases[j-1].v; j-- {
			cases[j], cases[j-1] = cases[j-1], cases[j]
		}
	}
	segs := make([]seg, 0, 2*len(cases)+1)
	var lo uint32
	open := true // lo is the start of a range not yet covered
	for _, cs := range cases {
		if open && cs.v > lo {
			segs = appendSeg(segs, seg{lo: lo, hi: cs.v - 1, d: dflt})
		}
		segs = appendSeg(segs, seg{lo: cs.v, hi: cs.v, d: cs.d})
		lo, open = cs.v+1, cs.v != ^uint32(0)
	}
	if open {
		segs = appendSeg(segs, seg{lo: lo, hi: ^uint32(0), d: dflt})
	}
	for i := range segs {
		segs[i].w = 1
	}
	return c.rangeTree(segs, w, p.st), nil
}
