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

// dpMax is the largest number of ranges for which the tree is built by
// dynamic programming, which takes time and space quadratic in the number
// of ranges; above it the ranges are split at the weighted median.
const dpMax = 512

// archTree returns the code of one architecture block, for an
// accumulator holding the architecture token.
func (c *compiler) archTree(b archBlock) (id, error) {
	c.bigEndian = b.filters[0].Arch.BigEndian
	// Argument offsets depend on the byte order: code built for another
	// architecture cannot be reused by node.
	clear(c.memo)
	c.defRet = c.ret(c.in.Default)
	badRet := c.ret(c.in.BadArch)

	// Numbers that belong to the other ABI of the shared x86_64 token
	// are a bad architecture, as in libseccomp; syscall -1 is not.
	var badLo, badHi uint32
	bad := false
	if len(b.filters) == 1 {
		switch b.filters[0].Arch.Name {
		case "x86_64":
			badLo, badHi, bad = x32SyscallBit, 0xfffffffe, true
		case "x32":
			badLo, badHi, bad = 0, x32SyscallBit-1, true
		}
	}
	inBad := func(x uint32) bool { return bad && x >= badLo && x <= badHi }

	// The decision of every syscall with rules, before any range is
	// built: building argument trees may reuse c.segs.
	type entry struct {
		num uint32
		d   id
		w   uint64
	}
	var entries []entry
	add := func(s *db.Syscall) error {
		if inBad(s.Num) {
			return nil // never reached
		}
		d := c.ret(s.Action)
		if s.Chains != nil {
			first, err := levelStart(s.Chains)
			if err != nil {
				return err
			}
			if d, err = c.level(first, 0, nrAcc); err != nil {
				return err
			}
		}
		w := uint64(s.Priority) * weightPriority
		if d != c.defRet {
			w += weightSyscall
		}
		entries = append(entries, entry{num: s.Num, d: d, w: w})
		return nil
	}
	// Merge the sorted lists of the block's filters. Both x86_64 and x32
	// can only share syscall -1; the rule with the higher priority, then
	// that of the first filter, is the one libseccomp checks first.
	lists := make([][]*db.Syscall, len(b.filters))
	for i, f := range b.filters {
		lists[i] = f.Syscalls
	}
	for {
		pick := -1
		for i, l := range lists {
			if len(l) == 0 {
				continue
			}
			if pick < 0 || l[0].Num < lists[pick][0].Num ||
				(l[0].Num == lists[pick][0].Num && l[0].Priority > lists[pick][0].Priority) {
				pick = i
			}
		}
		if pick < 0 {
			break
		}
		s := lists[pick][0]
		if err := add(s); err != nil {
			return 0, err
		}
		for i := range lists {
			if len(lists[i]) > 0 && lists[i][0].Num == s.Num {
				lists[i] = lists[i][1:]
			}
		}
	}

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
	for i := range segs {
		segs[i].w += weightRange
	}
	c.liftArgTrees(segs)
	c.segs = segs
	return c.rangeTree(segs, word{off: bpf.OffsetNr, mask: ^uint32(0)}, archAcc), nil
}

// liftArgTrees raises the weight of the ranges decided by argument
// checks so that the longer the checks, the closer to the root of the
// number tree they are: a range whose checks take a instructions gets at
// least 2^(a-D) of the total weight, where D is about the depth of a
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
		segs[i].w = max(s.w, total>>shift)
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

// rangeTree returns a decision tree that sends each value of word w to the
// block of its range, for an accumulator holding st on entry. The ranges
// must cover all values, in order. The tree minimises the weighted number
// of comparisons: it is the optimal alphabetic tree (by Knuth's dynamic
// programming), except that an isolated value between two ranges with the
// same decision is tested with one comparison for equality.
func (c *compiler) rangeTree(segs []seg, w word, st acc) id {
	n := len(segs)
	if n == 1 {
		return c.enter(segs[0].d, w, st)
	}
	if n > dpMax {
		return c.medianTree(segs, w, st)
	}
	nn := n * n
	if cap(c.cost) < nn {
		c.cost = make([]uint64, nn)
		c.root = make([]int32, nn)
		c.special = make([]bool, nn)
	}
	cost, root, special := c.cost[:nn], c.root[:nn], c.special[:nn]
	// prefix[k] is the weight of segs[:k].
	prefix := make([]uint64, n+1)
	for i, s := range segs {
		prefix[i+1] = prefix[i] + s.w
	}
	for i := range n {
		cost[i*n+i] = 0
		special[i*n+i] = false
	}
	for l := 2; l <= n; l++ {
		for i := 0; i+l <= n; i++ {
			j := i + l - 1
			ij := i*n + j
			sum := prefix[j+1] - prefix[i]
			special[ij] = false
			if l == 2 {
				cost[ij], root[ij] = sum, int32(j)
				continue
			}
			// The root r splits the values into segs[i:r] and
			// segs[r:j+1]; by Knuth's monotonicity it lies between
			// the roots of the two intervals one shorter.
			lo, hi := root[ij-1], root[ij+n]
			best, br := ^uint64(0), lo
			for r := lo; r <= hi; r++ {
				v := cost[i*n+int(r)-1] + cost[int(r)*n+j]
				if v < best {
					best, br = v, r
				}
			}
			cost[ij], root[ij] = sum+best, br
			if l == 3 && segs[i].d == segs[j].d && segs[i+1].lo == segs[i+1].hi {
				cost[ij], special[ij] = sum, true
			}
		}
	}
	var build func(i, j int, st acc) id
	build = func(i, j int, st acc) id {
		if i == j {
			return c.enter(segs[i].d, w, st)
		}
		ws := w.acc()
		ij := i*n + j
		if special[ij] {
			return c.jump(w, st, bpf.JEQ, segs[i+1].lo, segs[i+1].d, c.enter(segs[i].d, w, ws))
		}
		r := int(root[ij])
		t := build(r, j, ws)
		f := build(i, r-1, ws)
		return c.jump(w, st, bpf.JGE, segs[r].lo, t, f)
	}
	return build(0, n-1, st)
}

// medianTree is rangeTree for many ranges: it splits them where the
// weights on both sides are closest to equal.
func (c *compiler) medianTree(segs []seg, w word, st acc) id {
	prefix := make([]uint64, len(segs)+1)
	for i, s := range segs {
		prefix[i+1] = prefix[i] + s.w
	}
	var build func(i, j int, st acc) id
	build = func(i, j int, st acc) id {
		if i == j {
			return c.enter(segs[i].d, w, st)
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
