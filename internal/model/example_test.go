package model_test

import (
	"fmt"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/db"
	"github.com/seccomp-go/seccomp/internal/model"
)

// The model decides inputs straight from the rule tree: here write(2) is
// allowed on stdout and stderr (arg0 <= 2 and arg0 > 0) and fails with
// EPERM otherwise, on x86_64 only.
func Example() {
	gt0 := &db.Node{Arg: 0, Op: db.OpGT, Mask: 0xffffffff, Datum: 0,
		HasTrueAct: true, TrueAct: db.Action(bpf.RetAllow)}
	le2 := &db.Node{Arg: 0, Op: db.OpGT, Mask: 0xffffffff, Datum: 2,
		FalseNext: gt0} // arg0 > 2 is false: check arg0 > 0
	write, _ := arch.X86_64.SyscallNumber("write")
	filters := []*db.Filter{{Arch: arch.X86_64, Syscalls: []*db.Syscall{
		{Num: uint32(write), Chains: le2},
	}}}
	rs, err := model.New(filters, db.Action(bpf.RetErrno|1), db.Action(bpf.RetKillProcess))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range []bpf.Data{
		{Arch: arch.X86_64.Token, Nr: write, Args: [6]uint64{1}},
		{Arch: arch.X86_64.Token, Nr: write, Args: [6]uint64{0}},
		{Arch: arch.X86_64.Token, Nr: write, Args: [6]uint64{1 << 32}}, // low word 0
		{Arch: arch.X86_64.Token, Nr: 0x40000001},                      // an x32 syscall
		{Arch: arch.AArch64.Token, Nr: 64},
	} {
		fmt.Println(bpf.ActionString(uint32(rs.Decide(d))))
	}
	// Output:
	// ALLOW
	// ERRNO(1)
	// ERRNO(1)
	// KILL_PROCESS
	// KILL_PROCESS
}
