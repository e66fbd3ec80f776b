package db

import (
	"errors"
	"syscall"
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// The expected decisions and error codes in this file are libseccomp
// 2.6.1's: each scenario was run through libseccomp (seccomp_rule_add_array
// and friends, then seccomp_export_pfc) and its answers were copied here.

type ruleOp struct {
	act   Action
	nr    int32
	exact bool
	conds []Cond
	want  error
}

type probe struct {
	arch *arch.Arch // nil: the native ABI
	nr   int32
	args [6]uint64
	want Action
}

// oracle, when set by a local test file, checks a scenario against
// another implementation of the same API.
var oracle func(t *testing.T, def Action, native *arch.Arch, arches []*arch.Arch, rules []ruleOp, probes []probe)

func c6(arg uint32, op int, a uint64) Cond { return Cond{Arg: arg, Op: op, A: a} }

func masked(arg uint32, mask, v uint64) Cond {
	return Cond{Arg: arg, Op: cmpMaskedEQ, A: mask, B: v}
}

const (
	errno1 = ActErrno | 1
	errno2 = ActErrno | 2
)

func TestRuleSemantics(t *testing.T) {
	tests := []struct {
		name   string
		def    Action
		native *arch.Arch
		arches []*arch.Arch // added after the native one
		rules  []ruleOp
		probes []probe
	}{
		{
			name: "unconditional rule replaces conditional ones",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
				{act: ActAllow, nr: 1},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1}, want: ActAllow},
				{nr: 1, args: [6]uint64{2}, want: ActAllow},
			},
		},
		{
			name: "rule under an unconditional one is dropped",
			def:  errno1,
			rules: []ruleOp{
				{act: ActAllow, nr: 1},
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
				{act: ActTrap, nr: 1},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1}, want: ActAllow},
			},
		},
		{
			name: "same chain, other action",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
				{act: ActAllow, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}, want: syscall.EEXIST},
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1}, want: ActTrap},
				{nr: 1, args: [6]uint64{0x100000001}, want: errno1},
			},
		},
		{
			name: "longer chain under a shorter one is dropped, whatever its action",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
				{act: ActAllow, nr: 1, conds: []Cond{c6(0, cmpEQ, 1), c6(1, cmpEQ, 2)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1, 2}, want: ActTrap},
				{nr: 1, args: [6]uint64{1, 3}, want: ActTrap},
			},
		},
		{
			name: "shorter chain with the same action replaces a longer one",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1), c6(1, cmpEQ, 2)}},
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1, 2}, want: ActTrap},
				{nr: 1, args: [6]uint64{1, 3}, want: ActTrap},
			},
		},
		{
			name: "shorter chain with another action conflicts",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1), c6(1, cmpEQ, 2)}},
				{act: ActAllow, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}, want: syscall.EEXIST},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1, 2}, want: ActTrap},
				{nr: 1, args: [6]uint64{1, 3}, want: errno1},
			},
		},
		{
			name: "overlapping rules: the higher argument is tested first",
			def:  errno1,
			rules: []ruleOp{
				{act: ActAllow, nr: 1, conds: []Cond{c6(1, cmpEQ, 2)}},
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpEQ, 1)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{1, 2}, want: ActAllow},
				{nr: 1, args: [6]uint64{0, 2}, want: ActAllow},
				{nr: 1, args: [6]uint64{1, 0}, want: ActTrap},
			},
		},
		{
			name: "64-bit LT rules: the smaller bound's action below both (2.6.1 fix)",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(0, cmpLT, 0x100000001)}},
				{act: ActAllow, nr: 1, conds: []Cond{c6(0, cmpLT, 0x100000000)}},
			},
			probes: []probe{
				// libseccomp 2.5.4 answers TRAP here: it set the true
				// action where the false one was meant
				// (GHSA-4q85-33p6-j5g6)
				{nr: 1, args: [6]uint64{5}, want: ActAllow},
				{nr: 1, args: [6]uint64{0x100000000}, want: ActTrap},
				{nr: 1, args: [6]uint64{0x100000001}, want: errno1},
			},
		},
		{
			name: "64-bit comparisons use both words",
			def:  errno1,
			rules: []ruleOp{
				{act: ActAllow, nr: 1, conds: []Cond{c6(0, cmpGT, 0xffffffff)}},
				{act: ActTrap, nr: 1, conds: []Cond{c6(1, cmpNE, 0x100000000)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{0x100000000, 0x100000000}, want: ActAllow},
				{nr: 1, args: [6]uint64{0xffffffff, 0x100000000}, want: errno1},
				{nr: 1, args: [6]uint64{0xffffffff, 0}, want: ActTrap},
			},
		},
		{
			name:   "32-bit ABI compares the low word only",
			def:    errno1,
			arches: []*arch.Arch{arch.X86},
			rules: []ruleOp{
				{act: ActAllow, nr: 1, conds: []Cond{c6(0, cmpEQ, 0x100000001)}},
				{act: ActTrap, nr: 0, conds: []Cond{c6(0, cmpGT, 0x1fffffffe)}},
			},
			probes: []probe{
				{arch: arch.X86, nr: 4, args: [6]uint64{1}, want: ActAllow},
				{arch: arch.X86, nr: 4, args: [6]uint64{2}, want: errno1},
				{arch: arch.X86, nr: 3, args: [6]uint64{0xffffffff}, want: ActTrap},
				{arch: arch.X86, nr: 3, args: [6]uint64{0xfffffffe}, want: errno1},
				{nr: 1, args: [6]uint64{1}, want: errno1},
				{nr: 0, args: [6]uint64{0xffffffff}, want: errno1},
			},
		},
		{
			name: "masked equality: mask first, then value",
			def:  errno1,
			rules: []ruleOp{
				{act: ActAllow, nr: 1, conds: []Cond{masked(2, 3, 1)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{0, 0, 5}, want: ActAllow},
				{nr: 1, args: [6]uint64{0, 0, 0x100000001}, want: ActAllow},
				{nr: 1, args: [6]uint64{0, 0, 2}, want: errno1},
			},
		},
		{
			name: "masked equality with an empty mask is no condition",
			def:  errno1,
			rules: []ruleOp{
				{act: ActTrap, nr: 1, conds: []Cond{c6(1, cmpEQ, 7)}},
				{act: ActAllow, nr: 1, conds: []Cond{masked(0, 0, 1)}},
			},
			probes: []probe{
				{nr: 1, args: [6]uint64{0, 7}, want: ActAllow},
				{nr: 1, args: [6]uint64{9, 9}, want: ActAllow},
			},
		},
		{
			name:   "translated by name for each architecture",
			def:    errno1,
			arches: []*arch.Arch{arch.X86, arch.AArch64},
			rules: []ruleOp{
				{act: ActAllow, nr: 0}, // read
			},
			probes: []probe{
				{nr: 0, want: ActAllow},
				{arch: arch.X86, nr: 3, want: ActAllow},
				{arch: arch.X86, nr: 0, want: errno1},
				{arch: arch.AArch64, nr: 63, want: ActAllow},
			},
		},
		{
			name:   "socket calls also go through socketcall",
			def:    errno1,
			arches: []*arch.Arch{arch.X86},
			rules: []ruleOp{
				{act: ActAllow, nr: 41, conds: []Cond{c6(0, cmpEQ, 2)}},
			},
			probes: []probe{
				{nr: 41, args: [6]uint64{2}, want: ActAllow},
				{arch: arch.X86, nr: 359, args: [6]uint64{2}, want: ActAllow},
				{arch: arch.X86, nr: 359, args: [6]uint64{1}, want: errno1},
				{arch: arch.X86, nr: 102, args: [6]uint64{1}, want: ActAllow},
				{arch: arch.X86, nr: 102, args: [6]uint64{2}, want: errno1},
			},
		},
		{
			name:   "missing syscall is skipped",
			def:    errno1,
			arches: []*arch.Arch{arch.AArch64},
			rules: []ruleOp{
				{act: ActAllow, nr: 158}, // arch_prctl, not on aarch64
			},
			probes: []probe{
				{nr: 158, want: ActAllow},
				{arch: arch.AArch64, nr: 158, want: errno1},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			native := tt.native
			if native == nil {
				native = arch.X86_64
			}
			if oracle != nil {
				oracle(t, tt.def, native, tt.arches, tt.rules, tt.probes)
			}
			c := newCol(t, tt.def, native)
			for _, a := range tt.arches {
				if err := c.AddArch(a); err != nil {
					t.Fatalf("AddArch(%s): %v", a.Name, err)
				}
			}
			for i, r := range tt.rules {
				err := c.AddRule(r.act, r.nr, r.exact, r.conds)
				if !errors.Is(err, r.want) || (err == nil) != (r.want == nil) {
					t.Fatalf("rule %d: AddRule = %v, want %v", i, err, r.want)
				}
			}
			for _, p := range tt.probes {
				a := p.arch
				if a == nil {
					a = native
				}
				got := decide(filterFor(t, c, a), uint32(p.nr), p.args, tt.def)
				if got != p.want {
					t.Errorf("%s nr %d args %#x: got %#x, want %#x", a.Name, p.nr, p.args[:3], got, p.want)
				}
			}
		})
	}
}
