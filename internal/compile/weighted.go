package compile

import (
	"slices"

	"github.com/seccomp-go/seccomp/bpf"
)

// The layout for a syscall mix (Input.Weights). The expected cost of a
// syscall is the number of instructions run for it: the load of the
// architecture and the architecture checks up to its own, the
// comparisons of the number tree, the argument checks, and the return.
// The compiler minimises it piece by piece:
//
//   - the architectures are checked in the order of their total weight,
//     the most frequent first;
//   - each range of numbers weighs the calls it takes, plus a floor of
//     1/64 of the mean weight of a range, which keeps the ranges that
//     the mix never takes at a bounded depth;
//   - the number tree is the optimal alphabetic tree over these weights,
//     with an isolated number folded into its neighbours (see
//     rangeTree) only where the three are rarely reached, and with no
//     fixed split: for x86_64 and x32 sharing one token, the
//     test that tells their numbers apart is one split like the others,
//     as deep as the weights make it (x32's range on an x86_64-only
//     filter already is one range of the tree);
//   - before the tree, a chain of equality tests sends up to
//     maxHotTests very frequent numbers straight to their decisions,
//     each kept only when it lowers the expected cost: one comparison
//     for the hot number, one more for every other call.
//
// The argument checks of a syscall do not depend on the layout of the
// number tree; their cost is the same in any layout. Unlike the layout
// without weights, the ranges with argument checks are not raised
// towards the root to bound the longest path: the expected cost is what
// counts here, and the longest path may be a few instructions longer
// (19 rather than 15 for Docker's default profile on x86_64 laid out for
// a web server's mix).

// maxHotTests bounds the equality tests in front of a weighted tree.
const maxHotTests = 4

// hotCandidates is the number of most frequent numbers tried as
// equality tests.
const hotCandidates = 8

// hotNum is a number of the mix and its weight.
type hotNum struct {
	num uint32
	w   uint64
}

// weightedTree adds the weights of block b to segs, which cover every
// number, and returns the code of the number tree for an accumulator
// holding st.
func (c *compiler) weightedTree(b *archBlock, segs []seg, nr word, st acc) id {
	c.sparseFold = true
	defer func() { c.sparseFold = false }()
	var hot []hotNum
	for k := range b.n {
		for num, w := range b.w[k] {
			if w == 0 {
				continue
			}
			i := segIndex(segs, num)
			segs[i].w = addSat(segs[i].w, w)
			hot = append(hot, hotNum{num, w})
		}
	}
	// The weights are only compared, so scaling them all keeps the tree
	// optimal up to rounding: their sum is brought between 2^32 and
	// 2^40, so that the floor is not rounded up from a small count and
	// the costs (weights times depths of at most optimalMax) fit in 64
	// bits. Then the floor.
	var total uint64
	for _, s := range segs {
		total = addSat(total, s.w)
	}
	scale := func(w uint64) uint64 { return w }
	switch {
	case total >= 1<<40:
		shift := 0
		for total>>shift >= 1<<40 {
			shift++
		}
		scale = func(w uint64) uint64 { return w >> shift }
	case total < 1<<32:
		m := uint64(1<<32)/total + 1
		scale = func(w uint64) uint64 { return w * m }
	}
	total = scale(total)
	floor := max(1, total/(64*uint64(len(segs))))
	for i := range segs {
		segs[i].w = scale(segs[i].w) + floor
	}
	for i := range hot {
		hot[i].w = scale(hot[i].w)
	}
	slices.SortFunc(hot, func(a, b hotNum) int {
		if r := compareDesc(a.w, b.w); r != 0 {
			return r
		}
		return compareDesc(b.num, a.num)
	})
	hot = hot[:min(len(hot), hotCandidates)]

	// Equality tests, chosen greedily while they pay.
	var tests []hotNum
	if len(segs) <= optimalMax {
		var left uint64
		for _, s := range segs {
			left += s.w
		}
		cur := c.treeCost(segs)
		for len(tests) < maxHotTests {
			// Every call left pays the test; the hot number nothing
			// more, the others the tree without it.
			best, bestCost := -1, cur
			for j, h := range hot {
				if h.w == 0 {
					continue
				}
				i := segIndex(segs, h.num)
				d := min(h.w, segs[i].w-floor) // saturated sums
				segs[i].w -= d
				cost := left + c.treeCost(segs)
				segs[i].w += d
				if cost < bestCost {
					best, bestCost = j, cost
				}
			}
			if best < 0 {
				break
			}
			h := hot[best]
			i := segIndex(segs, h.num)
			d := min(h.w, segs[i].w-floor)
			segs[i].w -= d
			left -= d
			cur = c.treeCost(segs)
			tests = append(tests, h)
			hot[best].w = 0
		}
	}

	if len(tests) == 0 {
		return c.rangeTree(segs, nr, st)
	}
	code := c.rangeTree(segs, nr, nrAcc)
	for k := len(tests) - 1; k >= 0; k-- {
		in := nrAcc
		if k == 0 {
			in = st
		}
		d := segs[segIndex(segs, tests[k].num)].d
		code = c.jump(nr, in, bpf.JEQ, tests[k].num, d, code)
	}
	return code
}

// segIndex returns the index of the range of segs that holds num; segs
// cover every value, in order.
func segIndex(segs []seg, num uint32) int {
	i, _ := slices.BinarySearchFunc(segs, num, func(s seg, num uint32) int {
		switch {
		case s.hi < num:
			return -1
		case s.lo > num:
			return 1
		}
		return 0
	})
	return i
}

// treeCost returns the expected number of comparisons, times the total
// weight, of the tree rangeTree builds over segs: the depth of each
// range times its weight, plus the weight of a range with an exception
// for the equality test in front of it.
func (c *compiler) treeCost(segs []seg) uint64 {
	folded := c.foldExceptions(segs)
	var cost uint64
	for _, s := range folded {
		if s.hasExc {
			cost += s.w
		}
	}
	if len(folded) == 1 {
		return cost
	}
	root, kids := c.alphabetic(folded)
	var walk func(v int32, depth uint64)
	walk = func(v int32, depth uint64) {
		if v < 0 {
			cost += depth * folded[^v].w
			return
		}
		walk(kids[2*v], depth+1)
		walk(kids[2*v+1], depth+1)
	}
	walk(root, 0)
	return cost
}

// compareDesc orders larger values first.
func compareDesc[T uint32 | uint64](a, b T) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}
