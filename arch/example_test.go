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
