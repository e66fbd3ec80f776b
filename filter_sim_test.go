package seccomp

import (
	"testing"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// want reports whether argument v meets the condition, by the definition
// of the operators: on 64-bit ABIs on all 64 bits, on 32-bit ABIs on the
// low 32 bits of the argument and of the operands. For MASKED_EQ,
// libseccomp masks the value too: (v & mask) == (value & mask).
func want(bits int, op ScmpCompareOp, v, a, b uint64) bool {
	if bits == 32 {
		v, a, b = uint64(uint32(v)), uint64(uint32(a)), uint64(uint32(b))
	}
	switch op {
	case CompareNotEqual:
		return v != a
	case CompareLess:
		return v < a
	case CompareLessOrEqual:
		return v <= a
	case CompareEqual:
		return v == a
	case CompareGreaterEqual:
		return v >= a
	case CompareGreater:
		return v > a
	case CompareMaskedEqual:
		return v&a == b&a
	}
	panic("bad op")
}

// Every operator at boundary values, on a 64-bit and a 32-bit ABI of each
// byte order, through the whole pipeline: rule, compiled and exported
// program, interpreter.
func TestComparisonBoundaries(t *testing.T) {
	if arch.Native() == nil || arch.Native().BigEndian {
		t.Skip("written for a little-endian native ABI")
	}
	datums := []uint64{0, 1, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 0x100000000,
		0x100000001, 0x7fffffffffffffff, 0xffffffffffffffff, 0x123456789abcdef0}
	masks := [][2]uint64{{0xff, 0x12}, {0xffffffff00000000, 0x1200000000}, {0x8000000000000001, 0x8000000000000001},
		{0xf0f0, 0x0f0f}, {0x100000000, 0}}
	ops := []ScmpCompareOp{CompareNotEqual, CompareLess, CompareLessOrEqual, CompareEqual,
		CompareGreaterEqual, CompareGreater, CompareMaskedEqual}
	type abiSet struct {
		name   string
		arches []ScmpArch
	}
	sets := []abiSet{
		{"little-endian", []ScmpArch{ArchAMD64, ArchX86}},
		{"big-endian", []ScmpArch{ArchPPC64, ArchPPC}},
	}
	write := sysNum(t, "write")
	errno := ActErrno.SetReturnCode(9)
	for _, set := range sets {
		for _, op := range ops {
			var pairs [][2]uint64
			if op == CompareMaskedEqual {
				pairs = masks
			} else {
				for _, d := range datums {
					pairs = append(pairs, [2]uint64{d, 0})
				}
			}
			for _, pr := range pairs {
				f := newFilter(t, ActAllow)
				if err := f.RemoveArch(ArchNative); err != nil {
					t.Fatal(err)
				}
				for _, a := range set.arches {
					if err := f.AddArch(a); err != nil {
						t.Fatal(err)
					}
				}
				c := ScmpCondition{Argument: 1, Op: op, Operand1: pr[0], Operand2: pr[1]}
				if err := f.AddRuleConditional(write, errno, []ScmpCondition{c}); err != nil {
					t.Fatalf("%v %#x: %v", op, pr, err)
				}
				raw, err := f.ExportBPFMem()
				if err != nil {
					t.Fatal(err)
				}
				var probes []uint64
				for _, base := range []uint64{pr[0], pr[1], 0, 0xffffffff, 0x100000000, ^uint64(0)} {
					probes = append(probes, base-1, base, base+1, base^0xffffffff00000000, base^0x100000000)
				}
				for _, sa := range set.arches {
					abi, _ := sa.toArch()
					p, err := bpf.Unmarshal(raw, abi.ByteOrder())
					if err != nil {
						t.Fatal(err)
					}
					name, _ := arch.Native().SyscallName(int32(write))
					nr, _ := abi.SyscallNumber(name)
					for _, v := range probes {
						ret, _, err := p.Run(bpf.Data{Nr: nr, Arch: abi.Token, Args: [6]uint64{0, v}}, abi.ByteOrder())
						if err != nil {
							t.Fatal(err)
						}
						exp := bpf.RetAllow
						if want(abi.Bits, op, v, pr[0], pr[1]) {
							exp = uint32(errno.toNative())
						}
						if ret != exp {
							t.Errorf("%s %s: a1 %v %#x/%#x with a1 = %#x: %s, want %s", set.name, abi.Name, op, pr[0], pr[1], v,
								bpf.ActionString(ret), bpf.ActionString(exp))
						}
					}
				}
			}
		}
	}
}

// libseccomp 2.5.4 and 2.6.1 compile this filter into a program whose
// aarch64 part compares the architecture token instead of the syscall
// number (a block shared with the x86_64 part skips its "ld [nr]"), so
// every aarch64 syscall takes the default action. The rules say
// otherwise, and so does libseccomp's own PFC export.
func TestSharedBlockAcrossArches(t *testing.T) {
	if arch.Native() != arch.X86_64 {
		t.Skip("written for x86_64")
	}
	f := newFilter(t, ActErrno.SetReturnCode(1))
	for _, a := range []ScmpArch{ArchX86, ArchARM64} {
		if err := f.AddArch(a); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.AddRuleConditional(158, ActAllow, []ScmpCondition{{Argument: 5, Op: CompareNotEqual, Operand1: 0xfffffffe}}); err != nil {
		t.Fatal(err)
	}
	if err := f.AddRuleConditional(1, ActTrap, []ScmpCondition{{Argument: 1, Op: CompareGreaterEqual, Operand1: 0xffffffff00000001}}); err != nil {
		t.Fatal(err)
	}
	if got := run(t, f, arch.AArch64, 64, [6]uint64{0, 0xffffffff00000001}); got != bpf.RetTrap {
		t.Fatalf("aarch64 write: %s, want TRAP", bpf.ActionString(got))
	}
	if got := run(t, f, arch.AArch64, 64, [6]uint64{0, 1}); got != bpf.RetErrno|1 {
		t.Fatalf("aarch64 write: %s, want ERRNO(1)", bpf.ActionString(got))
	}
}
