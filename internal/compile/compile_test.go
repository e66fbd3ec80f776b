package compile

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

func TestSemantics(t *testing.T) {
	// Shared level used by several cases.
	shared := func() *db.Node { return lvl(tAct(cmp(db.OpEQ, 2, false, 7), actTrap)) }
	tests := []struct {
		name string
		in   Input
	}{
		{"empty x86_64", Input{Filters: []*db.Filter{filter(arch.X86_64)}, Default: actAllow, BadArch: actKill}},
		{"empty x32", Input{Filters: []*db.Filter{filter(arch.X32)}, Default: actErrno(1), BadArch: actKill}},
		{"constant actions", Input{Filters: []*db.Filter{filter(arch.X86_64,
			sc(0, actAllow), sc(1, actAllow), sc(2, actAllow), sc(5, actErrno(13)), sc(6, actAllow),
			sc(60, actAllow), sc(231, actAllow), sc(300, actTrap), sc(301, actLog))},
			Default: actErrno(1), BadArch: actKill}},
		{"default allow, some denied", Input{Filters: []*db.Filter{filter(arch.AArch64,
			sc(10, actKill), sc(11, actErrno(1)), sc(12, actAllow), sc(400, actKill))},
			Default: actAllow, BadArch: actKill}},
		{"fall through to sibling", Input{Filters: []*db.Filter{filter(arch.X86_64,
			scArgs(10, lvl(cmp(db.OpEQ, 0, false, 1), tAct(cmp(db.OpGT, 1, false, 5), actAllow), fAct(cmp(db.OpGE, 2, false, 9), actErrno(2)))))},
			Default: actKill, BadArch: actKill}},
		{"resume at parent's next sibling", Input{Filters: []*db.Filter{filter(arch.X86_64,
			scArgs(10, lvl(
				tNext(cmp(db.OpEQ, 0, false, 1), lvl(tAct(cmp(db.OpEQ, 2, false, 3), actErrno(3)), fNext(cmp(db.OpGT, 3, false, 3), lvl(tAct(cmp(db.OpEQ, 4, false, 4), actTrap))))),
				tAct(cmp(db.OpGT, 1, false, 5), actAllow))))},
			Default: actKill, BadArch: actKill}},
		{"resume several levels up", Input{Filters: []*db.Filter{filter(arch.AArch64,
			scArgs(10, lvl(
				tNext(cmp(db.OpEQ, 0, true, 0), lvl(tNext(cmp(db.OpEQ, 0, false, 1), lvl(tAct(cmp(db.OpEQ, 1, false, 1), actAllow))))),
				tAct(cmp(db.OpEQ, 0, false, 1), actErrno(5)),
				fAct(cmp(db.OpEQ, 1, false, 1), actLog))))},
			Default: actKill, BadArch: actKill}},
		{"shared levels", Input{Filters: []*db.Filter{filter(arch.X86_64,
			func() *db.Syscall {
				l := shared()
				return scArgs(3, lvl(tNext(cmp(db.OpEQ, 0, false, 1), l), fNext(cmp(db.OpEQ, 1, false, 2), l), tAct(cmp(db.OpGE, 0, false, 0x10), actAllow)))
			}(),
			func() *db.Syscall {
				l := shared()
				return scArgs(4, lvl(tNext(cmp(db.OpEQ, 0, false, 1), l), fNext(cmp(db.OpEQ, 1, false, 2), l), tAct(cmp(db.OpGE, 0, false, 0x10), actAllow)))
			}())},
			Default: actErrno(1), BadArch: actKill}},
		{"branch into the middle of a level", Input{Filters: []*db.Filter{filter(arch.X86_64,
			func() *db.Syscall {
				second := tAct(cmp(db.OpEQ, 1, false, 2), actTrap)
				lvl(tAct(cmp(db.OpEQ, 1, false, 1), actLog), second)
				return scArgs(7, lvl(tNext(cmp(db.OpGE, 0, false, 5), second), tAct(cmp(db.OpEQ, 2, false, 0), actAllow)))
			}())},
			Default: actErrno(1), BadArch: actKill}},
		{"masked eq", Input{Filters: []*db.Filter{filter(arch.X86_64,
			scArgs(56, lvl(tNext(masked(0, true, 0, 0), lvl(tAct(masked(0, false, 0x7e020000, 0), actAllow))))),
			scArgs(57, lvl(tAct(masked(1, false, 0xf0, 0x30), actAllow), tAct(masked(1, false, 0x0f, 0x3), actLog), tAct(masked(1, false, 0xf0, 0x31), actTrap))))},
			Default: actErrno(1), BadArch: actKill}},
		{"hi and lo words", Input{Filters: []*db.Filter{filter(arch.X86_64,
			scArgs(9, lvl(
				tNext(cmp(db.OpEQ, 1, true, 0x1), lvl(tAct(cmp(db.OpGE, 1, false, 0x1000), actAllow))),
				tNext(cmp(db.OpGT, 1, true, 0x1), lvl(tAct(cmp(db.OpEQ, 2, false, 0), actAllow))),
				tAct(cmp(db.OpEQ, 1, true, 0), actErrno(22)))))},
			Default: actKill, BadArch: actKill}},
		{"equality run", Input{Filters: []*db.Filter{filter(arch.X86_64,
			scArgs(135, lvl(tNext(cmp(db.OpEQ, 0, true, 0), lvl(
				tAct(cmp(db.OpEQ, 0, false, 0), actAllow),
				tAct(cmp(db.OpEQ, 0, false, 8), actAllow),
				tNext(cmp(db.OpEQ, 0, false, 0x20000), lvl(tAct(cmp(db.OpEQ, 1, false, 1), actTrap))),
				cmp(db.OpEQ, 0, false, 0x20008),
				tAct(cmp(db.OpEQ, 0, false, 0xffffffff), actAllow),
				fAct(tNext(cmp(db.OpEQ, 0, false, 0x30000), lvl(tAct(cmp(db.OpEQ, 2, false, 2), actLog))), actErrno(9)),
				tAct(cmp(db.OpEQ, 1, false, 5), actAllow))))),
			scArgs(136, lvl(
				tAct(cmp(db.OpEQ, 3, false, 1), actAllow),
				tAct(cmp(db.OpEQ, 3, false, 2), actTrap),
				tAct(cmp(db.OpEQ, 3, false, 1), actLog),
				tAct(cmp(db.OpEQ, 3, false, 4), actAllow),
				tAct(cmp(db.OpEQ, 3, false, 5), actAllow))))},
			Default: actErrno(1), BadArch: actKill}},
		{"big-endian 64-bit", Input{Filters: []*db.Filter{filter(arch.S390X,
			sc(1, actAllow),
			scArgs(9, lvl(tNext(cmp(db.OpEQ, 1, true, 0x1), lvl(tAct(cmp(db.OpGE, 1, false, 0x1000), actAllow))), tAct(cmp(db.OpEQ, 5, false, 3), actTrap))))},
			Default: actKill, BadArch: actKill}},
		{"big-endian 32-bit", Input{Filters: []*db.Filter{filter(arch.PPC,
			sc(1, actAllow),
			scArgs(9, lvl(tAct(cmp(db.OpGT, 0, false, 4), actAllow), tAct(masked(3, false, 0xff, 3), actTrap))))},
			Default: actKill, BadArch: actErrno(3)}},
		{"multiple arches", Input{Filters: []*db.Filter{
			filter(arch.X86_64, sc(0, actAllow), sc(1, actAllow), scArgs(41, lvl(fAct(cmp(db.OpEQ, 0, false, 40), actAllow)))),
			filter(arch.X86, sc(3, actAllow), sc(4, actAllow), scArgs(102, lvl(tNext(cmp(db.OpEQ, 0, false, 1), lvl(fAct(cmp(db.OpEQ, 1, false, 40), actAllow)))))),
			filter(arch.AArch64, sc(63, actAllow), sc(64, actAllow)),
			filter(arch.MIPS, sc(4003, actAllow))},
			Default: actErrno(1), BadArch: actKill}},
		{"x86_64 alone with syscall -1", Input{Filters: []*db.Filter{filter(arch.X86_64, sc(0, actAllow), sc(0xffffffff, actTrace(7)))},
			Default: actErrno(1), BadArch: actKill}},
		{"x86_64 alone without syscall -1", Input{Filters: []*db.Filter{filter(arch.X86_64, sc(0, actAllow))},
			Default: actErrno(1), BadArch: actTrap}},
		{"x32 alone", Input{Filters: []*db.Filter{filter(arch.X32, sc(0x40000000, actAllow), sc(0x40000200, actTrap), sc(0xffffffff, actLog))},
			Default: actErrno(1), BadArch: actKill}},
		{"x86_64 then x32", Input{Filters: []*db.Filter{
			filter(arch.X86_64, sc(0, actAllow), sc(1, actTrap), sc(0xffffffff, actLog)),
			filter(arch.X32, sc(0x40000000, actAllow), sc(0x40000001, actErrno(4)), &db.Syscall{Num: 0xffffffff, Action: actTrap, Priority: 3})},
			Default: actErrno(1), BadArch: actKill}},
		{"syscall -1 on x86_64 and x32, the smaller tree first", Input{Filters: []*db.Filter{
			filter(arch.X86_64, scArgs(0xffffffff, lvl(tAct(cmp(db.OpEQ, 0, false, 1), actAllow), tAct(cmp(db.OpEQ, 1, false, 1), actTrap)))),
			filter(arch.X32, scArgs(0xffffffff, lvl(tAct(cmp(db.OpEQ, 0, false, 2), actLog))))},
			Default: actErrno(1), BadArch: actKill}},
		{"x32 then x86_64 then x86", Input{Filters: []*db.Filter{
			filter(arch.X32, sc(0x40000000, actAllow), sc(0xffffffff, actTrap)),
			filter(arch.X86_64, sc(0, actAllow), sc(0xffffffff, actLog)),
			filter(arch.X86, sc(0, actTrap))},
			Default: actErrno(1), BadArch: actKill}},
		{"priorities", Input{Filters: []*db.Filter{filter(arch.X86_64,
			&db.Syscall{Num: 202, Action: actAllow, Priority: 200}, &db.Syscall{Num: 0, Action: actAllow, Priority: 100},
			&db.Syscall{Num: 1, Action: actAllow, Priority: 100}, sc(2, actAllow), sc(100, actAllow),
			&db.Syscall{Num: 300, Action: actErrno(1), Priority: 5})},
			Default: actErrno(1), BadArch: actKill}},
		{"impossible masked value", Input{Filters: []*db.Filter{filter(arch.X86_64,
			scArgs(1, lvl(tAct(masked(0, false, 0xf, 0x10), actAllow), tAct(cmp(db.OpEQ, 1, false, 0), actLog))))},
			Default: actErrno(1), BadArch: actKill}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.in, 200)
		})
	}
}

