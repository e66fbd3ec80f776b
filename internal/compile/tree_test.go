package compile

import (
	"math/rand/v2"
	"testing"
)

// bruteAlphabeticTree is alphabeticTree by the plain cubic dynamic
// programming, trying every root of every interval and keeping the
// smallest best one.
func bruteAlphabeticTree(prefix []uint32) (cost []uint32, root []int32) {
	n := len(prefix) - 1
	cost = make([]uint32, n*n)
	root = make([]int32, n*n)
	for d := 1; d < n; d++ {
		for i := 0; i+d < n; i++ {
			j := i + d
			best, br := ^uint32(0), 0
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

func TestAlphabeticTree(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		n := 1 + rng.IntN(48)
		// Small weights make many ties between roots, which must be
		// broken the same way; large ones spread the costs.
		maxW := []uint32{1, 2, 3, 20, 1 << 16}[iter%5]
		prefix := make([]uint32, n+1)
		for i := range n {
			w := 1 + rng.Uint32N(maxW)
			if rng.IntN(8) == 0 {
				w += rng.Uint32N(1 << 12) // a heavy leaf
			}
			prefix[i+1] = prefix[i] + w
		}
		// Dirty scratch space, as it is when reused.
		cost := make([]uint32, n*n)
		root := make([]int32, n*n)
		for k := range cost {
			cost[k], root[k] = rng.Uint32(), rng.Int32()
		}
		alphabeticTree(prefix, cost, root)
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
