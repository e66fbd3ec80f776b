package arch_test

import (
	"fmt"

	"github.com/seccomp-go/seccomp/arch"
)

func Example() {
	a, ok := arch.Lookup("mipsel")
	if !ok {
		return
	}
	nr, _ := a.SyscallNumber("openat")
	name, _ := a.SyscallName(nr)
	fmt.Printf("%s: AUDIT_ARCH %#x, openat = %d = %s\n", a, a.Token, nr, name)

	// On x86, socket(2) is also reachable through socketcall(2).
	nr, _ = arch.X86.SyscallNumber("socket")
	rw, _ := arch.X86.SyscallNumberRewrite("socket")
	m, _ := arch.X86.Multiplexed(nr)
	fmt.Printf("x86 socket: %d, rewritten %d; rules on %d with arg0 == %d and on %d\n", nr, rw, m.Nr, m.Call, m.Direct)
	// Output:
	// mipsel: AUDIT_ARCH 0x40000008, openat = 4288 = openat
	// x86 socket: -101, rewritten 102; rules on 102 with arg0 == 1 and on 359
}

func ExampleArch_SyscallSince() {
	for _, name := range []string{"openat", "openat2", "arch_prctl"} {
		for _, a := range []*arch.Arch{arch.X86_64, arch.X86, arch.AArch64} {
			if v, ok := a.SyscallSince(name); ok {
				fmt.Printf("%s on %s: %v\n", name, a, v)
			} else {
				fmt.Printf("%s on %s: none\n", name, a)
			}
		}
	}
	// Output:
	// openat on x86_64: 2.6.16
	// openat on x86: 2.6.16
	// openat on aarch64: 3.7
	// openat2 on x86_64: 5.6
	// openat2 on x86: 5.6
	// openat2 on aarch64: 5.6
	// arch_prctl on x86_64: 2.6
	// arch_prctl on x86: 4.12
	// arch_prctl on aarch64: none
}