func actTrace(d uint16) db.Action { return db.Action(bpf.RetTrace | uint32(d)) }

// randomLevel builds a random level of depth at most depth, reusing
// levels from pool now and then.
func randomLevel(rng *rand.Rand, depth int, pool *[]*db.Node) *db.Node {
	if depth > 0 && len(*pool) > 0 && rng.IntN(6) == 0 {
		return (*pool)[rng.IntN(len(*pool))]
	}
	acts := []db.Action{actAllow, actErrno(1), actTrap, actLog, actKill}
	datums := []uint32{0, 1, 2, 3, 8, 0x7f, 0x80000000, 0xffffffff}
	n := 1 + rng.IntN(5)
	nodes := make([]*db.Node, n)
	arg := rng.IntN(3)
	high := rng.IntN(3) == 0
	for i := range nodes {
		if rng.IntN(3) == 0 {
			arg, high = rng.IntN(3), rng.IntN(3) == 0
		}
		op := db.Op(1 + rng.IntN(4))
		nd := cmp(op, arg, high, datums[rng.IntN(len(datums))])
		if op == db.OpMaskedEQ {
			nd.Mask = []uint32{0xf, 0xff00, 0x80000001}[rng.IntN(3)]
			nd.Datum &= nd.Mask
			if rng.IntN(5) == 0 {
				nd.Datum = 0x10
			}
		} else if rng.IntN(3) == 0 {
			nd.Op = db.OpEQ // favour equality runs
		}
		for b := 0; b < 2; b++ {
			var next *db.Node
			var has bool
			var a db.Action
			switch r := rng.IntN(4); {
			case r == 0 && depth < 3:
				next = randomLevel(rng, depth+1, pool)
			case r <= 1:
				has, a = true, acts[rng.IntN(len(acts))]
			}
			if b == 0 {
				nd.TrueNext, nd.HasTrueAct, nd.TrueAct = next, has, a
			} else {
				nd.FalseNext, nd.HasFalseAct, nd.FalseAct = next, has, a
			}
		}
		nodes[i] = nd
	}
	l := lvl(nodes...)
	*pool = append(*pool, l)
	return l
}

