package bpf

import "fmt"

// Seccomp filter return values (SECCOMP_RET_*). The action is in the
// upper 16 bits and its data (an errno, a ptrace message) in the lower 16.
const (
	RetKillProcess uint32 = 0x80000000 // kill the whole process
	RetKillThread  uint32 = 0x00000000 // kill the calling thread (SECCOMP_RET_KILL)
	RetTrap        uint32 = 0x00030000 // deliver SIGSYS
	RetErrno       uint32 = 0x00050000 // fail the call with errno = data
	RetUserNotif   uint32 = 0x7fc00000 // notify a user space supervisor
	RetTrace       uint32 = 0x7ff00000 // notify a ptrace tracer, with data as message
	RetLog         uint32 = 0x7ffc0000 // log and allow
	RetAllow       uint32 = 0x7fff0000 // allow

	RetActionFull uint32 = 0xffff0000 // mask of the action (SECCOMP_RET_ACTION_FULL)
	RetAction     uint32 = 0x7fff0000 // legacy action mask (SECCOMP_RET_ACTION)
	RetData       uint32 = 0x0000ffff // mask of the action's data (SECCOMP_RET_DATA)
)

// ActionString names a seccomp filter return value: "KILL_PROCESS",
// "KILL_THREAD", "TRAP", "ERRNO(1)", "USER_NOTIF", "TRACE(5)", "LOG" or
// "ALLOW". ERRNO and TRACE always show their data in decimal; the other
// actions show it only when it is not zero, as in "TRAP(3)". A value whose
// action the kernel does not know (and treats as KILL_PROCESS) is shown
// in hexadecimal, as in "0x12340000".
func ActionString(ret uint32) string {
	data := ret & RetData
	var name string
	switch ret & RetActionFull {
	case RetKillProcess:
		name = "KILL_PROCESS"
	case RetKillThread:
		name = "KILL_THREAD"
	case RetTrap:
		name = "TRAP"
	case RetErrno:
		return fmt.Sprintf("ERRNO(%d)", data)
	case RetUserNotif:
		name = "USER_NOTIF"
	case RetTrace:
		return fmt.Sprintf("TRACE(%d)", data)
	case RetLog:
		name = "LOG"
	case RetAllow:
		name = "ALLOW"
	default:
		return fmt.Sprintf("%#08x", ret)
	}
	if data != 0 {
		return fmt.Sprintf("%s(%d)", name, data)
	}
	return name
}
