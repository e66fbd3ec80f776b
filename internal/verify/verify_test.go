package verify

import (
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
	"github.com/seccomp-go/seccomp/internal/model"
)

var actions = []db.Action{
	db.Action(bpf.RetAllow), db.Action(bpf.RetKillThread), db.Action(bpf.RetKillProcess),
	db.Action(bpf.RetTrap), db.Action(bpf.RetErrno | 1), db.Action(bpf.RetErrno | 13),
	db.Action(bpf.RetLog), db.Action(bpf.RetTrace | 7), db.Action(bpf.RetUserNotif),
}

var datums = []uint32{0, 1, 2, 3, 5, 0x10, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff}

// randTree builds a random argument tree of at most depth levels.
func randTree(r *rand.Rand, a *arch.Arch, depth int) *db.Node {
	n := 1 + r.IntN(3)
	var first, prev *db.Node
	for range n {
		nd := &db.Node{Arg: r.IntN(6), Op: db.Op(1 + r.IntN(4)), Mask: 0xffffffff, Datum: datums[r.IntN(len(datums))]}
		if a.Bits == 64 && r.IntN(3) == 0 {
			nd.High = true
		}
		if nd.Op == db.OpMaskedEQ {
			nd.Mask = []uint32{0xff, 0xf0, 1, 0x80000001, 0xffff0000}[r.IntN(5)]
			if r.IntN(4) > 0 {
				nd.Datum &= nd.Mask
			}
		}
		for br := range 2 {
			var hasAct bool
			var act db.Action
			var next *db.Node
			switch k := r.IntN(4); {
			case k <= 1:
				hasAct, act = true, actions[r.IntN(len(actions))]
			case k == 2 && depth > 1:
				next = randTree(r, a, depth-1)
			}
			if br == 0 {
				nd.HasTrueAct, nd.TrueAct, nd.TrueNext = hasAct, act, next
			} else {
				nd.HasFalseAct, nd.FalseAct, nd.FalseNext = hasAct, act, next
			}
		}
		if prev != nil {
			prev.Next, nd.Prev = nd, prev
		} else {
			first = nd
		}
		prev = nd
	}
	return first
}

var randArches = []*arch.Arch{arch.X86_64, arch.X32, arch.X86, arch.AArch64, arch.PPC64, arch.MIPS}

func randRuleSet(r *rand.Rand) ([]*db.Filter, db.Action, db.Action) {
	var filters []*db.Filter
	for _, i := range r.Perm(len(randArches))[:1+r.IntN(3)] {
		a := randArches[i]
		f := &db.Filter{Arch: a}
		nums := map[uint32]bool{}
		// Mostly a few syscalls; sometimes many in a narrow window, so
		// that compilers can merge runs of equal decisions.
		count, window := 1+r.IntN(6), 20
		if r.IntN(4) == 0 {
			count, window = 10+r.IntN(50), 80
		}
		for range count {
			var num uint32
			switch a.Name {
			case "x32":
				num = 0x40000000 | uint32(r.IntN(window))
			case "mips":
				num = 4000 + uint32(r.IntN(window))
			default:
				num = uint32(r.IntN(window))
			}
			if r.IntN(20) == 0 {
				num = 0xffffffff
			}
			nums[num] = true
		}
		for _, num := range slices.Sorted(mapsKeys(nums)) {
			s := &db.Syscall{Num: num, Priority: uint32(r.IntN(3))}
			if count > 6 && r.IntN(4) > 0 {
				s.Action = actions[r.IntN(2)]
			} else if r.IntN(3) == 0 {
				s.Action = actions[r.IntN(len(actions))]
			} else {
				s.Chains = randTree(r, a, 3)
			}
			f.Syscalls = append(f.Syscalls, s)
		}
		filters = append(filters, f)
	}
	return filters, actions[r.IntN(len(actions))], actions[r.IntN(len(actions))]
}

