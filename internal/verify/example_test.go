package verify_test

import (
	"errors"
	"fmt"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
	"github.com/seccomp-go/seccomp/internal/verify"
)

// Check proves a hand-written program equal to its rules, then finds the
// input that a one-character slip breaks.
func Example() {
	// aarch64: getpid (172) is allowed, everything else fails with EPERM.
	filters := []*db.Filter{{Arch: arch.AArch64, Syscalls: []*db.Syscall{
		{Num: 172, Action: db.Action(bpf.RetAllow)},
	}}}
	def, badArch := db.Action(bpf.RetErrno|1), db.Action(bpf.RetKillProcess)
	prog := bpf.Program{
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetArch),
		bpf.Jump(bpf.JMP|bpf.JEQ|bpf.K, arch.AArch64.Token, 1, 0),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetKillProcess),
		bpf.Stmt(bpf.LD|bpf.W|bpf.ABS, bpf.OffsetNr),
		bpf.Jump(bpf.JMP|bpf.JGE|bpf.K, 172, 0, 2), // nr >= 172
		bpf.Jump(bpf.JMP|bpf.JGT|bpf.K, 172, 1, 0), // and not > 172
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetAllow),
		bpf.Stmt(bpf.RET|bpf.K, bpf.RetErrno|1),
	}
	st, err := verify.Check(filters, def, badArch, prog)
	fmt.Println(err, st.Paths)

	prog[5].K = 173 // the slip: now 173 is allowed too
	_, err = verify.Check(filters, def, badArch, prog)
	var m *verify.Mismatch
	if errors.As(err, &m) {
		fmt.Printf("nr %d: program %s, rules %s\n", m.Data.Nr, bpf.ActionString(m.Got), bpf.ActionString(uint32(m.Want)))
	}
	// Output:
	// <nil> 4
	// nr 173: program ALLOW, rules ERRNO(1)
}
