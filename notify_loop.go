package seccomp

import (
	"errors"
	"syscall"

	"github.com/seccomp-go/seccomp/internal/kernel"
)

// This file holds notification calls that libseccomp-golang does not
// have: a receive that allocates nothing, for supervisors that answer
// many notifications, and the listener's synchronous wake-up mode.

// NotifReceiveInto waits for the next notification on fd and writes it
// to *req, as [NotifReceive] returns it, but without allocating: the
// argument slice req.Data.Args is reused when it has room for six values.
// A supervisor loop keeps one ScmpNotifReq and receives into it:
//
//	var req seccomp.ScmpNotifReq
//	for {
//		if err := seccomp.NotifReceiveInto(fd, &req); err != nil {
//			return err // ErrNotifNoTarget: nobody is left to serve
//		}
//		err := seccomp.NotifRespond(fd, &seccomp.ScmpNotifResp{ID: req.ID, Flags: seccomp.NotifRespFlagContinue})
//		if err != nil && !errors.Is(err, syscall.ENOENT) {
//			return err
//		}
//	}
//
// Unlike NotifReceive, it never fails with a bare syscall.ENOENT: a
// notification that vanished before it could be read (its target died,
// or a signal interrupted its syscall, which is then made again and
// notified anew) is not the caller's concern, and the wait goes on for
// the next one. A signal during the wait is not an error either. The
// other errors are NotifReceive's: [ErrNotifNoTarget] when no task uses
// the filter any more, syscall.ECANCELED for other kernel failures, a
// *[VersionError] for an API level below 6, an error for an unknown
// architecture (req then holds the notification, with Data.Arch set to
// ArchInvalid, so that the caller can still answer it).
func NotifReceiveInto(fd ScmpFd, req *ScmpNotifReq) error {
	if req == nil {
		return syscall.EINVAL
	}
	var kreq kernel.NotifReq
	if err := receive(fd, &kreq, true, true); err != nil {
		return err
	}
	args := req.Data.Args
	if cap(args) < len(kreq.Data.Args) {
		args = make([]uint64, len(kreq.Data.Args))
	}
	args = args[:len(kreq.Data.Args)]
	copy(args, kreq.Data.Args[:])
	a, err := notifArch(kreq.Data.Arch)
	*req = ScmpNotifReq{
		ID:    kreq.ID,
		Pid:   kreq.Pid,
		Flags: kreq.Flags,
		Data: ScmpNotifData{
			Syscall:      ScmpSyscall(kreq.Data.Nr),
			Arch:         a,
			InstrPointer: kreq.Data.InstructionPointer,
			Args:         args,
		},
	}
	return err
}

// NotifSetSyncWakeUp puts the listener fd in synchronous wake-up mode
// (SECCOMP_IOCTL_NOTIF_SET_FLAGS with SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP,
// Linux 6.6 or later): a notifying task wakes the supervisor on its own
// CPU, and the answer wakes the task on the supervisor's, instead of each
// being scheduled wherever the scheduler sees fit. When the target and
// the supervisor take turns, as in a supervisor that answers each call
// at once, this saves most of a round trip's cost. The mode belongs to
// the listener, so the supervisor can set it on a descriptor it was
// given; it stays until the descriptor is closed.
//
// On a kernel before 6.6 the error matches errors.ErrUnsupported and
// wraps syscall.EINVAL (the kernel's answer to an unknown ioctl); on a
// descriptor that is not a listener it wraps ENOTTY or EBADF. A caller
// that can do without the mode ignores the error. The function needs API
// level 6, as the other notification calls.
func NotifSetSyncWakeUp(fd ScmpFd) error {
	if err := notifSupported(); err != nil {
		return err
	}
	for {
		err := kernel.NotifSetFlags(int(fd), kernel.NotifFdSyncWakeUp)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return &syncWakeUpError{err: err}
		}
		return nil
	}
}

// syncWakeUpError is the failure of NotifSetSyncWakeUp.
type syncWakeUpError struct {
	err error // the errno
}

func (e *syncWakeUpError) Error() string {
	switch e.err {
	case syscall.EINVAL:
		return "seccomp notification: synchronous wake-up needs Linux 6.6 or later (SECCOMP_IOCTL_NOTIF_SET_FLAGS): " + e.err.Error()
	case syscall.ENOTTY, syscall.EBADF:
		return "seccomp notification: synchronous wake-up: the descriptor is not a notification listener: " + e.err.Error()
	}
	return "seccomp notification: synchronous wake-up: " + e.err.Error()
}

func (e *syncWakeUpError) Unwrap() error { return e.err }

// Is makes the error of a kernel without the ioctl match
// errors.ErrUnsupported.
func (e *syncWakeUpError) Is(target error) bool {
	return target == errors.ErrUnsupported && e.err == syscall.EINVAL
}
