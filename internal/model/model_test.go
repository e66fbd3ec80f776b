package model

import (
	"errors"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
)

const (
	actKill  = db.Action(bpf.RetKillThread)
	actAllow = db.Action(bpf.RetAllow)
	actTrap  = db.Action(bpf.RetTrap)
	actBad   = db.Action(bpf.RetKillProcess)
	actLog   = db.Action(bpf.RetLog)
)

func errno(n uint32) db.Action { return db.Action(bpf.RetErrno | n) }

// link chains nodes into one level and returns the first.
func link(nodes ...*db.Node) *db.Node {
	for i := range nodes {
		if i > 0 {
			nodes[i].Prev = nodes[i-1]
			nodes[i-1].Next = nodes[i]
		}
	}
	return nodes[0]
}

func node(arg int, high bool, op db.Op, mask, datum uint32) *db.Node {
	if op != db.OpMaskedEQ {
		mask = 0xffffffff
	}
	return &db.Node{Arg: arg, High: high, Op: op, Mask: mask, Datum: datum}
}

func withTrue(n *db.Node, a db.Action) *db.Node  { n.HasTrueAct, n.TrueAct = true, a; return n }
func withFalse(n *db.Node, a db.Action) *db.Node { n.HasFalseAct, n.FalseAct = true, a; return n }

func data(a *arch.Arch, nr int32, args ...uint64) bpf.Data {
	d := bpf.Data{Arch: a.Token, Nr: nr}
	copy(d.Args[:], args)
	return d
}

func x64m1(pri uint32, a db.Action) *db.Filter {
	return &db.Filter{Arch: arch.X86_64, Syscalls: []*db.Syscall{{Num: 0xffffffff, Priority: pri, Action: a}}}
}

func x32m1(pri uint32, a db.Action) *db.Filter {
	return &db.Filter{Arch: arch.X32, Syscalls: []*db.Syscall{{Num: 0xffffffff, Priority: pri, Action: a}}}
}

// m1tree returns a filter of a for syscall -1 whose argument tree is a
// chain of n nodes, arg0 == 0 ... arg{n-1} == 0, that decides LOG when
// all hold and fail when one does not.
func m1tree(a *arch.Arch, pri uint32, n int, fail db.Action) *db.Filter {
	var top, prev *db.Node
	for i := range n {
		nd := withFalse(node(i, false, db.OpEQ, 0, 0), fail)
		if i == n-1 {
			withTrue(nd, actLog)
		}
		if prev == nil {
			top = nd
		} else {
			prev.TrueNext = nd
		}
		prev = nd
	}
	return &db.Filter{Arch: a, Syscalls: []*db.Syscall{{Num: 0xffffffff, Priority: pri, Chains: top}}}
}

// x64m1tree and x32m1tree fail with ERRNO(64) and ERRNO(32).
func x64m1tree(pri uint32, n int) *db.Filter { return m1tree(arch.X86_64, pri, n, errno(64)) }
func x32m1tree(pri uint32, n int) *db.Filter { return m1tree(arch.X32, pri, n, errno(32)) }

