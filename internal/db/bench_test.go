package db

import (
	"testing"

	"github.com/seccomp-go/seccomp/arch"
)

// BenchmarkAddRules adds one allow rule for each of 300 syscalls, a few
// with conditions, on three ABIs, as a container profile does.
func BenchmarkAddRules(b *testing.B) {
	names := arch.SyscallNames()
	for i := 0; i < b.N; i++ {
		c, err := New(errno1, arch.X86_64, nil)
		if err != nil {
			b.Fatal(err)
		}
		c.AddArch(arch.X86)
		c.AddArch(arch.X32)
		n := 0
		for _, name := range names {
			nr, ok := arch.X86_64.SyscallNumber(name)
			if !ok || nr < 0 {
				continue
			}
			var conds []Cond
			if n%20 == 0 {
				conds = []Cond{c6(0, cmpEQ, uint64(n))}
			}
			if err := c.AddRule(ActAllow, nr, false, conds); err != nil {
				b.Fatal(err)
			}
			if n++; n == 300 {
				break
			}
		}
		_ = c.Filters()
	}
}
