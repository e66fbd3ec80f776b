package compile

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

// This file holds an independent, direct evaluator of the rule database
// and the helpers that check a compiled program against it.

const (
	actAllow = db.Action(bpf.RetAllow)
	actKill  = db.Action(bpf.RetKillProcess)
	actTrap  = db.Action(bpf.RetTrap)
	actLog   = db.Action(bpf.RetLog)
)

func actErrno(e uint16) db.Action { return db.Action(bpf.RetErrno | uint32(e)) }

// evalIR decides input d the way the database describes it.
func evalIR(in Input, d bpf.Data) db.Action {
	var fs []*db.Filter
	for _, f := range in.Filters {
		if f.Arch.Token == d.Arch {
			fs = append(fs, f)
		}
	}
	if len(fs) == 0 {
		return in.BadArch
	}
	nr := uint32(d.Nr)
	if len(fs) == 1 {
		switch fs[0].Arch.Name {
		case "x86_64":
			if nr >= 0x40000000 && nr != 0xffffffff {
				return in.BadArch
			}
		case "x32":
			if nr < 0x40000000 {
				return in.BadArch
			}
		}
	}
	// Only x86_64 and x32 share a token, and only syscall -1; the entry
	// with the higher priority, then the smaller tree, then the first
	// filter's, is the one that counts.
	var s *db.Syscall
	for _, f := range fs {
		for _, x := range f.Syscalls {
			if x.Num != nr {
				continue
			}
			if s == nil || x.Priority > s.Priority || (x.Priority == s.Priority && size(x.Chains) < size(s.Chains)) {
				s = x
			}
		}
	}
	if s == nil {
		return in.Default
	}
	if s.Chains == nil {
		return s.Action
	}
	if act, ok := evalLevel(s.Chains, d); ok {
		return act
	}
	return in.Default
}

// size counts the nodes of a tree.
func size(n *db.Node) int {
	seen := map[*db.Node]bool{}
	var walk func(n *db.Node)
	walk = func(n *db.Node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		walk(n.Prev)
		walk(n.Next)
		walk(n.TrueNext)
		walk(n.FalseNext)
	}
	walk(n)
	return len(seen)
}

// evalLevel evaluates the level of n; ok is false when evaluation falls
// off its end.
func evalLevel(n *db.Node, d bpf.Data) (act db.Action, ok bool) {
	for n.Prev != nil {
		n = n.Prev
	}
	for ; n != nil; n = n.Next {
		v := d.Args[n.Arg]
		w := uint32(v)
		if n.High {
			w = uint32(v >> 32)
		}
		w &= n.Mask
		var r bool
		switch n.Op {
		case db.OpEQ, db.OpMaskedEQ:
			r = w == n.Datum
		case db.OpGT:
			r = w > n.Datum
		case db.OpGE:
			r = w >= n.Datum
		}
		next, has, a := n.FalseNext, n.HasFalseAct, n.FalseAct
		if r {
			next, has, a = n.TrueNext, n.HasTrueAct, n.TrueAct
		}
		if next != nil {
			if a, ok := evalLevel(next, d); ok {
				return a, true
			}
			continue
		}
		if has {
			return a, true
		}
	}
	return 0, false
}

// Builders for hand-written trees.

func cmp(op db.Op, arg int, high bool, datum uint32) *db.Node {
	return &db.Node{Arg: arg, High: high, Op: op, Mask: ^uint32(0), Datum: datum}
}

func masked(arg int, high bool, mask, datum uint32) *db.Node {
	return &db.Node{Arg: arg, High: high, Op: db.OpMaskedEQ, Mask: mask, Datum: datum}
}

func tAct(n *db.Node, a db.Action) *db.Node { n.HasTrueAct, n.TrueAct = true, a; return n }
func fAct(n *db.Node, a db.Action) *db.Node { n.HasFalseAct, n.FalseAct = true, a; return n }
func tNext(n, l *db.Node) *db.Node          { n.TrueNext = l; return n }
func fNext(n, l *db.Node) *db.Node          { n.FalseNext = l; return n }

// lvl links nodes into one level and returns its first node.
func lvl(nodes ...*db.Node) *db.Node {
	for i, n := range nodes {
		if i > 0 {
			n.Prev = nodes[i-1]
			nodes[i-1].Next = n
		}
	}
	return nodes[0]
}