func TestDecideArchAndSyscall(t *testing.T) {
	x8664 := &db.Filter{Arch: arch.X86_64, Syscalls: []*db.Syscall{
		{Num: 0, Action: actAllow},
		{Num: 60, Action: errno(1)},
	}}
	x32 := &db.Filter{Arch: arch.X32, Syscalls: []*db.Syscall{
		{Num: 0x40000000, Action: actLog},
	}}
	aarch64 := &db.Filter{Arch: arch.AArch64, Syscalls: []*db.Syscall{
		{Num: 0xffffffff, Action: actTrap}, // syscall -1 (TSKIP)
	}}
	tests := []struct {
		name    string
		filters []*db.Filter
		in      bpf.Data
		want    db.Action
	}{
		{"no filters", nil, data(arch.X86_64, 0), actBad},
		{"unknown arch", []*db.Filter{x8664}, data(arch.X86, 0), actBad},
		{"rule", []*db.Filter{x8664}, data(arch.X86_64, 0), actAllow},
		{"errno rule", []*db.Filter{x8664}, data(arch.X86_64, 60), errno(1)},
		{"no rule", []*db.Filter{x8664}, data(arch.X86_64, 1), actKill},
		{"x86_64 alone rejects x32 numbers", []*db.Filter{x8664}, data(arch.X86_64, 0x40000000), actBad},
		{"x86_64 alone rejects high numbers", []*db.Filter{x8664}, data(arch.X86_64, 0x7fffffff), actBad},
		{"x86_64 alone lets -1 through", []*db.Filter{x8664}, data(arch.X86_64, -1), actKill},
		{"x86_64 alone below the x32 bit", []*db.Filter{x8664}, data(arch.X86_64, 0x3fffffff), actKill},
		{"x32 alone rejects x86_64 numbers", []*db.Filter{x32}, data(arch.X86_64, 0), actBad},
		{"x32 alone rule", []*db.Filter{x32}, data(arch.X86_64, 0x40000000), actLog},
		{"x32 alone other x32 number", []*db.Filter{x32}, data(arch.X86_64, 0x40000001), actKill},
		{"x32 alone -1", []*db.Filter{x32}, data(arch.X86_64, -1), actKill},
		{"both: x86_64 rule", []*db.Filter{x8664, x32}, data(arch.X86_64, 60), errno(1)},
		{"both: x32 rule", []*db.Filter{x32, x8664}, data(arch.X86_64, 0x40000000), actLog},
		{"both: neither", []*db.Filter{x8664, x32}, data(arch.X86_64, 0x40000001), actKill},
		{"third arch -1", []*db.Filter{x8664, aarch64}, data(arch.AArch64, -1), actTrap},
		{"-1 in both: first filter on a tie", []*db.Filter{x32m1(0, actLog), x64m1(0, actTrap)}, data(arch.X86_64, -1), actLog},
		{"-1 in both: first filter on a tie, other order", []*db.Filter{x64m1(0, actTrap), x32m1(0, actLog)}, data(arch.X86_64, -1), actTrap},
		{"-1 in both: higher priority", []*db.Filter{x32m1(1, actLog), x64m1(2, actTrap)}, data(arch.X86_64, -1), actTrap},
		{"-1 in both: unconditional before a tree", []*db.Filter{x32m1tree(0, 1), x64m1(0, actTrap)}, data(arch.X86_64, -1, 1), actTrap},
		{"-1 in both: smaller tree first", []*db.Filter{x64m1tree(0, 2), x32m1tree(0, 1)}, data(arch.X86_64, -1, 1, 1), errno(32)},
		{"-1 in both: equal trees, first filter", []*db.Filter{x64m1tree(0, 1), x32m1tree(0, 1)}, data(arch.X86_64, -1, 1), errno(64)},
		{"-1 in both: equal trees, first filter, other order", []*db.Filter{x32m1tree(0, 1), x64m1tree(0, 1)}, data(arch.X86_64, -1, 1), errno(32)},
		{"-1 in both: priority before tree size", []*db.Filter{x64m1(0, actTrap), x32m1tree(1, 2)}, data(arch.X86_64, -1, 1), errno(32)},
		{"third arch other", []*db.Filter{x8664, aarch64}, data(arch.AArch64, 0), actKill},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decide(tt.filters, actKill, actBad, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %#x, want %#x", got, tt.want)
			}
		})
	}
}

func TestDecideTree(t *testing.T) {
	// Level 1: [arg0 == 1 → level 2, arg2 >= 3 → TRAP]
	// Level 2: [arg1 == 2 → ERRNO(2)]  (falls back to arg2 >= 3)
	// Then: arg3 high word > 0 → LOG, arg4 & 0xf0 == 0x30 → ERRNO(4) else ALLOW.
	lvl2 := link(withTrue(node(1, false, db.OpEQ, 0, 2), errno(2)))
	a := node(0, false, db.OpEQ, 0, 1)
	a.TrueNext = lvl2
	top := link(
		a,
		withTrue(node(2, false, db.OpGE, 0, 3), actTrap),
		withTrue(node(3, true, db.OpGT, 0, 0), actLog),
		withFalse(withTrue(node(4, false, db.OpMaskedEQ, 0xf0, 0x30), errno(4)), actAllow),
	)
	f := &db.Filter{Arch: arch.X86_64, Syscalls: []*db.Syscall{{Num: 1, Chains: top}}}
	tests := []struct {
		args []uint64
		want db.Action
	}{
		{[]uint64{1, 2}, errno(2)},
		{[]uint64{1, 0, 3}, actTrap},                // falls off level 2, resumes at arg2
		{[]uint64{0, 2, 3}, actTrap},                // arg0 != 1
		{[]uint64{1, 2 | 1<<32}, errno(2)},          // the node compares the low word of arg1 only
		{[]uint64{0, 0, 2, 1 << 32}, actLog},        // high word of arg3 > 0
		{[]uint64{0, 0, 2, 0xffffffff}, actAllow},   // only the low word set
		{[]uint64{0, 0, 0, 0, 0x13f}, errno(4)},     // masked
		{[]uint64{0, 0, 0, 0, 0x40}, actAllow},      // masked, false branch
		{[]uint64{0, 0, 0xffffffff, 0, 0}, actTrap}, // GE on the low word
	}
	rs, err := New([]*db.Filter{f}, actKill, actBad)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		if got := rs.Decide(data(arch.X86_64, 1, tt.args...)); got != tt.want {
			t.Errorf("args %#x: got %#x, want %#x", tt.args, got, tt.want)
		}
	}
}

