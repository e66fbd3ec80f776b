package compile_test

import (
	"fmt"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/compile"
	"github.com/seccomp-go/seccomp/internal/db"
)

func Example() {
	allow := db.Action(bpf.RetAllow)
	// read, write and exit_group allowed; socket allowed unless its
	// family (the low word of argument 0) is AF_VSOCK (40); everything
	// else fails with EPERM.
	sock := &db.Node{Arg: 0, Op: db.OpEQ, Mask: 0xffffffff, Datum: 40, HasFalseAct: true, FalseAct: allow}
	in := compile.Input{
		Filters: []*db.Filter{{Arch: arch.AArch64, Syscalls: []*db.Syscall{
			{Num: 63, Action: allow}, // read
			{Num: 64, Action: allow}, // write
			{Num: 94, Action: allow}, // exit_group
			{Num: 198, Chains: &db.Node{Arg: 0, High: true, Op: db.OpEQ, Mask: 0xffffffff, Datum: 0, TrueNext: sock, HasFalseAct: true, FalseAct: allow}},
		}}},
		Default: db.Action(bpf.RetErrno | 1),
		BadArch: db.Action(bpf.RetKillProcess),
	}
	prog, err := compile.Compile(in)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(prog) <= bpf.MaxInstructions, prog.Verify() == nil)
	for _, d := range []bpf.Data{
		{Nr: 63, Arch: arch.AArch64.Token},                               // read
		{Nr: 198, Arch: arch.AArch64.Token, Args: [6]uint64{2}},          // socket(AF_INET, ...)
		{Nr: 198, Arch: arch.AArch64.Token, Args: [6]uint64{40}},         // socket(AF_VSOCK, ...)
		{Nr: 198, Arch: arch.AArch64.Token, Args: [6]uint64{1<<32 | 40}}, // high word set
		{Nr: 56, Arch: arch.AArch64.Token},                               // openat
		{Nr: 0, Arch: arch.X86_64.Token},                                 // another architecture
	} {
		ret, _, err := prog.Run(d, arch.AArch64.ByteOrder())
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(bpf.ActionString(ret))
	}
	// Output:
	// true true
	// ALLOW
	// ALLOW
	// ERRNO(1)
	// ALLOW
	// ERRNO(1)
	// KILL_PROCESS
}