func sc(num uint32, a db.Action) *db.Syscall { return &db.Syscall{Num: num, Action: a} }

func scArgs(num uint32, chains *db.Node) *db.Syscall {
	return &db.Syscall{Num: num, Chains: chains}
}

func filter(a *arch.Arch, s ...*db.Syscall) *db.Filter {
	slices.SortFunc(s, func(x, y *db.Syscall) int {
		if x.Num < y.Num {
			return -1
		}
		if x.Num > y.Num {
			return 1
		}
		return 0
	})
	return &db.Filter{Arch: a, Syscalls: s}
}

// probeWords returns argument values built from the constants of the
// trees of in: each constant in either half, plus and minus one, with the
// other half zero, equal or all ones, and some fixed values.
func probeValues(in Input) []uint64 {
	words := map[uint32]bool{0: true, 1: true, 0xffffffff: true, 0x80000000: true}
	var walk func(n *db.Node, seen map[*db.Node]bool)
	walk = func(n *db.Node, seen map[*db.Node]bool) {
		for n != nil && n.Prev != nil {
			n = n.Prev
		}
		for ; n != nil; n = n.Next {
			if seen[n] {
				return
			}
			seen[n] = true
			for _, v := range []uint32{n.Datum, n.Datum - 1, n.Datum + 1, n.Datum | ^n.Mask, n.Datum &^ 1} {
				words[v] = true
			}
			if n.TrueNext != nil {
				walk(n.TrueNext, seen)
			}
			if n.FalseNext != nil {
				walk(n.FalseNext, seen)
			}
		}
	}
	seen := map[*db.Node]bool{}
	for _, f := range in.Filters {
		for _, s := range f.Syscalls {
			if s.Chains != nil {
				walk(s.Chains, seen)
			}
		}
	}
	var ws []uint32
	for w := range words {
		ws = append(ws, w)
	}
	slices.Sort(ws)
	var vals []uint64
	for _, lo := range ws {
		vals = append(vals, uint64(lo), uint64(lo)<<32, uint64(lo)<<32|uint64(lo), 0xffffffff00000000|uint64(lo))
	}
	for _, hi := range ws {
		for _, lo := range ws {
			if len(vals) > 4000 {
				break
			}
			vals = append(vals, uint64(hi)<<32|uint64(lo))
		}
	}
	slices.Sort(vals)
	return slices.Compact(vals)
}