// randomInput builds a random filter of one or two architectures from
// seed.
func randomInput(seed uint64) Input {
	arches := []*arch.Arch{arch.X86_64, arch.S390X, arch.PPC, arch.ARM, arch.MIPS64, arch.X32}
	rng := rand.New(rand.NewPCG(seed, 99))
	var pool []*db.Node
	var filters []*db.Filter
	perm := rng.Perm(len(arches))
	for _, ai := range perm[:1+rng.IntN(2)] {
		var ss []*db.Syscall
		a := arches[ai]
		num := uint32(rng.IntN(3))
		if a == arch.X32 || rng.IntN(8) == 0 {
			num |= 0x40000000
		}
		for range 1 + rng.IntN(6) {
			s := &db.Syscall{Num: num, Action: []db.Action{actAllow, actErrno(1), actTrap}[rng.IntN(3)]}
			if rng.IntN(2) == 0 {
				s.Chains = randomLevel(rng, 0, &pool)
			}
			ss = append(ss, s)
			num += 1 + uint32(rng.IntN(3))
		}
		if rng.IntN(6) == 0 {
			ss = append(ss, &db.Syscall{Num: 0xffffffff, Action: actLog, Chains: randomLevel(rng, 0, &pool)})
		}
		filters = append(filters, filter(a, ss...))
	}
	return Input{Filters: filters, Default: actErrno(38), BadArch: actKill}
}

