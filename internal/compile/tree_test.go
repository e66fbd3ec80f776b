package compile

import (
	"math/rand/v2"
	"testing"
)

// knuthAlphabeticTree computes, by Knuth's dynamic programming, the
// optimal alphabetic tree over n = len(prefix)-1 leaves, the weight of
// leaf k being prefix[k+1]-prefix[k]. For i <= j, cost[i*n+j] is the cost
// of the best tree over the leaves i to j and, for i < j, root[i*n+j] the
// first leaf of its right subtree, the smallest of the best ones.
//
// The best tree over the leaves i to j whose right subtree starts at leaf
// r costs cost[i*n+r-1] + cost[r*n+j] plus the weight of the leaves, and
// by Knuth's monotonicity the smallest best r lies between the roots of
// the two intervals one leaf shorter, root[i*n+j-1] and root[(i+1)*n+j];
// the work is quadratic.
func knuthAlphabeticTree(prefix []uint64) (cost []uint64, root []int32) {
	n := len(prefix) - 1
	cost = make([]uint64, n*n)
	root = make([]int32, n*n)
	for i := n - 2; i >= 0; i-- {
		cost[i*n+i+1], root[i*n+i+1] = prefix[i+2]-prefix[i], int32(i+1)
		for j := i + 2; j < n; j++ {
			lo, hi := int(root[i*n+j-1]), int(root[(i+1)*n+j])
			best, br := cost[i*n+lo-1]+cost[lo*n+j], lo
			for r := lo + 1; r <= hi; r++ {
				if v := cost[i*n+r-1] + cost[r*n+j]; v < best {
					best, br = v, r
				}
			}
			cost[i*n+j], root[i*n+j] = best+prefix[j+1]-prefix[i], int32(br)
		}
	}
	return cost, root
}

// bruteAlphabeticTree is knuthAlphabeticTree by the plain cubic dynamic
// programming, trying every root of every interval and keeping the
// smallest best one.
func bruteAlphabeticTree(prefix []uint64) (cost []uint64, root []int32) {
	n := len(prefix) - 1
	cost = make([]uint64, n*n)
	root = make([]int32, n*n)
	for d := 1; d < n; d++ {
		for i := 0; i+d < n; i++ {
			j := i + d
			best, br := ^uint64(0), 0
			for r := i + 1; r <= j; r++ {
				if v := cost[i*n+r-1] + cost[r*n+j]; v < best {
					best, br = v, r
				}
			}
			cost[i*n+j] = best + prefix[j+1] - prefix[i]
			root[i*n+j] = int32(br)
		}
	}
	return cost, root
}

// randomWeights returns n weights, often equal when maxW is small, with
// a few heavy ones.
func randomWeights(rng *rand.Rand, n int, maxW uint32) []uint32 {
	w := make([]uint32, n)
	for i := range w {
		w[i] = 1 + rng.Uint32N(maxW)
		if rng.IntN(8) == 0 {
			w[i] += rng.Uint32N(1 << 12) // a heavy leaf
		}
	}
	return w
}

func prefixSums(w []uint32) []uint64 {
	prefix := make([]uint64, len(w)+1)
	for i, x := range w {
		prefix[i+1] = prefix[i] + uint64(x)
	}
	return prefix
}

func TestKnuthAlphabeticTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		n := 1 + rng.IntN(48)
		// Small weights make many ties between roots, which must be
		// broken the same way; large ones spread the costs.
		maxW := []uint32{1, 2, 3, 20, 1 << 16}[iter%5]
		prefix := prefixSums(randomWeights(rng, n, maxW))
		cost, root := knuthAlphabeticTree(prefix)
		wantCost, wantRoot := bruteAlphabeticTree(prefix)
		for i := range n {
			for j := i; j < n; j++ {
				if cost[i*n+j] != wantCost[i*n+j] || (i < j && root[i*n+j] != wantRoot[i*n+j]) {
					t.Fatalf("weights %v: interval [%d, %d]: cost %d, root %d; want %d, %d",
						prefix, i, j, cost[i*n+j], root[i*n+j], wantCost[i*n+j], wantRoot[i*n+j])
				}
			}
		}
	}
}