// probeNumbers returns the syscall numbers to try for the filters of in.
func probeNumbers(in Input) []uint32 {
	nums := map[uint32]bool{}
	for _, v := range []uint32{0, 1, 2, 0x3fffffff, 0x40000000, 0x40000001, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff} {
		nums[v] = true
	}
	for _, f := range in.Filters {
		for _, s := range f.Syscalls {
			for _, v := range []uint32{s.Num - 1, s.Num, s.Num + 1, s.Num ^ 0x40000000} {
				nums[v] = true
			}
		}
	}
	// The weighted layout may test a weighted number without rules.
	for _, m := range in.Weights {
		for num := range m {
			for _, v := range []uint32{num - 1, num, num + 1} {
				nums[v] = true
			}
		}
	}
	var out []uint32
	for v := range nums {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}

// check compiles in and compares the program with evalIR on many inputs;
// it also checks that the program verifies and that every syscall whose
// decision does not depend on the arguments and is ALLOW is seen as a
// constant ALLOW by the kernel's action cache. It returns the program.
func check(t *testing.T, in Input, argProbes int) bpf.Program {
	t.Helper()
	p, err := Compile(in)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	if err := p.Verify(); err != nil {
		t.Fatalf("Verify: %v\n%s", err, p.Disassemble())
	}
	vals := probeValues(in)
	rng := rand.New(rand.NewPCG(1, 2))
	tokens := []uint32{0xc00000b7 /* aarch64 is foreign to most cases */, 0x12345678}
	orders := map[uint32]*arch.Arch{}
	for _, f := range in.Filters {
		tokens = append(tokens, f.Arch.Token)
		orders[f.Arch.Token] = f.Arch
	}
	slices.Sort(tokens)
	tokens = slices.Compact(tokens)
	failures := 0
	for _, tok := range tokens {
		order := arch.X86_64.ByteOrder()
		if a, ok := orders[tok]; ok {
			order = a.ByteOrder()
		}
		vm, err := bpf.NewVM(p, order)
		if err != nil {
			t.Fatal(err)
		}
		for _, nr := range probeNumbers(in) {
			argDep := false
			for k := 0; k <= argProbes; k++ {
				d := bpf.Data{Nr: int32(nr), Arch: tok}
				if k > 0 {
					for i := range d.Args {
						d.Args[i] = vals[rng.IntN(len(vals))]
					}
					// Often make several arguments equal to one
					// value, as rules tend to test one argument.
					if k%3 == 0 {
						v := vals[rng.IntN(len(vals))]
						d.Args = [6]uint64{v, v, v, v, v, v}
					}
				}
				want := evalIR(in, d)
				got, _, err := vm.Run(d)
				if err != nil {
					t.Fatalf("Run(%+v): %v", d, err)
				}
				if got != uint32(want) {
					failures++
					if failures < 10 {
						t.Errorf("arch %#x nr %#x args %#x: got %s, want %s", tok, nr, d.Args, bpf.ActionString(got), bpf.ActionString(uint32(want)))
					}
				}
				if k == 0 && uint32(want) != bpf.RetAllow {
					argDep = true // only ALLOW matters below
				}
				if k > 0 && want != evalIR(in, bpf.Data{Nr: int32(nr), Arch: tok}) {
					argDep = true
				}
			}
			if !argDep && argIndependent(in, tok, nr) && !bpf.ConstAllow(p, tok, int32(nr)) {
				t.Errorf("arch %#x nr %#x: constant ALLOW not seen by the action cache", tok, nr)
			}
			if argIndependent(in, tok, nr) {
				want := evalIR(in, bpf.Data{Nr: int32(nr), Arch: tok})
				if got, ok := constPath(p, tok, nr); !ok || got != uint32(want) {
					t.Errorf("arch %#x nr %#x: the path to %s uses more than the number and the architecture (ok %v, got %s)",
						tok, nr, bpf.ActionString(uint32(want)), ok, bpf.ActionString(got))
				}
			}
		}
	}
	if failures > 0 {
		t.Fatalf("%d mismatches; program:\n%s", failures, p.Disassemble())
	}
	return p
}

// constPath follows p for syscall nr of the architecture with token tok
// using only the instructions the kernel's action cache understands, and
// returns the value returned; ok is false if another instruction, such as
// a load of an argument, is on the way.
func constPath(p bpf.Program, tok, nr uint32) (ret uint32, ok bool) {
	var a uint32
	for pc := 0; pc < len(p); pc++ {
		ins := p[pc]
		switch ins.Op {
		case bpf.LD | bpf.W | bpf.ABS:
			switch ins.K {
			case bpf.OffsetNr:
				a = nr
			case bpf.OffsetArch:
				a = tok
			default:
				return 0, false
			}
		case bpf.ALU | bpf.AND | bpf.K:
			a &= ins.K
		case bpf.JMP | bpf.JA:
			pc += int(ins.K)
		case bpf.JMP | bpf.JEQ | bpf.K, bpf.JMP | bpf.JGT | bpf.K, bpf.JMP | bpf.JGE | bpf.K, bpf.JMP | bpf.JSET | bpf.K:
			var c bool
			switch bpf.Operation(ins.Op) {
			case bpf.JEQ:
				c = a == ins.K
			case bpf.JGT:
				c = a > ins.K
			case bpf.JGE:
				c = a >= ins.K
			case bpf.JSET:
				c = a&ins.K != 0
			}
			if c {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case bpf.RET | bpf.K:
			return ins.K, true
		default:
			return 0, false
		}
	}
	return 0, false
}

// argIndependent reports whether the decision for nr on the arch with
// token tok never looks at the arguments.
func argIndependent(in Input, tok uint32, nr uint32) bool {
	for _, f := range in.Filters {
		if f.Arch.Token != tok {
			continue
		}
		for _, s := range f.Syscalls {
			if s.Num == nr && s.Chains != nil {
				return false
			}
		}
	}
	return true
}