func mapsKeys(m map[uint32]bool) func(func(uint32) bool) {
	return func(yield func(uint32) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// probes returns inputs around every constant of the rule set.
func probes(r *rand.Rand, filters []*db.Filter, n int) []bpf.Data {
	tokens := []uint32{0, 0x40000003}
	nums := []uint32{0, 0x3fffffff, 0x40000000, 0xffffffff}
	var vals []uint32
	for _, f := range filters {
		tokens = append(tokens, f.Arch.Token)
		for _, s := range f.Syscalls {
			nums = append(nums, s.Num, s.Num+1)
		}
	}
	for _, d := range datums {
		vals = append(vals, d, d+1, d-1, d|0x30, d&^0xf)
	}
	vals = append(vals, 0x13f, 0x40, 0xffff0000)
	pick := func(s []uint32) uint32 { return s[r.IntN(len(s))] }
	out := make([]bpf.Data, n)
	for i := range out {
		d := bpf.Data{Arch: pick(tokens), Nr: int32(pick(nums))}
		for j := range d.Args {
			d.Args[j] = uint64(pick(vals))<<32 | uint64(pick(vals))
			if r.IntN(2) == 0 {
				d.Args[j] &= 0xffffffff
			}
		}
		out[i] = d
	}
	return out
}

func orderFor(filters []*db.Filter, token uint32) binary.ByteOrder {
	for _, f := range filters {
		if f.Arch.Token == token {
			return f.Arch.ByteOrder()
		}
	}
	return binary.LittleEndian
}

func TestCheckProvesReferencePrograms(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var paths, cells int
	for i := range 300 {
		filters, def, bad := randRuleSet(r)
		prog, err := refCompile(filters, def, bad)
		if err != nil {
			t.Fatal(err)
		}
		st, err := Check(filters, def, bad, prog)
		if err != nil {
			t.Fatalf("rule set %d: %v\n%s", i, err, prog.Disassemble())
		}
		paths += st.Paths
		cells += st.Cells
		// The model must agree with the program on concrete probes too.
		rs, _ := model.New(filters, def, bad)
		for _, d := range probes(r, filters, 50) {
			got, _, err := prog.Run(d, orderFor(filters, d.Arch))
			if err != nil {
				t.Fatal(err)
			}
			if want := rs.Decide(d); got != uint32(want) {
				t.Fatalf("rule set %d, input %+v: program %#x, model %#x", i, d, got, want)
			}
		}
	}
	t.Logf("300 rule sets: %d paths, %d cells", paths, cells)
}

// mutate changes one instruction of p.
func mutate(r *rand.Rand, p bpf.Program) (bpf.Program, string) {
	q := slices.Clone(p)
	for {
		i := r.IntN(len(q))
		ins := &q[i]
		switch bpf.Class(ins.Op) {
		case bpf.JMP:
			if bpf.Operation(ins.Op) == bpf.JA {
				continue
			}
			switch r.IntN(4) {
			case 0:
				ins.Jt, ins.Jf = ins.Jf, ins.Jt
				return q, "swap branches"
			case 1:
				ins.K++
				return q, "constant+1"
			case 2:
				ins.K--
				return q, "constant-1"
			default:
				ins.Op = bpf.JMP | []uint16{bpf.JEQ, bpf.JGT, bpf.JGE, bpf.JSET}[r.IntN(4)] | bpf.K
				return q, "operator"
			}
		case bpf.RET:
			ins.K = uint32(actions[r.IntN(len(actions))])
			return q, "return value"
		case bpf.ALU:
			ins.K ^= 1 << r.IntN(32)
			return q, "mask"
		case bpf.LD:
			if ins.K >= bpf.OffsetArgs {
				ins.K ^= 4
				return q, "word half"
			}
		}
	}
}

func TestCheckFindsMutations(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	var found, proved int
	for i := range 400 {
		filters, def, bad := randRuleSet(r)
		prog, err := refCompile(filters, def, bad)
		if err != nil {
			t.Fatal(err)
		}
		mut, what := mutate(r, prog)
		if mut.Verify() != nil {
			continue
		}
		_, err = Check(filters, def, bad, mut)
		var m *Mismatch
		switch {
		case errors.As(err, &m):
			found++
			// The counterexample must really separate the two.
			got, _, rerr := mut.Run(m.Data, m.Order)
			want, _ := model.Decide(filters, def, bad, m.Data)
			if rerr != nil || got != m.Got || want != m.Want || got == uint32(want) {
				t.Fatalf("bogus counterexample %+v (run %#x %v, model %#x)", m, got, rerr, want)
			}
		case err == nil:
			proved++
			// A mutation the prover accepts must be harmless: probe it.
			rs, _ := model.New(filters, def, bad)
			for _, d := range probes(r, filters, 300) {
				got, _, err := mut.Run(d, orderFor(filters, d.Arch))
				if err == nil && got != uint32(rs.Decide(d)) {
					t.Fatalf("rule set %d: prover accepted mutation %q but input %+v differs", i, what, d)
				}
			}
		default:
			t.Fatalf("rule set %d, mutation %q: %v", i, what, err)
		}
	}
	t.Logf("mutations: %d caught, %d proved harmless", found, proved)
	if found < 200 {
		t.Errorf("only %d of the mutations caught", found)
	}
}

// TestCheckSeededMutations plants specific bugs in a known program.
func TestCheckSeededMutations(t *testing.T) {
	// x86_64: read(0) allowed when arg0 == 5 (low word) and arg1's high
	// word > 1; write(1) ERRNO(1) when arg2 & 0xf0 == 0x30; default KILL.
	n1 := &db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff, Datum: 5}
	n2 := &db.Node{Arg: 1, High: true, Op: db.OpGT, Mask: 0xffffffff, Datum: 1, HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow)}
	n1.TrueNext = n2
	n3 := &db.Node{Arg: 2, Op: db.OpMaskedEQ, Mask: 0xf0, Datum: 0x30, HasTrueAct: true, TrueAct: db.Action(bpf.RetErrno | 1)}
	filters := []*db.Filter{{Arch: arch.X86_64, Syscalls: []*db.Syscall{
		{Num: 0, Chains: n1},
		{Num: 1, Chains: n3},
		{Num: 2, Action: db.Action(bpf.RetTrap)},
	}}}
	def, bad := db.Action(bpf.RetKillThread), db.Action(bpf.RetKillProcess)
	prog, err := refCompile(filters, def, bad)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(filters, def, bad, prog); err != nil {
		t.Fatalf("correct program: %v\n%s", err, prog.Disassemble())
	}
	find := func(op uint16, k uint32) int {
		for i, ins := range prog {
			if ins.Op == op && ins.K == k {
				return i
			}
		}
		t.Fatalf("no instruction %#x %#x in\n%s", op, k, prog.Disassemble())
		return -1
	}
	jeq, jgt, jge := uint16(bpf.JMP|bpf.JEQ|bpf.K), uint16(bpf.JMP|bpf.JGT|bpf.K), uint16(bpf.JMP|bpf.JGE|bpf.K)
	tests := []struct {
		name string
		mut  func(p bpf.Program)
	}{
		{"arch check inverted", func(p bpf.Program) {
			i := find(jeq, arch.X86_64.Token)
			p[i].Jt, p[i].Jf = p[i].Jf, p[i].Jt
		}},
		{"x32 check off by one", func(p bpf.Program) { p[find(jge, 0x40000000)].K = 0x40000001 }},
		{"-1 exception dropped", func(p bpf.Program) { p[find(jeq, 0xffffffff)].K = 0xfffffffe }},
		{"syscall number", func(p bpf.Program) { p[find(jeq, 2)].K = 3 }},
		{"arg datum", func(p bpf.Program) { p[find(jeq, 5)].K = 6 }},
		{"jgt becomes jge", func(p bpf.Program) { p[find(jgt, 1)].Op = jge }},
		{"mask widened", func(p bpf.Program) { p[find(uint16(bpf.ALU|bpf.AND|bpf.K), 0xf0)].K = 0xf8 }},
		{"mask narrowed", func(p bpf.Program) { p[find(uint16(bpf.ALU|bpf.AND|bpf.K), 0xf0)].K = 0x70 }},
		{"errno value", func(p bpf.Program) { p[find(uint16(bpf.RET|bpf.K), bpf.RetErrno|1)].K = bpf.RetErrno | 2 }},
		{"wrong word half", func(p bpf.Program) {
			p[find(uint16(bpf.LD|bpf.W|bpf.ABS), bpf.ArgOffset(1, true, binary.LittleEndian))].K = bpf.ArgOffset(1, false, binary.LittleEndian)
		}},
		{"jeq becomes jset", func(p bpf.Program) { p[find(jeq, 5)].Op = bpf.JMP | bpf.JSET | bpf.K }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := slices.Clone(prog)
			tt.mut(p)
			_, err := Check(filters, def, bad, p)
			var m *Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("got %v, want a mismatch", err)
			}
			t.Logf("%v", m)
		})
	}
}

