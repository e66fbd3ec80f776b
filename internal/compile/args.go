package compile

import (
	"errors"
	"fmt"
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
	bigEndian bool           // byte order of the architecture being compiled
	defRet    id             // return of the default action
	conts     []cont         // interned continuations; conts[0] is unused
	contIndex map[cont]int32 // reverse of conts
	memo      map[levelKey]id
	depth     int

	// Scratch space reused between architectures.
	segs    []seg
	msegs   []seg
	cost    []uint32
	costT   []uint32
	root    []int32
	rev     bpf.Program
	entry   []int
	tramp   []int
	prefix  []uint32
	seen    []bool
	post    []id
	rets    []id
	heights []int32
	entries []entry
	blks    []archBlock
	roots   []id
	retIDs  []retID
	lastRet retID
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
// continue with cont, with the accumulator holding st".
type levelKey struct {
	n    *db.Node
	cont int32
	st   acc
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

// resolve returns the code of continuation k for accumulator st.
func (c *compiler) resolve(k int32, st acc) (id, error) {
	if k == 0 {
		return c.defRet, nil
	}
	ct := c.conts[k]
	if ct.viaFalse {
		n := ct.pos
		return c.branch(n.FalseNext, n.HasFalseAct, n.FalseAct, c.after(n, ct.parent), st)
	}
	return c.level(ct.pos, ct.parent, st)
}

// branch returns the code of one branch of a node: another level, an
// action, or the continuation after the node.
func (c *compiler) branch(next *db.Node, hasAct bool, act db.Action, after int32, st acc) (id, error) {
	switch {
	case next != nil:
		first, err := levelStart(next)
		if err != nil {
			return 0, err
		}
		return c.level(first, after, st)
	case hasAct:
		return c.ret(act), nil
	default:
		return c.resolve(after, st)
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
// continues with k, for an accumulator holding st.
func (c *compiler) level(n *db.Node, k int32, st acc) (id, error) {
	key := levelKey{n: n, cont: k, st: st}
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
	var r id
	if known, res := constResult(op, w.mask, n.Datum); known {
		// The outcome does not depend on the word: nothing is loaded.
		next := c.after(n, k)
		if res {
			r, err = c.branch(n.TrueNext, n.HasTrueAct, n.TrueAct, next, st)
		} else {
			r, err = c.branch(n.FalseNext, n.HasFalseAct, n.FalseAct, next, st)
		}
	} else if m := c.eqRun(n, w); m >= minSwitch {
		r, err = c.eqSwitch(n, m, w, k, st)
	} else {
		next := c.after(n, k)
		var t, f id
		if t, err = c.branch(n.TrueNext, n.HasTrueAct, n.TrueAct, next, w.acc()); err != nil {
			return 0, err
		}
		if f, err = c.branch(n.FalseNext, n.HasFalseAct, n.FalseAct, next, w.acc()); err != nil {
			return 0, err
		}
		r = c.jump(w, st, op, n.Datum, t, f)
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
func (c *compiler) eqSwitch(n *db.Node, m int, w word, k int32, st acc) (id, error) {
	ws := w.acc()
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
	p := n
	for i := 0; i < m; i, p = i+1, p.Next {
		next := rest
		if i == m-1 {
			next = c.after(p, k)
		}
		d, err := c.branch(p.TrueNext, p.HasTrueAct, p.TrueAct, next, ws)
		if err != nil {
			return 0, err
		}
		if p.Datum&w.mask != p.Datum {
			continue // never equal
		}
		cases = append(cases, kase{p.Datum, d})
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
	return c.rangeTree(segs, w, st), nil
}
