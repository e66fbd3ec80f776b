package compile

import (
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// seg is a range of values of a word, lo to hi inclusive, all decided by
// block d; w is the weight of the range, how often it is expected to be
// taken.
type seg struct {
	lo, hi uint32
	d      id
	w      uint64
	// With hasExc, the single value exc inside the range is decided by
	// excD instead of d.
	hasExc bool
	exc    uint32
	excD   id
}

// appendSeg appends s to segs, merging it into the last range when they
// touch and have the same decision.
func appendSeg(segs []seg, s seg) []seg {
	if n := len(segs); n > 0 && segs[n-1].d == s.d && segs[n-1].hi+1 == s.lo {
		segs[n-1].hi = s.hi
		segs[n-1].w += s.w
		return segs
	}
	return append(segs, s)
}

// Weights of the syscall-number tree. A range is weighted by the
// syscalls it holds that have a rule of their own, more so when their
// priority is high, plus a little so that rarely taken ranges do not end
// up arbitrarily deep.
const (
	weightRange    = 1
	weightSyscall  = 16
	weightPriority = 4096
)

// optimalMax is the largest number of ranges for which the tree is made
// optimal, which takes time quadratic in the number of ranges at worst;
// above it the ranges are split at the weighted median.
const optimalMax = 1 << 12

// entry is the decision for one syscall number and its weight.
type entry struct {
	num uint32
	d   id
	w   uint64
}

// archTree returns the code of one architecture block, for an
// accumulator holding the architecture token.
func (c *compiler) archTree(b *archBlock) (id, error) {
	filters := b.filters()
	c.bigEndian = filters[0].Arch.BigEndian
	// Argument offsets depend on the byte order: code built for another
	// architecture cannot be reused by node.
	clear(c.memo)
	c.defRet = c.ret(c.in.Default)
	badRet := c.ret(c.in.BadArch)

	// With weights, the ranges are weighted by the expected calls
	// they take, not by priorities.
	wmode := c.weighted && b.total > 0

	// Numbers that belong to the other ABI of the shared x86_64 token
	// are a bad architecture, as in libseccomp; syscall -1 is not.
	var badLo, badHi uint32
	bad := false
	if len(filters) == 1 {
		switch filters[0].Arch.Name {
		case "x86_64":
			badLo, badHi, bad = x32SyscallBit, 0xfffffffe, true
		case "x32":
			badLo, badHi, bad = 0, x32SyscallBit-1, true
		}
	}

	// The decision of every syscall with rules, before any range is
	// built: building argument trees may reuse c.segs.
	entries := c.entries[:0]
	add := func(s *db.Syscall) error {
		if bad && s.Num >= badLo && s.Num <= badHi {
			return nil // never reached
		}
		d := c.ret(s.Action)
		if s.Chains != nil {
			first, err := levelStart(s.Chains)
			if err != nil {
				return err
			}
			if d, err = c.level(first, 0, path{st: nrAcc}); err != nil {
				return err
			}
		}
		var w uint64
		if !wmode {
			w = uint64(s.Priority) * weightPriority
			if d != c.defRet {
				w += weightSyscall
			}
		}
		entries = append(entries, entry{num: s.Num, d: d, w: w})
		return nil
	}
	// Merge the sorted lists of the block's filters. Both x86_64 and x32
	// can only share syscall -1, and only the entry libseccomp checks
	// first counts.
	x := filters[0].Syscalls
	var y []*db.Syscall
	if len(filters) == 2 {
		y = filters[1].Syscalls
	}
	if n := len(x) + len(y); cap(entries) < n {
		// room for them all, rather than growing by appending
		entries = make([]entry, 0, n)
	}
	if len(filters) != 2 {
		// Nothing to merge.
		for _, s := range x {
			if err := add(s); err != nil {
				return 0, err
			}
		}
		x = nil
	}
	for len(x) > 0 || len(y) > 0 {
		var s *db.Syscall
		switch {
		case len(y) == 0 || (len(x) > 0 && x[0].Num < y[0].Num):
			s, x = x[0], x[1:]
		case len(x) == 0 || y[0].Num < x[0].Num:
			s, y = y[0], y[1:]
		default:
			s = x[0]
			if checkedFirst(y[0], s) {
				s = y[0]
			}
			x, y = x[1:], y[1:]
		}
		if err := add(s); err != nil {
			return 0, err
		}
	}
	c.entries = entries

	// The ranges of numbers.
	segs := c.segs[:0]
	gap := func(lo, hi uint32) {
		if bad && lo <= badHi && hi >= badLo {
			if lo < badLo {
				segs = appendSeg(segs, seg{lo: lo, hi: badLo - 1, d: c.defRet})
			}
			segs = appendSeg(segs, seg{lo: max(lo, badLo), hi: min(hi, badHi), d: badRet})
			if hi > badHi {
				segs = appendSeg(segs, seg{lo: badHi + 1, hi: hi, d: c.defRet})
			}
			return
		}
		segs = appendSeg(segs, seg{lo: lo, hi: hi, d: c.defRet})
	}
	var lo uint32
	open := true
	for _, e := range entries {
		if e.num > lo {
			gap(lo, e.num-1)
		}
		segs = appendSeg(segs, seg{lo: e.num, hi: e.num, d: e.d, w: e.w})
		lo, open = e.num+1, e.num != ^uint32(0)
	}
	if open {
		gap(lo, ^uint32(0))
	}
	nr := word{off: bpf.OffsetNr, mask: ^uint32(0)}
	if wmode {
		c.segs = segs
		return c.weightedTree(b, segs, nr, archAcc), nil
	}
	for i := range segs {
		segs[i].w += weightRange
	}
	c.liftArgTrees(segs)
	c.segs = segs
	if len(filters) == 2 {
		// x86_64 and x32 together: their numbers hardly interleave,
		// so split them at the root and save half of the work.
		for k := 1; k < len(segs); k++ {
			if segs[k].lo >= x32SyscallBit {
				hi := c.rangeTree(segs[k:], nr, nrAcc)
				lo := c.rangeTree(segs[:k], nr, nrAcc)
				return c.jump(nr, archAcc, bpf.JGE, segs[k].lo, hi, lo), nil
			}
		}
	}
	return c.rangeTree(segs, nr, archAcc), nil
}

// liftArgTrees raises the weight of the ranges decided by argument
// checks so that the longer the checks, the closer to the root of the
// number tree they are: a range whose checks take a instructions gets at
// least 1.5*2^(a-D) of the total weight, where D is about the depth of a
// balanced tree plus three. This bounds the longest path through the
// filter at little cost to the mean.
func (c *compiler) liftArgTrees(segs []seg) {
	var total uint64
	for _, s := range segs {
		total += s.w
	}
	depth := 3
	for 1<<depth < 8*len(segs) {
		depth++
	}
	for i, s := range segs {
		a := c.height(s.d)
		if a == 0 {
			continue
		}
		shift := max(depth-a, 1)
		segs[i].w = max(s.w, total>>shift+total>>(shift+1))
	}
}

// height returns the largest number of instructions executed in block n
// and its successors, returns excluded.
func (c *compiler) height(n id) int {
	for len(c.heights) < len(c.nodes) {
		c.heights = append(c.heights, -1)
	}
	if h := c.heights[n]; h >= 0 {
		return int(h)
	}
	b := c.nodes[n]
	h := 0
	if !b.ret {
		h = 1 + max(c.height(b.t), c.height(b.f))
		if b.ld != 0 {
			h++
		}
		if b.hasAnd {
			h++
		}
	}
	c.heights[n] = int32(h)
	return h
}

// checkedFirst reports whether libseccomp checks the entry a before the
// entry b of the same syscall number when the two come from x86_64 and x32
// filtering one architecture token, b's filter being the first: it orders
// syscalls by priority, which is the user's priority and then the smaller
// argument tree, and keeps the first filter's entry first on ties.
func checkedFirst(a, b *db.Syscall) bool {
	if a.Priority != b.Priority {
		return a.Priority > b.Priority
	}
	return countNodes(a.Chains) < countNodes(b.Chains)
}

// countNodes returns the number of distinct nodes of a tree, up to a
// bound.
func countNodes(n *db.Node) int {
	if n == nil {
		return 0
	}
	seen := map[*db.Node]bool{}
	var walk func(n *db.Node)
	walk = func(n *db.Node) {
		for n != nil && n.Prev != nil && !seen[n.Prev] && len(seen) < 1<<16 {
			n = n.Prev
		}
		for ; n != nil && !seen[n] && len(seen) < 1<<16; n = n.Next {
			seen[n] = true
			walk(n.TrueNext)
			walk(n.FalseNext)
		}
	}
	walk(n)
	return len(seen)
}

// rangeTree returns a decision tree that sends each value of word w to the
// block of its range, for an accumulator holding st on entry. The ranges
// must cover all values, in order. An isolated value between two ranges
// with the same decision is first folded with them into one range with an
// exception, tested with one comparison for equality, unless argument
// checks follow the value or one of the ranges carries more than an eighth
// of the weight (the extra comparison would cost too much); then the tree over
// the ranges that minimises the weighted number of comparisons, the
// optimal alphabetic tree, is built by the algorithm of Garsia and Wachs.
func (c *compiler) rangeTree(in []seg, w word, st acc) id {
	segs := c.foldExceptions(in)
	ws := w.acc()
	leaf := func(s *seg, st acc) id {
		if s.hasExc {
			return c.jump(w, st, bpf.JEQ, s.exc, s.excD, c.enter(s.d, w, ws))
		}
		return c.enter(s.d, w, st)
	}
	n := len(segs)
	if n == 1 {
		return leaf(&segs[0], st)
	}
	if n > optimalMax {
		return c.medianTree(segs, leaf, w, st)
	}
	root, kids := c.alphabetic(segs)
	var build func(v int32, st acc) id
	build = func(v int32, st acc) id {
		if v < 0 {
			return leaf(&segs[^v], st)
		}
		t := build(kids[2*v+1], ws)
		f := build(kids[2*v], ws)
		return c.jump(w, st, bpf.JGE, segs[v].lo, t, f)
	}
	return build(root, st)
}

// foldExceptions returns the ranges of in with the isolated values that
// rangeTree tests for equality folded into their neighbours. The result
// is in c.msegs.
func (c *compiler) foldExceptions(in []seg) []seg {
	var total uint64
	for _, s := range in {
		total += s.w
	}
	segs := c.msegs[:0]
	if cap(segs) < len(in) {
		// the most it can take
		segs = make([]seg, 0, len(in))
	}
	for i := 0; i < len(in); {
		if i+2 < len(in) && in[i].d == in[i+2].d && in[i+1].lo == in[i+1].hi && c.height(in[i+1].d) == 0 &&
			c.foldable(in[i].w, in[i+1].w, in[i+2].w, total) {
			segs = append(segs, seg{
				lo: in[i].lo, hi: in[i+2].hi, d: in[i].d, w: in[i].w + in[i+1].w + in[i+2].w,
				hasExc: true, exc: in[i+1].lo, excD: in[i+1].d,
			})
			i += 3
			continue
		}
		segs = append(segs, in[i])
		i++
	}
	c.msegs = segs
	return segs
}

// foldable reports whether foldExceptions folds an isolated number of
// weight x between ranges of weights a and b, out of total. Without a
// mix, unless one of the ranges carries more than an eighth of the
// weight; with one (weightedTree), when the test for the number costs
// at most 1/64 comparison per call.
func (c *compiler) foldable(a, x, b, total uint64) bool {
	if c.sparseFold {
		return 64*(a+x+b) <= total
	}
	return 8*max(a, b) <= total
}

// alphabetic returns the optimal alphabetic tree over segs, 2 to
// optimalMax ranges, in the form of alphabeticTree.
func (c *compiler) alphabetic(segs []seg) (root int32, kids []int32) {
	n := len(segs)
	var total uint64
	for _, s := range segs {
		total += s.w
	}
	// Scale the weights so that their sum fits in 32 bits.
	scale := uint64(1)
	if lim := uint64(1<<31) / uint64(n); total > lim {
		scale = total/lim + 1
	}
	if cap(c.weights) < n {
		c.weights = make([]uint32, n)
	}
	if cap(c.gwSeq) < n+2 {
		c.gwSeq = make([]uint32, n+2)
	}
	if cap(c.gwInts) < 8*n+1 {
		c.gwInts = make([]int32, 8*n+1)
	}
	weights := c.weights[:n]
	for i, s := range segs {
		weights[i] = uint32(s.w/scale) + 1
	}
	// The tree comes back in kids[:2*n]; the rest is scratch space.
	kids = c.gwInts[:8*n+1]
	root = alphabeticTree(weights, c.gwSeq[:n+2], kids)
	return root, kids
}

// medianTree is rangeTree for many ranges: it splits them where the
// weights on both sides are closest to equal.
func (c *compiler) medianTree(segs []seg, leaf func(*seg, acc) id, w word, st acc) id {
	prefix := make([]uint64, len(segs)+1)
	for i, s := range segs {
		prefix[i+1] = prefix[i] + s.w
	}
	var build func(i, j int, st acc) id
	build = func(i, j int, st acc) id {
		if i == j {
			return leaf(&segs[i], st)
		}
		// The first r in (i, j] with the weight of segs[i:r] at least
		// half of the total, or the one before it.
		half := prefix[i] + (prefix[j+1]-prefix[i])/2
		lo, hi := i+1, j
		for lo < hi {
			m := (lo + hi) / 2
			if prefix[m] >= half {
				hi = m
			} else {
				lo = m + 1
			}
		}
		r := lo
		if r > i+1 && half-prefix[r-1] < prefix[r]-half {
			r--
		}
		ws := w.acc()
		t := build(r, j, ws)
		f := build(i, r-1, ws)
		return c.jump(w, st, bpf.JGE, segs[r].lo, t, f)
	}
	return build(0, len(segs)-1, st)
}