// treeCost checks that the tree returned by alphabeticTree has the n
// leaves in order, each once, and returns the sum of the weights times the
// depths.
func treeCost(t *testing.T, w []uint32, kids []int32, root int32) uint64 {
	t.Helper()
	next := int32(0) // the next leaf expected
	var cost uint64
	var walk func(v int32, depth uint64) bool
	walk = func(v int32, depth uint64) bool {
		if v < 0 {
			if ^v != next {
				t.Errorf("weights %v: leaf %d where leaf %d is expected", w, ^v, next)
				return false
			}
			next++
			cost += uint64(w[^v]) * depth
			return true
		}
		if v <= 0 || int(v) >= len(w) || depth >= uint64(len(w)) {
			t.Errorf("weights %v: bad internal node %d at depth %d", w, v, depth)
			return false
		}
		if !walk(kids[2*v], depth+1) {
			return false
		}
		if next != v {
			t.Errorf("weights %v: internal node %d after leaf %d", w, v, next-1)
			return false
		}
		return walk(kids[2*v+1], depth+1)
	}
	if walk(root, 0) && int(next) != len(w) {
		t.Errorf("weights %v: %d leaves in the tree", w, next)
	}
	return cost
}

func TestAlphabeticTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for iter := range 5000 {
		n := 1 + rng.IntN(40)
		if iter%10 == 0 {
			n = 1 + rng.IntN(600)
		}
		maxW := []uint32{1, 2, 3, 20, 1 << 10, 1 << 20}[iter%6]
		w := randomWeights(rng, n, maxW)
		if iter%7 == 0 {
			// Runs of equal weights and slopes, which move
			// combinations far to the left.
			for i := range w {
				switch iter / 7 % 4 {
				case 0:
					w[i] = uint32(n - i)
				case 1:
					w[i] = uint32(i + 1)
				case 2:
					w[i] = uint32(2*n - i/2)
				case 3:
					w[i] = 1 + uint32(i%3)*uint32(i%5)
				}
			}
		}
		// Dirty scratch space, as it is when reused.
		seq := make([]uint32, n+2)
		ints := make([]int32, 8*n+1)
		for k := range ints {
			ints[k] = rng.Int32()
		}
		root := alphabeticTree(w, seq, ints)
		got := treeCost(t, w, ints[:2*n], root)
		if t.Failed() {
			t.FailNow()
		}
		wantCost, _ := knuthAlphabeticTree(prefixSums(w))
		if want := wantCost[n-1]; got != want {
			t.Fatalf("weights %v: cost %d, want %d", w, got, want)
		}
	}
}

// TestAlphabeticTreeLarge builds trees over the most leaves rangeTree
// gives alphabeticTree, with weights that move the combinations far.
func TestAlphabeticTreeLarge(t *testing.T) {
	n := optimalMax
	rng := rand.New(rand.NewPCG(5, 6))
	for name, weight := range map[string]func(i int) uint32{
		"decreasing": func(i int) uint32 { return uint32(2*n - i) },
		"increasing": func(i int) uint32 { return uint32(n + i) },
		"equal":      func(i int) uint32 { return 1 << 19 },
		"zigzag": func(i int) uint32 {
			if i%2 == 0 {
				return uint32(4*n - i)
			}
			return uint32(2*n - i)
		},
		"random": func(i int) uint32 { return 1 + rng.Uint32N(1<<19) },
	} {
		w := make([]uint32, n)
		for i := range w {
			w[i] = weight(i)
		}
		seq := make([]uint32, n+2)
		ints := make([]int32, 8*n+1)
		root := alphabeticTree(w, seq, ints)
		treeCost(t, w, ints[:2*n], root)
		if t.Failed() {
			t.Fatalf("%s weights", name)
		}
	}
}