func TestRandomTrees(t *testing.T) {
	iters := 400
	if testing.Short() {
		iters = 60
	}
	for it := range iters {
		t.Run("", func(t *testing.T) { check(t, randomInput(uint64(it)), 60) })
	}
}

func FuzzCompile(f *testing.F) {
	for seed := range uint64(8) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, seed uint64) {
		check(t, randomInput(seed), 30)
	})
}

// manyTrees returns an x86_64 filter whose syscalls 0..n-1 each have their
// own argument checks, so that the program is long.
func manyTrees(n int) Input {
	var ss []*db.Syscall
	for i := range n {
		ss = append(ss, scArgs(uint32(i), lvl(
			tNext(cmp(db.OpEQ, 0, true, 0), lvl(tAct(cmp(db.OpEQ, 0, false, uint32(i)), actAllow))),
			tAct(cmp(db.OpGT, 1, false, uint32(i)), actLog))))
	}
	return Input{Filters: []*db.Filter{filter(arch.X86_64, ss...), filter(arch.AArch64, sc(1, actAllow), sc(700, actAllow))}, Default: actErrno(1), BadArch: actKill}
}

func TestLongJumps(t *testing.T) {
	in := manyTrees(300)
	p := check(t, in, 3)
	if len(p) < 600 {
		t.Fatalf("program has %d instructions; want a long one", len(p))
	}
	// The test is only meaningful if it needed jumps over more than 255
	// instructions.
	ja := 0
	for _, ins := range p {
		if ins.Op == bpf.JMP|bpf.JA {
			ja++
		}
	}
	if ja == 0 {
		t.Errorf("no unconditional jump in a program of %d instructions", len(p))
	}
}

func TestTooLong(t *testing.T) {
	_, err := Compile(manyTrees(1500))
	if !errors.Is(err, ErrTooLong) {
		t.Fatalf("Compile: got %v, want ErrTooLong", err)
	}
	if !strings.Contains(err.Error(), "instructions") {
		t.Errorf("error %q does not give the length", err)
	}
}

func TestBadInput(t *testing.T) {
	cyc := cmp(db.OpEQ, 0, false, 1)
	cyc.TrueNext = cyc
	tests := []struct {
		name string
		in   Input
		want string
	}{
		{"no arches", Input{}, "no architectures"},
		{"nil filter", Input{Filters: []*db.Filter{nil}}, "no architecture"},
		{"nil arch", Input{Filters: []*db.Filter{{}}}, "no architecture"},
		{"twice", Input{Filters: []*db.Filter{filter(arch.X86), filter(arch.X86)}}, "twice"},
		{"unsorted", Input{Filters: []*db.Filter{{Arch: arch.X86, Syscalls: []*db.Syscall{sc(2, actAllow), sc(1, actAllow)}}}}, "sorted"},
		{"nil syscall", Input{Filters: []*db.Filter{{Arch: arch.X86, Syscalls: []*db.Syscall{nil}}}}, "nil"},
		{"bad arg", Input{Filters: []*db.Filter{filter(arch.X86, scArgs(1, cmp(db.OpEQ, 6, false, 1)))}}, "argument index"},
		{"bad op", Input{Filters: []*db.Filter{filter(arch.X86, scArgs(1, cmp(9, 0, false, 1)))}}, "comparison"},
		{"cycle", Input{Filters: []*db.Filter{filter(arch.X86, scArgs(1, cyc))}}, "cyclic"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Compile(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Compile: got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	in := dockerLike(arch.X86_64, arch.X86, arch.X32)
	p1, err := Compile(in)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		p2, err := Compile(in)
		if err != nil {
			t.Fatal(err)
		}
		if string(p1.Marshal(nil)) != string(p2.Marshal(nil)) {
			t.Fatal("two compilations differ")
		}
	}
}

func TestManyRanges(t *testing.T) {
	// A thousand syscalls with alternating decisions: about two
	// thousand ranges, far more than a real profile has.
	const n = 1024
	acts := []db.Action{actAllow, actErrno(1), actTrap, actAllow, actLog}
	var ss []*db.Syscall
	for i := range n {
		ss = append(ss, sc(uint32(i*3/2), acts[i%len(acts)]))
	}
	in := Input{Filters: []*db.Filter{filter(arch.AArch64, ss...)}, Default: actErrno(1), BadArch: actKill}
	p := check(t, in, 0)
	if len(p) < n/2 {
		t.Errorf("only %d instructions for %d syscalls", len(p), n)
	}
}