func TestDecideFallOffToDefault(t *testing.T) {
	// A level whose every branch moves on: all inputs fall to the default.
	top := link(node(0, false, db.OpEQ, 0, 1), node(1, false, db.OpGT, 0, 5))
	f := &db.Filter{Arch: arch.ARM, Syscalls: []*db.Syscall{{Num: 3, Chains: top}}}
	for _, args := range [][]uint64{{1, 6}, {0, 0}} {
		got, err := Decide([]*db.Filter{f}, errno(9), actBad, data(arch.ARM, 3, args...))
		if err != nil {
			t.Fatal(err)
		}
		if got != errno(9) {
			t.Errorf("args %v: got %#x, want the default", args, got)
		}
	}
}

func TestNewRejects(t *testing.T) {
	cyc := node(0, false, db.OpEQ, 0, 1)
	cyc.TrueNext = cyc
	badArg := node(7, false, db.OpEQ, 0, 1)
	badOp := node(0, false, db.Op(9), 0, 1)
	tests := []struct {
		name    string
		filters []*db.Filter
	}{
		{"nil arch", []*db.Filter{{}}},
		{"nil filter", []*db.Filter{nil}},
		{"duplicate token", []*db.Filter{{Arch: arch.ARM}, {Arch: arch.ARM}}},
		{"unsorted", []*db.Filter{{Arch: arch.ARM, Syscalls: []*db.Syscall{{Num: 2}, {Num: 1}}}}},
		{"duplicate syscall", []*db.Filter{{Arch: arch.ARM, Syscalls: []*db.Syscall{{Num: 2}, {Num: 2}}}}},
		{"cycle", []*db.Filter{{Arch: arch.ARM, Syscalls: []*db.Syscall{{Num: 2, Chains: cyc}}}}},
		{"bad arg", []*db.Filter{{Arch: arch.ARM, Syscalls: []*db.Syscall{{Num: 2, Chains: badArg}}}}},
		{"bad op", []*db.Filter{{Arch: arch.ARM, Syscalls: []*db.Syscall{{Num: 2, Chains: badOp}}}}},
	}
	for _, tt := range tests {
		if _, err := New(tt.filters, actKill, actBad); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", tt.name, err)
		}
	}
}

func TestWords(t *testing.T) {
	d := bpf.Data{Nr: -1, Arch: 7, InstructionPointer: 0x1122334455667788, Args: [6]uint64{0, 0, 0, 0xaabbccdd00000001}}
	tests := []struct {
		w    Word
		name string
		want uint32
	}{
		{WordNr, "nr", 0xffffffff},
		{WordArch, "arch", 7},
		{WordIPLow, "ip.lo", 0x55667788},
		{WordIPHigh, "ip.hi", 0x11223344},
		{ArgWord(3, true), "arg3.hi", 0xaabbccdd},
		{ArgWord(3, false), "arg3.lo", 1},
	}
	for _, tt := range tests {
		if got := tt.w.Value(d); got != tt.want {
			t.Errorf("%v: value %#x, want %#x", tt.w, got, tt.want)
		}
		if tt.w.String() != tt.name {
			t.Errorf("String() = %q, want %q", tt.w.String(), tt.name)
		}
	}
}
