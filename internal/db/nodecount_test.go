package db

import (
	"math/rand/v2"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// exportedNodes returns the number of distinct nodes of an exported tree.
func exportedNodes(n *Node) int {
	seen := map[*Node]bool{}
	var walk func(n *Node)
	walk = func(n *Node) {
		for _, m := range Level(n) {
			if !seen[m] {
				seen[m] = true
				walk(m.TrueNext)
				walk(m.FalseNext)
			}
		}
	}
	walk(n)
	return len(seen)
}

// liveNodes returns the number of distinct nodes reachable from n.
func liveNodes(n *cnode) int {
	seen := map[*cnode]bool{}
	var walk func(n *cnode)
	walk = func(n *cnode) {
		if n == nil {
			return
		}
		for n.prv != nil {
			n = n.prv
		}
		if seen[n] {
			return
		}
		for ; n != nil; n = n.nxt {
			seen[n] = true
			walk(n.t)
			walk(n.f)
		}
	}
	walk(n)
	return len(seen)
}

// TestNodeCountIsTreeSize checks that the node count libseccomp keeps for
// each syscall as rules are added, merged and pruned (the low part of the
// priority that orders the checks of syscall -1 on x86_64 and x32) is the
// number of nodes of the exported argument tree, which is what the
// compiler and the model order those checks by.
func TestNodeCountIsTreeSize(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	acts := []Action{ActAllow, ActTrap, ActErrno | 1, ActLog, ActKillProcess}
	vals := []uint64{0, 1, 2, 0xffffffff, 0x100000000, 0x100000001, 0xffffffff00000000}
	var checked, mismatched int
	for range 3000 {
		native := []*arch.Arch{arch.X86_64, arch.X86}[r.IntN(2)]
		c, err := New(ActKillThread, native, nil)
		if err != nil {
			t.Fatal(err)
		}
		for range 1 + r.IntN(8) {
			var conds []Cond
			used := map[uint32]bool{}
			for range r.IntN(4) {
				a := uint32(r.IntN(3))
				if used[a] {
					continue
				}
				used[a] = true
				conds = append(conds, Cond{Arg: a, Op: 1 + r.IntN(7), A: vals[r.IntN(len(vals))], B: vals[r.IntN(len(vals))]})
			}
			c.AddRule(acts[r.IntN(len(acts))], int32(r.IntN(3)), false, conds)
		}
		exported := map[[2]uint32]int{}
		for _, f := range c.Filters() {
			for _, s := range f.Syscalls {
				exported[[2]uint32{f.Arch.Token, s.Num}] = exportedNodes(s.Chains)
			}
		}
		for _, f := range c.filters {
			for _, s := range f.appendSorted(nil) {
				if !s.valid || s.chains == nil {
					continue
				}
				checked++
				got, ok := exported[[2]uint32{f.arch.Token, s.num}]
				if !ok {
					t.Fatalf("%s nr %d not exported", f.arch.Name, s.num)
				}
				if got != s.nodeCnt || got != liveNodes(s.chains) {
					mismatched++
					if mismatched < 5 {
						t.Errorf("%s nr %d: nodeCnt %d, exported %d, live %d", f.arch.Name, s.num, s.nodeCnt, got, liveNodes(s.chains))
					}
				}
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d entries with argument trees", checked)
	}
	if mismatched > 0 {
		t.Errorf("%d of %d entries mismatched", mismatched, checked)
	}
}
