package seccomp_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	seccomp "github.com/seccomp-go/seccomp"
	"github.com/seccomp-go/seccomp/oci"
)

// dockerDefault builds Docker's default profile for x86_64 (with its x86
// and x32 sub-architectures) with all capabilities.
func dockerDefault(tb testing.TB) *seccomp.ScmpFilter {
	tb.Helper()
	spec, _, err := oci.Parse(oci.DefaultProfile, oci.Options{
		Arches:        []seccomp.ScmpArch{seccomp.ArchAMD64},
		Caps:          []string{"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_SYS_BOOT", "CAP_SYSLOG", "CAP_SYS_TIME"},
		KernelVersion: "6.1",
	})
	if err != nil {
		tb.Fatal(err)
	}
	f, err := oci.NewFilter(spec, oci.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func TestVerifyDockerDefault(t *testing.T) {
	f := dockerDefault(t)
	defer f.Release()
	if err := f.Precompute(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := f.Verify(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Docker default profile proved in %v", time.Since(start))
}

func TestVerifyReleased(t *testing.T) {
	f, err := seccomp.NewFilter(seccomp.ActAllow)
	if err != nil {
		t.Fatal(err)
	}
	f.Release()
	if err := f.Verify(); err == nil {
		t.Error("Verify of a released filter succeeded")
	}
}

func BenchmarkVerifyDockerDefault(b *testing.B) {
	f := dockerDefault(b)
	defer f.Release()
	if err := f.Precompute(); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := f.Verify(); err != nil {
			b.Fatal(err)
		}
	}
}

// Verify proves a filter's BPF equal to its rules for every input.
func ExampleScmpFilter_Verify() {
	f, err := seccomp.NewFilter(seccomp.ActErrno.SetReturnCode(1))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Release()
	read, _ := seccomp.GetSyscallFromName("read")
	small, _ := seccomp.MakeCondition(2, seccomp.CompareLessOrEqual, 4096)
	if err := f.AddRuleConditional(read, seccomp.ActAllow, []seccomp.ScmpCondition{small}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f.Verify())
	// Output: <nil>
}

// FuzzVerifyAPI builds filters through the API from the fuzzer's seed and
// proves each compiled program equal to its rules.
func FuzzVerifyAPI(f *testing.F) {
	for i := range uint64(16) {
		f.Add(i, i*104729)
	}
	f.Fuzz(func(t *testing.T, a, b uint64) {
		r := rand.New(rand.NewPCG(a, b))
		fl, err := seccomp.NewFilter(randAction(r))
		if err != nil {
			t.Fatal(err)
		}
		defer fl.Release()
		arches := []seccomp.ScmpArch{seccomp.ArchX86, seccomp.ArchX32, seccomp.ArchARM64, seccomp.ArchPPC64, seccomp.ArchMIPS, seccomp.ArchS390X}
		added := false
		if r.IntN(3) == 0 {
			// Replace the native ABI, possibly by big-endian ones.
			native, err := seccomp.GetNativeArch()
			if err != nil {
				t.Fatal(err)
			}
			if err := fl.RemoveArch(native); err != nil {
				t.Fatal(err)
			}
			for !added {
				added = fl.AddArch(arches[r.IntN(len(arches))]) == nil
			}
		}
		for range r.IntN(3) {
			_ = fl.AddArch(arches[r.IntN(len(arches))]) // errors (byte order mix) are fine
		}
		if r.IntN(4) == 0 {
			_ = fl.SetBadArchAction(randAction(r))
		}
		if r.IntN(3) == 0 {
			_ = fl.SetOptimize(2)
		}
		names := []string{"read", "write", "open", "close", "socket", "ioctl", "mmap", "clone", "personality", "futex", "openat", "kill"}
		ops := []seccomp.ScmpCompareOp{seccomp.CompareNotEqual, seccomp.CompareLess, seccomp.CompareLessOrEqual,
			seccomp.CompareEqual, seccomp.CompareGreaterEqual, seccomp.CompareGreater, seccomp.CompareMaskedEqual}
		vals := []uint64{0, 1, 2, 0x10, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0xffffffff00000000, ^uint64(0)}
		for range 1 + r.IntN(12) {
			sc, err := seccomp.GetSyscallFromName(names[r.IntN(len(names))])
			if err != nil {
				t.Fatal(err)
			}
			var conds []seccomp.ScmpCondition
			for range r.IntN(4) {
				op := ops[r.IntN(len(ops))]
				v := []uint64{vals[r.IntN(len(vals))]}
				if op == seccomp.CompareMaskedEqual {
					v = append(v, vals[r.IntN(len(vals))])
				}
				c, err := seccomp.MakeCondition(uint(r.IntN(6)), op, v...)
				if err != nil {
					t.Fatal(err)
				}
				conds = append(conds, c)
			}
			act := randAction(r)
			if r.IntN(2) == 0 {
				_ = fl.AddRuleConditional(sc, act, conds) // conflicts are fine
			} else {
				_ = fl.AddRuleConditionalExact(sc, act, conds)
			}
		}
		if err := fl.Verify(); err != nil {
			t.Fatal(err)
		}
	})
}

func randAction(r *rand.Rand) seccomp.ScmpAction {
	acts := []seccomp.ScmpAction{seccomp.ActAllow, seccomp.ActKillThread, seccomp.ActKillProcess, seccomp.ActTrap,
		seccomp.ActLog, seccomp.ActErrno.SetReturnCode(1), seccomp.ActErrno.SetReturnCode(13), seccomp.ActTrace.SetReturnCode(7)}
	return acts[r.IntN(len(acts))]
}
