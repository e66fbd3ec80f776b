package seccomp_test

import (
	"fmt"
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
	for b.Loop() {
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
