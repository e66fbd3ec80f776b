package kernel

import (
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Operations of seccomp(2).
const (
	opSetModeStrict   = 0 // SECCOMP_SET_MODE_STRICT
	opSetModeFilter   = 1 // SECCOMP_SET_MODE_FILTER
	opGetActionAvail  = 2 // SECCOMP_GET_ACTION_AVAIL
	opGetNotifSizes   = 3 // SECCOMP_GET_NOTIF_SIZES
	modeFilterForPrct = 2 // SECCOMP_MODE_FILTER, for prctl(PR_SET_SECCOMP)
)

// Flags of SECCOMP_SET_MODE_FILTER.
const (
	// FlagTSync puts the filter on every thread of the process.
	FlagTSync uint = 1 << 0
	// FlagLog logs every action except SECCOMP_RET_ALLOW.
	FlagLog uint = 1 << 1
	// FlagSpecAllow leaves speculative store bypass mitigation off.
	FlagSpecAllow uint = 1 << 2
	// FlagNewListener returns a user-notification descriptor.
	FlagNewListener uint = 1 << 3
	// FlagTSyncESRCH reports a [FlagTSync] failure as ESRCH instead of
	// returning the id of the thread that could not be synchronised.
	FlagTSyncESRCH uint = 1 << 4
	// FlagWaitKillableRecv makes a notified task wait in a killable state
	// once the supervisor has received the notification.
	FlagWaitKillableRecv uint = 1 << 5
)

// allFlags is every flag this package knows.
const allFlags = FlagTSync | FlagLog | FlagSpecAllow | FlagNewListener |
	FlagTSyncESRCH | FlagWaitKillableRecv

// Filter return values (SECCOMP_RET_*), as the kernel defines them.
const (
	RetKillProcess uint32 = 0x80000000
	RetKillThread  uint32 = 0x00000000
	RetTrap        uint32 = 0x00030000
	RetErrno       uint32 = 0x00050000
	RetUserNotif   uint32 = 0x7fc00000
	RetTrace       uint32 = 0x7ff00000
	RetLog         uint32 = 0x7ffc0000
	RetAllow       uint32 = 0x7fff0000

	// RetActionFull masks the action part of a return value.
	RetActionFull uint32 = 0xffff0000
	// RetData masks the data part of a return value.
	RetData uint32 = 0x0000ffff
)

// MaxErrno is the largest errno a SECCOMP_RET_ERRNO filter can set; the
// kernel clamps larger data to it.
const MaxErrno = 4095

// maxInstructions is BPF_MAXINSNS, the kernel's limit on one program.
const maxInstructions = 4096

// ThreadSyncError is returned by [Load] when [FlagTSync] was given
// without [FlagTSyncESRCH] and the kernel could not put the filter on
// every thread. TID is the thread the kernel names. It matches
// unix.ESRCH with errors.Is.
type ThreadSyncError struct {
	TID int
}

func (e *ThreadSyncError) Error() string {
	return fmt.Sprintf("seccomp: thread %d could not be synchronised to the new filter", e.TID)
}

// Is reports whether target is ESRCH.
func (e *ThreadSyncError) Is(target error) bool { return target == unix.ESRCH }

// seccomp issues seccomp(2).
func seccomp(op, flags uintptr, arg unsafe.Pointer) (uintptr, error) {
	r, _, errno := unix.Syscall(unix.SYS_SECCOMP, op, flags, uintptr(arg))
	if errno != 0 {
		return 0, errno
	}
	return r, nil
}

// loadSockFilter loads filter with SECCOMP_SET_MODE_FILTER. See [Load].
func loadSockFilter(filter []unix.SockFilter, flags uint) (int, error) {
	// The kernel refuses these with EINVAL; answer the same without
	// handing it a pointer to nothing.
	if len(filter) == 0 || len(filter) > maxInstructions || flags&^allFlags != 0 {
		return -1, unix.EINVAL
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	r, err := seccomp(opSetModeFilter, uintptr(flags), unsafe.Pointer(&prog))
	runtime.KeepAlive(filter)
	if err != nil {
		return -1, err
	}
	switch {
	case flags&FlagNewListener != 0:
		return int(r), nil
	case r != 0 && flags&FlagTSync != 0:
		return -1, &ThreadSyncError{TID: int(r)}
	}
	return -1, nil
}

// loadPrctl loads filter with prctl(PR_SET_SECCOMP), for kernels without
// seccomp(2).
func loadPrctl(filter []unix.SockFilter) error {
	if len(filter) == 0 || len(filter) > maxInstructions {
		return unix.EINVAL
	}
	prog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	_, _, errno := unix.Syscall(unix.SYS_PRCTL, unix.PR_SET_SECCOMP, modeFilterForPrct,
		uintptr(unsafe.Pointer(&prog)))
	runtime.KeepAlive(filter)
	if errno != 0 {
		return errno
	}
	return nil
}

// SetNoNewPrivs sets the no_new_privs bit of the calling thread
// (prctl(PR_SET_NO_NEW_PRIVS, 1)). Without it, or CAP_SYS_ADMIN, the kernel
// refuses to load a filter. The bit is per thread: call it on the thread
// that then loads the filter, or load with [FlagTSync], which copies the
// bit to every thread. The error is the raw errno.
func SetNoNewPrivs() error {
	return unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
}

// NoNewPrivs reports whether the calling thread has no_new_privs set.
func NoNewPrivs() (bool, error) {
	r, _, errno := unix.Syscall6(unix.SYS_PRCTL, unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0, 0)
	if errno != 0 {
		return false, errno
	}
	return r == 1, nil
}

// ActionAvailable asks the kernel (SECCOMP_GET_ACTION_AVAIL) whether it
// knows the action of the filter return value ret; the data part is
// ignored. Unlike [ActionSupported], it does not follow the API level.
func ActionAvailable(ret uint32) bool {
	action := ret & RetActionFull
	_, err := seccomp(opGetActionAvail, 0, unsafe.Pointer(&action))
	return err == nil
}

// NotifSizes are the sizes of the user-notification structures as the
// running kernel knows them (struct seccomp_notif_sizes).
type NotifSizes struct {
	Notif     uint16 // struct seccomp_notif
	NotifResp uint16 // struct seccomp_notif_resp
	Data      uint16 // struct seccomp_data
}

// GetNotifSizes asks the kernel for its user-notification structure
// sizes (SECCOMP_GET_NOTIF_SIZES). The error is the raw errno.
func GetNotifSizes() (NotifSizes, error) {
	var s NotifSizes
	if _, err := seccomp(opGetNotifSizes, 0, unsafe.Pointer(&s)); err != nil {
		return NotifSizes{}, err
	}
	return s, nil
}
