package kernel

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// tristate is a cached yes/no answer that may not be known yet.
type tristate int8

const (
	unknown tristate = iota
	no
	yes
)

func boolState(b bool) tristate {
	if b {
		return yes
	}
	return no
}

// support is the process-wide record of what the kernel offers, as probed
// or as forced by [SetAPILevel]. It mirrors libseccomp's task state.
type support struct {
	syscall     tristate // seccomp(2) itself
	tsync       tristate
	flagLog     tristate
	actLog      tristate
	killProcess tristate
	specAllow   tristate
	newListener tristate
	userNotif   tristate
	tsyncESRCH  tristate
	waitKill    tristate

	apiLevel uint
	notifyFd int
}

var (
	mu    sync.Mutex
	state = support{notifyFd: -1}
)

// chkSyscall reports whether seccomp(2) works. An invalid call
// (SECCOMP_SET_MODE_STRICT with non-zero flags) fails with EINVAL when the
// syscall exists and ENOSYS when it does not. mu must be held.
func chkSyscall() bool {
	if state.syscall == unknown {
		_, err := seccomp(opSetModeStrict, 1, nil)
		state.syscall = boolState(err == unix.EINVAL)
	}
	return state.syscall == yes
}

// chkFlagKernel probes a filter flag: with a NULL program the kernel
// answers EFAULT once it has accepted the flags. mu must be held.
func chkFlagKernel(flag uint) tristate {
	if !chkSyscall() {
		return no
	}
	_, err := seccomp(opSetModeFilter, uintptr(flag), nil)
	return boolState(err == unix.EFAULT)
}

// flagSlot returns the cache entry of flag, or nil for an unknown flag.
func flagSlot(flag uint) *tristate {
	switch flag {
	case FlagTSync:
		return &state.tsync
	case FlagLog:
		return &state.flagLog
	case FlagSpecAllow:
		return &state.specAllow
	case FlagNewListener:
		return &state.newListener
	case FlagTSyncESRCH:
		return &state.tsyncESRCH
	case FlagWaitKillableRecv:
		return &state.waitKill
	}
	return nil
}

// chkFlag is libseccomp's sys_chk_seccomp_flag. mu must be held.
func chkFlag(flag uint) (bool, error) {
	slot := flagSlot(flag)
	if slot == nil {
		return false, unix.EOPNOTSUPP
	}
	if *slot == unknown {
		if flag == FlagWaitKillableRecv {
			// The kernel accepts this flag only next to NEW_LISTENER.
			if ok, _ := chkFlag(FlagNewListener); ok {
				*slot = chkFlagKernel(flag | FlagNewListener)
			} else {
				*slot = no
			}
		} else {
			*slot = chkFlagKernel(flag)
		}
	}
	return *slot == yes, nil
}

// chkAction is libseccomp's sys_chk_seccomp_action. mu must be held.
func chkAction(ret uint32) bool {
	probe := func(slot *tristate, ok func() bool) bool {
		if *slot == unknown {
			*slot = boolState(chkSyscall() && ok())
		}
		return *slot == yes
	}
	avail := func() bool {
		a := ret
		_, err := seccomp(opGetActionAvail, 0, unsafe.Pointer(&a))
		return err == nil
	}
	data := ret & RetData
	switch {
	case ret == RetKillProcess:
		return probe(&state.killProcess, avail)
	case ret == RetKillThread, ret == RetTrap, ret == RetAllow:
		return true
	case ret&RetActionFull == RetErrno:
		return data < MaxErrno
	case ret&RetActionFull == RetTrace:
		return true
	case ret == RetLog:
		return probe(&state.actLog, avail)
	case ret == RetUserNotif:
		return probe(&state.userNotif, func() bool {
			_, err := GetNotifSizes()
			return err == nil
		})
	}
	return false
}

// FlagSupported reports whether the filter flag can be used, probing the
// kernel the first time as libseccomp does, or following the level forced
// with [SetAPILevel]. An unknown flag gives EOPNOTSUPP.
func FlagSupported(flag uint) (bool, error) {
	mu.Lock()
	defer mu.Unlock()
	return chkFlag(flag)
}