func TestCheckUnsupported(t *testing.T) {
	filters := []*db.Filter{{Arch: arch.AArch64}}
	def, bad := db.Action(bpf.RetAllow), db.Action(bpf.RetKillProcess)
	tests := []struct {
		name string
		prog bpf.Program
	}{
		{"empty", nil},
		{"arithmetic on input", bpf.Program{
			bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
			bpf.Stmt(bpf.ALU|bpf.ADD|bpf.K, 1),
			bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, 1, 0, 1),
			bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
			bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
		}},
		{"return of input", bpf.Program{
			bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
			bpf.Stmt(bpf.RET|bpf.A, 0),
		}},
		{"falls off", bpf.Program{bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr)}},
		{"unaligned load", bpf.Program{bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, 2), bpf.Stmt(bpf.RET|bpf.K, 0)}},
	}
	for _, tt := range tests {
		if _, err := Check(filters, def, bad, tt.prog); !errors.Is(err, ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrUnsupported", tt.name, err)
		}
	}
}

// TestCheckScratchAndConstants covers scratch memory, X, constant
// arithmetic and constant comparisons, which compilers may use.
func TestCheckScratchAndConstants(t *testing.T) {
	filters := []*db.Filter{{Arch: arch.AArch64, Syscalls: []*db.Syscall{{Num: 10, Action: db.Action(bpf.RetErrno | 3)}}}}
	def, bad := db.Action(bpf.RetAllow), db.Action(bpf.RetKillProcess)
	prog := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),            // 0
		bpf.Stmt(bpf.ST, 3),                                       // 1
		bpf.Stmt(bpf.LD|bpf.W|bpf.IMM, 7),                         // 2
		bpf.Stmt(bpf.ALU|bpf.ADD|bpf.K, 3),                        // 3: A = 10
		bpf.Stmt(bpf.MISC|bpf.TAX, 0),                             // 4: X = 10
		bpf.Stmt(bpf.LD|bpf.W|bpf.MEM, 3),                         // 5: A = arch
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.AArch64.Token, 1, 0), // 6
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),               // 7
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),              // 8
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.X, 0, 0, 2),                  // 9: nr == 10
		bpf.Stmt(bpf.LD|bpf.W|bpf.IMM, bpf.RetErrno|3),            // 10
		bpf.Stmt(bpf.RET|bpf.A, 0),                                // 11
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),                     // 12
	}
	if _, err := Check(filters, def, bad, prog); err != nil {
		t.Fatal(err)
	}
	prog[3].K = 4 // now compares nr with 11
	var m *Mismatch
	if _, err := Check(filters, def, bad, prog); !errors.As(err, &m) {
		t.Fatalf("got %v, want a mismatch", err)
	}
}

