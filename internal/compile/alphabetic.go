package compile

import "math"

// alphabeticTree builds an optimal alphabetic tree over the n = len(w)
// leaves of weights w: the binary tree, its leaves in order, that
// minimises the sum of the weights times the depths. It uses the
// algorithm of Garsia and Wachs (SIAM J. Comput. 6(4), 1977), as told by
// Knuth (TAOCP vol. 3, 2nd ed., 6.2.2, Algorithm G), in three phases:
//
//  1. Combination. In the sequence of the weights, bounded by infinite
//     weights on both sides, take the leftmost pair w[k-1], w[k] with
//     w[k-1] <= w[k+1], combine it into one node of weight
//     x = w[k-1]+w[k] and move x to the left, past the weights smaller
//     than x, to just after the nearest weight that is at least x. Repeat
//     until one node is left.
//  2. The depth of each leaf in the tree of the combinations, which is
//     not alphabetic, is its depth in an optimal alphabetic tree.
//  3. The alphabetic tree with those depths, which is unique, is rebuilt
//     from left to right with a stack: two adjacent subtrees of the same
//     depth on top of it are siblings.
//
// Phase 1 reads the leaves one by one: the sequence it keeps has no pair
// that can be combined but at its end, where a new weight is added, so
// the pair it combines is leftmost in the whole sequence. After a
// combination, only the pairs next to x and those from where the pair was
// onwards can have become combinable. The weights left of the pair
// decrease at every other place, so the place of x is found by binary
// search. Moving the nodes takes quadratic time at worst, a plain copy
// of O(n) elements each time, but time close to linear on usual weights;
// Garsia and Wachs need balanced trees for O(n log n).
//
// seq and ints are scratch space of at least n+2 and 8*n+1 elements. The
// tree is returned in ints[:2*n] as kids: for 0 < r < n, kids[2*r] and
// kids[2*r+1] are the left and right subtrees of the internal node
// between leaves r-1 and r, an internal node written as its r and leaf
// k as ^k; root is the whole tree in the same form. The sum of the
// weights must be less than 2^32-1.
func alphabeticTree(w, seq []uint32, ints []int32) (root int32) {
	n := len(w)
	if n == 1 {
		return ^0
	}
	kids := ints[:2*n]
	node := ints[2*n : 3*n+2] // the nodes of seq: leaf k is k, the m-th combination n+m
	up := ints[3*n+2 : 5*n+1] // the parent of each node, then its depth

	// Phase 1. seq holds weights, node the nodes they are of; seq[0]
	// is the infinite weight on the left, the one on the right comes
	// after the last leaf.
	const inf = math.MaxUint32
	seq = seq[:n+2]
	seq[0] = inf
	m := 1    // the length of the sequence
	next := n // the next combination
	// The pair seq[k-1], seq[k] is the first that may be combinable,
	// with seq[k-1] <= seq[k+1]; after a combination, the scan jumps
	// from skip to resume.
	k := 2
	skip, resume := 0, 0
	for i := 0; i <= n; i++ {
		if i < n {
			seq[m], node[m] = w[i], int32(i)
		} else {
			seq[m] = inf
		}
		m++
		for {
			for k+1 < m && seq[k-1] > seq[k+1] {
				k++
				if k == skip {
					k, skip = max(k, resume), 0
				}
			}
			if k+1 >= m {
				break
			}
			x := seq[k-1] + seq[k]
			up[node[k-1]], up[node[k]] = int32(next), int32(next)
			// Move x left, then close the gap at k. The weights from
			// seq[1] to seq[k] decrease at every other place.
			j := k - 1
			for seq[j-1] < x {
				j--
				if j < k-8 {
					j = afterAtLeast(seq[:j], x)
					break
				}
			}
			// The moves are mostly short.
			if k-j > 16 {
				copy(seq[j+1:k], seq[j:k-1])
				copy(node[j+1:k], node[j:k-1])
			} else {
				for p := k - 1; p > j; p-- {
					seq[p], node[p] = seq[p-1], node[p-1]
				}
			}
			seq[j], node[j] = x, int32(next)
			next++
			m--
			if m-k > 16 {
				copy(seq[k:m], seq[k+1:m+1])
				copy(node[k:m], node[k+1:m+1])
			} else {
				for p := k; p < m; p++ {
					seq[p], node[p] = seq[p+1], node[p+1]
				}
			}
			// The pairs ending at j+2 to k-2 have the same neighbours
			// as before, and none could be combined: only those
			// ending at j-1 to j+1 and from k-1 on can be now.
			skip, resume = j+2, k-1
			k = max(j-1, 2)
		}
	}

	// Phase 2. Each node is combined after its subtrees, so the depths
	// can overwrite the parents from the root down.
	up[2*n-2] = 0
	for v := 2*n - 3; v >= 0; v-- {
		up[v] = up[up[v]] + 1
	}
	depth := up[:n]

	// Phase 3. The stack holds subtrees, their depths and first leaves;
	// its depths increase from the bottom.
	stack := ints[5*n+1 : 8*n+1]
	ref, dep, first := stack[:n], stack[n:2*n], stack[2*n:3*n]
	top := -1
	for i := range n {
		top++
		ref[top], dep[top], first[top] = ^int32(i), depth[i], int32(i)
		for top > 0 && dep[top-1] == dep[top] {
			r := first[top]
			kids[2*r], kids[2*r+1] = ref[top-1], ref[top]
			top--
			ref[top], dep[top] = r, dep[top]-1
		}
	}
	return ref[0]
}

// afterAtLeast returns the index after the last weight of seq that is at
// least x. The weights of even indices decrease, as do those of odd ones,
// and seq[0] is at least x.
func afterAtLeast(seq []uint32, x uint32) int {
	best := 0
	for q := len(seq) - 1; q >= len(seq)-2 && q > best; q-- {
		// The chain seq[q], seq[q-2], ..., increasing: the first of
		// them, counted by t, at least x.
		lo, hi := 0, q/2+1
		for lo < hi {
			t := int(uint(lo+hi) >> 1)
			if seq[q-2*t] < x {
				lo = t + 1
			} else {
				hi = t
			}
		}
		if lo <= q/2 {
			best = max(best, q-2*lo)
		}
	}
	return best + 1
}
