package sandbox

import (
	"fmt"
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/bpf"
)

// Sentinel return values that stand in for a load of an argument or of
// the instruction pointer in fixedAction; any two distinct values do.
const (
	argSentinel1 uint32 = 0x7ffe0001
	argSentinel2 uint32 = 0x7ffe0002
)

// fixedAction returns what p returns for syscall nr of the architecture a
// whatever the call's arguments and instruction pointer, or known=false
// when that depends on them.
//
// It runs p with the bpf interpreter twice, each time with every load of
// an argument or of the instruction pointer replaced by a return of a
// different sentinel. When the path p takes for nr reaches no such load,
// both runs follow it and return the same value, which is then the value
// for every argument; when it reaches one, the runs return their
// different sentinels.
func fixedAction(p bpf.Program, a *arch.Arch, nr int32) (ret uint32, known bool, err error) {
	d := bpf.Data{Nr: nr, Arch: a.Token}
	var rets [2]uint32
	for i, sentinel := range []uint32{argSentinel1, argSentinel2} {
		q := make(bpf.Program, len(p))
		for pc, ins := range p {
			if ins.Op == bpf.LD|bpf.W|bpf.ABS && ins.K >= bpf.OffsetInstructionPointer {
				ins = bpf.Stmt(bpf.RET|bpf.K, sentinel)
			}
			q[pc] = ins
		}
		r, _, err := q.Run(d, a.ByteOrder())
		if err != nil {
			return 0, false, err
		}
		rets[i] = r
	}
	return rets[0], rets[0] == rets[1], nil
}

// stops reports whether the filter return value ret keeps the system
// call from running: a kill, TRAP, ERRNO, or an action the kernel does not
// know (which it treats as KILL_PROCESS). TRACE, USER_NOTIF, LOG and ALLOW
// leave the decision to a tracer, a supervisor or the kernel.
func stops(ret uint32) bool {
	switch ret & bpf.RetActionFull {
	case bpf.RetTrace, bpf.RetUserNotif, bpf.RetLog, bpf.RetAllow:
		return false
	}
	return true
}

// preflight refuses a filter that is known to stop the execve(2) the
// child makes after loading it, the one system call the child needs from
// the filter (see the package documentation).
func preflight(p bpf.Program, a *arch.Arch, path string) error {
	nr, ok := a.SyscallNumber("execve")
	if !ok || nr < 0 {
		return nil
	}
	ret, known, err := fixedAction(p, a, nr)
	if err != nil {
		return fmt.Errorf("sandbox: running the filter for execve: %w", err)
	}
	if !known || !stops(ret) {
		return nil
	}
	e := &Error{Path: path, Op: "check filter", Action: bpf.ActionString(ret), Status: StatusCannotExecute, arch: a.Name}
	if ret&bpf.RetActionFull == bpf.RetErrno {
		e.Err = syscall.Errno(ret & bpf.RetData)
	}
	return e
}