// TestCheckConstantALU checks that constant arithmetic follows the
// kernel's interpreter: a shift count taken from X is reduced modulo 32,
// so 1 << X with X = 33 is 2.
func TestCheckConstantALU(t *testing.T) {
	filters := []*db.Filter{{Arch: arch.AArch64}}
	def, bad := db.Action(bpf.RetAllow), db.Action(bpf.RetKillProcess)
	for _, c := range []struct {
		op   uint16
		a, x uint32
	}{
		{bpf.ALU | bpf.LSH | bpf.X, 1, 33},
		{bpf.ALU | bpf.RSH | bpf.X, 8, 34},
		{bpf.ALU | bpf.LSH | bpf.X, 1, 31},
		{bpf.ALU | bpf.ADD | bpf.X, 0xffffffff, 2},
		{bpf.ALU | bpf.DIV | bpf.X, 7, 2},
		{bpf.ALU | bpf.XOR | bpf.X, 7, 4},
		{bpf.ALU | bpf.NEG, 1, 0},
	} {
		tiny := bpf.Program{
			bpf.Stmt(bpf.LD|bpf.IMM, c.a), bpf.Stmt(bpf.LDX|bpf.IMM, c.x),
			bpf.Stmt(c.op, 0), bpf.Stmt(bpf.RET|bpf.A, 0),
		}
		want, _, err := tiny.Run(bpf.Data{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		prog := append(bpf.Program{
			bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
			bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.AArch64.Token, 1, 0),
			bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
		}, tiny[:3]...)
		prog = append(prog,
			bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, want, 0, 1),
			bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
			bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
		)
		if _, err := Check(filters, def, bad, prog); err != nil {
			t.Errorf("op %#04x, A %#x, X %#x (the kernel computes %#x): %v", c.op, c.a, c.x, want, err)
		}
	}
	// Division by a zero X ends the program; the prover declines it.
	prog := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.IMM, 1), bpf.Stmt(bpf.LDX|bpf.IMM, 0),
		bpf.Stmt(bpf.ALU|bpf.DIV|bpf.X, 0), bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
	}
	if _, err := Check(filters, def, bad, prog); !errors.Is(err, ErrUnsupported) {
		t.Errorf("division by a zero X: got %v, want ErrUnsupported", err)
	}
}