// ActionSupported reports whether the filter return value ret can be
// used, as libseccomp's sys_chk_seccomp_action decides: KILL_PROCESS, LOG
// and USER_NOTIF are probed (or follow the level forced with
// [SetAPILevel]); KILL_THREAD, TRAP, TRACE and ALLOW are always
// available; ERRNO needs data below [MaxErrno]; anything else is refused.
func ActionSupported(ret uint32) bool {
	mu.Lock()
	defer mu.Unlock()
	return chkAction(ret)
}

// SyscallSupported reports whether the kernel has seccomp(2).
func SyscallSupported() bool {
	mu.Lock()
	defer mu.Unlock()
	return chkSyscall()
}

// updateAPI computes the API level once, as libseccomp's
// _seccomp_api_update does. mu must be held.
func updateAPI() uint {
	if state.apiLevel >= 1 {
		return state.apiLevel
	}
	flag := func(f uint) bool { ok, _ := chkFlag(f); return ok }
	level := uint(1)
	if chkSyscall() && flag(FlagTSync) {
		level = 2
	}
	if level == 2 && flag(FlagLog) && chkAction(RetLog) && chkAction(RetKillProcess) {
		level = 3
	}
	if level == 3 && flag(FlagSpecAllow) {
		level = 4
	}
	if level == 4 && flag(FlagNewListener) && chkAction(RetUserNotif) {
		level = 5
	}
	if level == 5 && flag(FlagTSyncESRCH) {
		level = 6
	}
	if level == 6 && flag(FlagWaitKillableRecv) {
		level = 7
	}
	state.apiLevel = level
	return level
}

// APILevel returns libseccomp's API level for the running kernel, 1 to 7,
// detected on first use and cached (or the level set with [SetAPILevel]):
//
//	1  seccomp filters through prctl only
//	2  seccomp(2) with SECCOMP_FILTER_FLAG_TSYNC
//	3  SECCOMP_FILTER_FLAG_LOG, SECCOMP_RET_LOG, SECCOMP_RET_KILL_PROCESS
//	4  SECCOMP_FILTER_FLAG_SPEC_ALLOW
//	5  SECCOMP_FILTER_FLAG_NEW_LISTENER, SECCOMP_RET_USER_NOTIF
//	6  SECCOMP_FILTER_FLAG_TSYNC_ESRCH
//	7  SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
func APILevel() uint {
	mu.Lock()
	defer mu.Unlock()
	return updateAPI()
}

// DetectAPILevel probes the kernel afresh and returns its API level,
// without using or changing the cached level and support flags (so
// without undoing [SetAPILevel]).
func DetectAPILevel() uint {
	mu.Lock()
	defer mu.Unlock()
	saved := state
	state = support{notifyFd: saved.notifyFd}
	level := updateAPI()
	state = saved
	return level
}

// SetAPILevel forces the API level, and with it the support of every flag
// and probed action, to what level implies, whatever the kernel offers; a
// level outside 1..7 gives EINVAL. Its use is discouraged outside tests.
func SetAPILevel(level uint) error {
	if level < 1 || level > 7 {
		return unix.EINVAL
	}
	mu.Lock()
	defer mu.Unlock()
	at := func(min uint) tristate { return boolState(level >= min) }
	state.syscall = at(2)
	state.tsync = at(2)
	state.flagLog = at(3)
	state.actLog = at(3)
	state.killProcess = at(3)
	state.specAllow = at(4)
	state.newListener = at(5)
	state.userNotif = at(5)
	state.tsyncESRCH = at(6)
	state.waitKill = at(7)
	state.apiLevel = level
	return nil
}

// resetForTest forgets every probe, the API level and the listener.
func resetForTest() {
	mu.Lock()
	defer mu.Unlock()
	fd := state.notifyFd
	state = support{notifyFd: -1}
	if fd >= 0 {
		unix.Close(fd)
	}
}
