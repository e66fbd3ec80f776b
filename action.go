package seccomp

import (
	"errors"
	"fmt"

	"github.com/seccomp-go/seccomp/internal/db"
)

// Bounds of the valid action values (without data).
const (
	actionStart = ActKillThread
	actionEnd   = ActKillProcess
)

// String returns a description of the action, with its return code for
// ActErrno and ActTrace.
func (a ScmpAction) String() string {
	switch a & 0xFFFF {
	case ActKillThread:
		return "Action: Kill thread"
	case ActKillProcess:
		return "Action: Kill process"
	case ActTrap:
		return "Action: Send SIGSYS"
	case ActErrno:
		return fmt.Sprintf("Action: Return error code %d", (a >> 16))
	case ActTrace:
		return fmt.Sprintf("Action: Notify tracing processes with code %d",
			(a >> 16))
	case ActNotify:
		return "Action: Notify userspace"
	case ActLog:
		return "Action: Log system call"
	case ActAllow:
		return "Action: Allow system call"
	default:
		return fmt.Sprintf("Unrecognized Action %#x", uint(a))
	}
}

// SetReturnCode returns the action with its return code set to code. Only
// ActErrno and ActTrace carry a code; any other action is returned
// unchanged.
func (a ScmpAction) SetReturnCode(code int16) ScmpAction {
	aTmp := a & 0x0000FFFF
	if aTmp == ActErrno || aTmp == ActTrace {
		return (aTmp | (ScmpAction(code)&0xFFFF)<<16)
	}
	return a
}

// GetReturnCode returns the return code of the action.
func (a ScmpAction) GetReturnCode() int16 {
	return int16(a >> 16)
}

// sanitizeAction checks an action as libseccomp-golang does before
// passing it on.
func sanitizeAction(in ScmpAction) error {
	inTmp := in & 0x0000FFFF
	if inTmp < actionStart || inTmp > actionEnd {
		return fmt.Errorf("unrecognized action %#x", uint(inTmp))
	}
	if inTmp != ActTrace && inTmp != ActErrno && (in&0xFFFF0000) != 0 {
		return errors.New("highest 16 bits must be zeroed except for Trace and Errno")
	}
	return nil
}

// toNative returns the kernel return value of the action. It does not
// check the action: an unknown one becomes SECCOMP_RET_KILL_THREAD (0),
// so every caller passes its action through sanitizeAction first.
func (a ScmpAction) toNative() db.Action {
	switch a & 0xFFFF {
	case ActKillProcess:
		return db.ActKillProcess
	case ActKillThread:
		return db.ActKillThread
	case ActTrap:
		return db.ActTrap
	case ActErrno:
		return db.ActErrno | db.Action(uint32(a)>>16)
	case ActTrace:
		return db.ActTrace | db.Action(uint32(a)>>16)
	case ActLog:
		return db.ActLog
	case ActAllow:
		return db.ActAllow
	case ActNotify:
		return db.ActNotify
	default:
		return 0
	}
}

// actionFromNative converts a kernel return value to an action.
func actionFromNative(a db.Action) (ScmpAction, error) {
	aTmp := a & 0xFFFF
	switch a & 0xFFFF0000 {
	case db.ActKillProcess:
		return ActKillProcess, nil
	case db.ActKillThread:
		return ActKillThread, nil
	case db.ActTrap:
		return ActTrap, nil
	case db.ActErrno:
		return ActErrno.SetReturnCode(int16(aTmp)), nil
	case db.ActTrace:
		return ActTrace.SetReturnCode(int16(aTmp)), nil
	case db.ActLog:
		return ActLog, nil
	case db.ActAllow:
		return ActAllow, nil
	case db.ActNotify:
		return ActNotify, nil
	default:
		return 0x0, fmt.Errorf("unrecognized action %#x", uint32(a))
	}
}