// TestCheckConstantJumps checks comparisons of a constant accumulator,
// JSET included, against the interpreter.
func TestCheckConstantJumps(t *testing.T) {
	filters := []*db.Filter{{Arch: arch.AArch64}}
	def, bad := db.Action(bpf.RetAllow), db.Action(bpf.RetKillProcess)
	for _, op := range []uint16{bpf.JEQ, bpf.JGT, bpf.JGE, bpf.JSET} {
		for _, c := range [][2]uint32{{6, 4}, {6, 1}, {6, 6}, {5, 6}, {0, 0}} {
			prog := bpf.Program{
				bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
				bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.AArch64.Token, 1, 0),
				bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
				bpf.Stmt(bpf.LD|bpf.IMM, c[0]),
				bpf.Jump(bpf.JMP|op|bpf.K, c[1], 0, 1),
				bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
				bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
			}
			ret, _, err := prog.Run(bpf.Data{Arch: arch.AArch64.Token}, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Check(filters, def, bad, prog)
			if want := ret == bpf.RetAllow; (err == nil) != want {
				t.Errorf("op %#02x A %d K %d: Check gives %v, the program returns %s", op, c[0], c[1], err, bpf.ActionString(ret))
			}
		}
	}
}

// bigRuleSet resembles a container profile: three ABIs, a few hundred
// unconditional syscalls each and some with argument rules.
func bigRuleSet() ([]*db.Filter, db.Action, db.Action) {
	var filters []*db.Filter
	for _, a := range []*arch.Arch{arch.X86_64, arch.X86, arch.X32} {
		f := &db.Filter{Arch: a}
		base := uint32(0)
		if a == arch.X32 {
			base = 0x40000000
		}
		for n := uint32(0); n < 440; n++ {
			if n%5 == 3 {
				continue
			}
			s := &db.Syscall{Num: base + n, Action: db.Action(bpf.RetAllow)}
			if n%37 == 0 {
				// arg0 != 0x7e020000 (masked) and arg0 lo in a small set
				a1 := &db.Node{Arg: 0, Op: db.OpMaskedEQ, Mask: 0x7e020000, Datum: 0, HasFalseAct: true, FalseAct: db.Action(bpf.RetErrno | 1)}
				a2 := &db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff, Datum: 8, HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow)}
				a3 := &db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff, Datum: 0xffffffff, HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow)}
				a1.TrueNext = a2
				a2.Next, a3.Prev = a3, a2
				s.Chains, s.Action = a1, 0
			}
			f.Syscalls = append(f.Syscalls, s)
		}
		filters = append(filters, f)
	}
	return filters, db.Action(bpf.RetErrno | 1), db.Action(bpf.RetKillProcess)
}

func TestCheckLargeFilter(t *testing.T) {
	filters, def, bad := bigRuleSet()
	prog, err := refCompile(filters, def, bad)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st, err := Check(filters, def, bad, prog)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("linear program: %d instructions, %d paths, %d cells, %v", len(prog), st.Paths, st.Cells, time.Since(start))
	prog, err = compile.Compile(compile.Input{Filters: filters, Default: def, BadArch: bad})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	st, err = Check(filters, def, bad, prog)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("compiled program: %d instructions, %d paths, %d cells, %v", len(prog), st.Paths, st.Cells, time.Since(start))
}

func BenchmarkCheckLarge(b *testing.B) {
	filters, def, bad := bigRuleSet()
	prog, err := refCompile(filters, def, bad)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if _, err := Check(filters, def, bad, prog); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCheckCompiler proves the project's compiler on random rule sets.
func TestCheckCompiler(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	var paths int
	for i := range 500 {
		filters, def, bad := randRuleSet(r)
		prog, err := compile.Compile(compile.Input{Filters: filters, Default: def, BadArch: bad})
		if err != nil {
			t.Fatalf("rule set %d: %v", i, err)
		}
		st, err := Check(filters, def, bad, prog)
		if err != nil {
			t.Fatalf("rule set %d: %v\n%s", i, err, prog.Disassemble())
		}
		paths += st.Paths
	}
	t.Logf("500 compiled rule sets proved, %d paths", paths)
}

// FuzzCompileProve proves the project's compiler on rule sets derived
// from the fuzzer's seed.
func FuzzCompileProve(f *testing.F) {
	for i := range uint64(8) {
		f.Add(i, i*7919)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		filters, def, bad := randRuleSet(rand.New(rand.NewPCG(a, b)))
		prog, err := compile.Compile(compile.Input{Filters: filters, Default: def, BadArch: bad})
		if err != nil {
			if errors.Is(err, compile.ErrTooLong) {
				return
			}
			t.Fatal(err)
		}
		if err := prog.Verify(); err != nil {
			t.Fatalf("kernel checks reject the program: %v", err)
		}
		if _, err := Check(filters, def, bad, prog); err != nil {
			t.Fatalf("%v\n%s", err, prog.Disassemble())
		}
	})
}
