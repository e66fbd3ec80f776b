package seccomp

import (
	"errors"
	"fmt"

	"github.com/seccomp-go/seccomp/internal/db"
)

// Actions. An action's kind is in its low 16 bits; ActErrno and ActTrace
// keep a return code in the 16 bits above. The numbers are part of the
// API: they are libseccomp-golang's, so that an action stored as a
// number means the same in both packages.
const (
	// ActInvalid is not a valid action.
	ActInvalid ScmpAction = 0
	// ActKillThread kills the calling thread.
	ActKillThread ScmpAction = 1
	// ActKill is an alias of ActKillThread.
	ActKill = ActKillThread
	// ActTrap sends SIGSYS to the calling thread.
	ActTrap ScmpAction = 2
	// ActNotify passes the syscall to a user-space supervisor.
	ActNotify ScmpAction = 3
	// ActErrno fails the syscall with the errno set by SetReturnCode.
	ActErrno ScmpAction = 4
	// ActTrace notifies a ptrace tracer, passing the SetReturnCode value.
	ActTrace ScmpAction = 5
	// ActAllow lets the syscall run.
	ActAllow ScmpAction = 6
	// ActLog lets the syscall run and logs it.
	ActLog ScmpAction = 7
	// ActKillProcess kills the whole process.
	ActKillProcess ScmpAction = 8
)

// actionKind describes one kind of action.
type actionKind struct {
	text     string    // String's result; the code follows it when withData
	native   db.Action // the kernel's SECCOMP_RET_* value, without data
	withData bool      // whether the upper 16 bits hold a return code
}

// actionKinds is indexed by the kind (the low 16 bits of an action); the
// entry for ActInvalid is empty, and so unknown.
var actionKinds = [...]actionKind{
	ActKillThread:  {text: "Action: Kill thread", native: db.ActKillThread},
	ActTrap:        {text: "Action: Send SIGSYS", native: db.ActTrap},
	ActNotify:      {text: "Action: Notify userspace", native: db.ActNotify},
	ActErrno:       {text: "Action: Return error code", native: db.ActErrno, withData: true},
	ActTrace:       {text: "Action: Notify tracing processes with code", native: db.ActTrace, withData: true},
	ActAllow:       {text: "Action: Allow system call", native: db.ActAllow},
	ActLog:         {text: "Action: Log system call", native: db.ActLog},
	ActKillProcess: {text: "Action: Kill process", native: db.ActKillProcess},
}

// kind returns the low 16 bits of a, which name the kind of action.
func (a ScmpAction) kind() ScmpAction { return a & 0xFFFF }

// info returns the description of a's kind, and false when a has no
// known kind.
func (a ScmpAction) info() (actionKind, bool) {
	k := a.kind()
	if k-ActKillThread > ActKillProcess-ActKillThread { // also catches 0
		return actionKind{}, false
	}
	return actionKinds[k], true
}

// String returns a description of the action, with its return code for
// ActErrno and ActTrace.
func (a ScmpAction) String() string {
	ak, ok := a.info()
	switch {
	case !ok:
		return fmt.Sprintf("Unrecognized Action %#x", uint(a))
	case ak.withData:
		return fmt.Sprintf("%s %d", ak.text, uint(a)>>16)
	}
	return ak.text
}

// SetReturnCode returns the action with its return code set to code. Only
// ActErrno and ActTrace carry a code; any other action is returned
// unchanged.
func (a ScmpAction) SetReturnCode(code int16) ScmpAction {
	if ak, ok := a.info(); !ok || !ak.withData {
		return a
	}
	return a.kind() | ScmpAction(uint16(code))<<16
}

// GetReturnCode returns the return code of the action: bits 16 to 31, as
// a signed number.
func (a ScmpAction) GetReturnCode() int16 {
	return int16(uint16(a >> 16))
}

// sanitizeAction checks an action as libseccomp-golang does before
// passing it on: it must have a known kind, and only a kind with data
// may have bits 16 to 31 set (bits above 31 are not looked at).
func sanitizeAction(in ScmpAction) error {
	ak, ok := in.info()
	if !ok {
		return fmt.Errorf("unrecognized action %#x", uint(in.kind()))
	}
	if uint32(in)>>16 != 0 && !ak.withData {
		return errors.New("highest 16 bits must be zeroed except for Trace and Errno")
	}
	return nil
}

// toNative returns the kernel return value of the action. It does not
// check the action: an unknown one becomes SECCOMP_RET_KILL_THREAD (0),
// so every caller passes its action through sanitizeAction first.
func (a ScmpAction) toNative() db.Action {
	ak, _ := a.info()
	if ak.withData {
		return ak.native | db.Action(uint32(a)>>16)
	}
	return ak.native
}

// FilterValue returns the value a filter returns for the action: its
// SECCOMP_RET_* action, and for ActErrno and ActTrace its return code in
// the low 16 bits. It fails for a value that is not a valid action, as
// the Add* methods do.
func (a ScmpAction) FilterValue() (uint32, error) {
	if err := sanitizeAction(a); err != nil {
		return 0, err
	}
	return uint32(a.toNative()), nil
}

// actionFromNative converts a kernel return value to an action. The low
// 16 bits of the value become the return code of ActErrno and ActTrace,
// and are dropped for the other kinds.
func actionFromNative(a db.Action) (ScmpAction, error) {
	const fullMask = 0xFFFF0000 // SECCOMP_RET_ACTION_FULL
	for k := ActKillThread; k <= ActKillProcess; k++ {
		ak := actionKinds[k]
		if ak.native != a&fullMask {
			continue
		}
		if ak.withData {
			return k.SetReturnCode(int16(a)), nil
		}
		return k, nil
	}
	return ActInvalid, fmt.Errorf("unrecognized action %#x", uint32(a))
}
