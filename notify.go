package seccomp

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/seccomp-go/seccomp/arch"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// Flags of [ScmpNotifAddFd].
const (
	// NotifAddFdFlagSetFd installs the descriptor at NewFd, replacing
	// what the target had there, as dup2 does.
	NotifAddFdFlagSetFd uint32 = kernel.AddFdFlagSetFd
	// NotifAddFdFlagSend also answers the notification, in the same step,
	// with the new descriptor's number as the syscall's return value (Linux
	// 5.14 or later).
	NotifAddFdFlagSend uint32 = kernel.AddFdFlagSend
)

// ScmpNotifAddFd describes a descriptor to copy into a notified task,
// for [NotifAddFd].
type ScmpNotifAddFd struct {
	// ID is the notification's ID, from [NotifReceive].
	ID uint64
	// SrcFd is the descriptor, in the calling process, to copy.
	SrcFd int
	// NewFd is the number it gets in the target with
	// NotifAddFdFlagSetFd; otherwise it must be 0 and the lowest free
	// number is used.
	NewFd int
	// Flags is a combination of NotifAddFdFlagSetFd and
	// NotifAddFdFlagSend.
	Flags uint32
	// NewFdFlags holds flags of the new descriptor: 0 or O_CLOEXEC.
	NewFdFlags uint32
}

// ErrNotifNoTarget is returned by [NotifReceive] when no task uses the
// filter any more, so that no notification can ever arrive on the
// descriptor. It matches syscall.ENOENT with errors.Is; compared with ==
// it differs from the ENOENT of a single target that died, on which a
// supervisor simply receives again.
var ErrNotifNoTarget error = notifNoTarget{}

type notifNoTarget struct{}

func (notifNoTarget) Error() string {
	return "seccomp notification: no task uses the filter any more"
}

func (notifNoTarget) Is(target error) bool { return target == syscall.ENOENT }

// notifSupported fails with a *VersionError unless the API level offers
// user notification (6, as libseccomp-golang requires).
func notifSupported() error {
	return checkAPI("seccomp notification", 6, 2, 5, 0)
}

var notifSizes struct {
	sync.Mutex
	checked atomic.Bool
}

// checkNotifSizes is seccomp_notify_alloc's part: the kernel must report
// its structure sizes, and they must hold the layouts the ioctls use.
func checkNotifSizes() error {
	if notifSizes.checked.Load() {
		return nil
	}
	notifSizes.Lock()
	defer notifSizes.Unlock()
	if notifSizes.checked.Load() {
		return nil
	}
	if !kernel.SyscallSupported() {
		return syscall.EOPNOTSUPP
	}
	if err := kernel.CheckNotifSizes(); err != nil {
		var errno syscall.Errno
		if errors.As(err, &errno) {
			return syscall.ECANCELED
		}
		return err
	}
	notifSizes.checked.Store(true)
	return nil
}

// notifFd returns the process's notification descriptor, -1 when no
// filter with ActNotify was loaded yet. ScmpFilter.GetNotifFd uses it.
func notifFd() (ScmpFd, error) {
	if err := notifSupported(); err != nil {
		return -1, err
	}
	return ScmpFd(kernel.NotifyFd()), nil
}

// notifArch maps the AUDIT_ARCH value of a notification to an ScmpArch.
func notifArch(token uint32) (ScmpArch, error) {
	if abi, ok := arch.ByToken(token); ok {
		if a := fromArch(abi); a != ArchInvalid {
			return a, nil
		}
	}
	return ArchInvalid, fmt.Errorf("unrecognized architecture %#x", token)
}

// NotifReceive waits for the next notification on fd and returns it.
// Each call returns one notification; a supervisor calls it in a loop.
// Interrupted waits are resumed.
//
// User notification (ActNotify) hands a syscall to a supervisor instead
// of deciding it in the kernel. Loading a filter with an ActNotify rule
// creates the process's notification descriptor, which
// [ScmpFilter.GetNotifFd] returns. The supervisor then loops:
// NotifReceive returns the next request, [NotifIDValid] checks that the
// target still waits (to be done after reading its memory, against
// TOCTOU races), and [NotifRespond] sets the syscall's result, or lets it
// run with [NotifRespFlagContinue]. [NotifAddFd] opens a descriptor in
// the target on the supervisor's behalf.
//
// The supervisor must not be held up by the filter it serves. With a
// TSYNC load (the default of [ScmpFilter.Load]) every thread of the
// process is filtered, so a process that supervises its own filter must
// never make a notified syscall from the supervising goroutine, nor let
// anything the supervisor needs (logging, file access) depend on one.
// Usually the filter is loaded in a child process that then execs the
// confined command, and the descriptor is passed to the supervisor over a
// unix socket (SCM_RIGHTS) before the exec, or taken with pidfd_getfd(2).
//
// The notification functions need API level 6 or later (see [GetAPI]),
// as in libseccomp-golang; a lower level gives a *[VersionError].
//
// Errors: syscall.ENOENT when the notification vanished before it could
// be read (its target died, or a signal interrupted its syscall, which
// is then made again and notified anew), on which the caller receives
// again, as [NotifReceiveInto] does by itself; [ErrNotifNoTarget] (which also matches ENOENT) when no
// task uses the filter any more, where a blocking receive could wait
// forever; syscall.ECANCELED for other kernel failures, a bad descriptor
// among them; a *VersionError for an API level below 6; an error for an
// unknown architecture in the request.
func NotifReceive(fd ScmpFd) (*ScmpNotifReq, error) {
	var req kernel.NotifReq
	if err := receive(fd, &req, false, false); err != nil {
		return nil, err
	}
	a, err := notifArch(req.Data.Arch)
	if err != nil {
		return nil, err
	}
	return &ScmpNotifReq{
		ID:    req.ID,
		Pid:   req.Pid,
		Flags: req.Flags,
		Data: ScmpNotifData{
			Syscall:      ScmpSyscall(req.Data.Nr),
			Arch:         a,
			InstrPointer: req.Data.InstructionPointer,
			Args:         append([]uint64(nil), req.Data.Args[:]...),
		},
	}, nil
}

// receive waits for the next notification on fd and writes it to *req.
// EINTR is retried. A notification can vanish before it is read, when
// its target dies or a signal interrupts its syscall (which is then made
// again, and notified anew): the kernel then fails the receive with
// ENOENT, which receive retries with retryGone set and returns
// otherwise. [ErrNotifNoTarget] says that no task uses the filter any
// more.
//
// Kernels before 6.11 never end a receive on such a filter, so receive
// polls first, and only receives once a notification is there (on those
// kernels, and always for NotifReceive, whose ENOENT results stay as rare
// as they were). With direct set, on a kernel whose receive does return,
// it waits in the receive alone, one syscall instead of two; the kernel's
// count of pending notifications keeps those that vanished, so there an
// ENOENT is common, and a poll that does not wait tells whether it meant
// that the filter is unused.
func receive(fd ScmpFd, req *kernel.NotifReq, retryGone, direct bool) error {
	if err := notifSupported(); err != nil {
		return err
	}
	if err := checkNotifSizes(); err != nil {
		return err
	}
	direct = direct && kernel.RecvWakesWhenUnused()
	for {
		if !direct {
			ready, err := kernel.NotifPoll(int(fd))
			if err != nil {
				return syscall.ECANCELED
			}
			if !ready {
				return ErrNotifNoTarget
			}
		}
		switch err := kernel.NotifRecvInto(int(fd), req); err {
		case nil:
			return nil
		case syscall.EINTR:
			continue
		case syscall.ENOENT:
			if direct {
				pending, unused, err := kernel.NotifPending(int(fd))
				if err != nil {
					return syscall.ECANCELED
				}
				if unused && !pending {
					return ErrNotifNoTarget
				}
			}
			if retryGone {
				continue
			}
			return syscall.ENOENT
		}
		return syscall.ECANCELED
	}
}

// NotifRespond answers the notification resp.ID on fd. resp.Error is a
// positive errno for the syscall to fail with, or 0 to make it return
// resp.Val; with resp.Flags set to [NotifRespFlagContinue] (and Error and
// Val 0) the syscall runs as if the filter had allowed it.
//
// Errors: ENOENT when the target died or its syscall was interrupted, or
// the ID is unknown; ECANCELED for other kernel refusals (such as
// CONTINUE with a non-zero Error or Val, or answering twice); an error for
// an API level below 6.
func NotifRespond(fd ScmpFd, scmpResp *ScmpNotifResp) error {
	if err := notifSupported(); err != nil {
		return err
	}
	if err := checkNotifSizes(); err != nil {
		return err
	}
	if scmpResp == nil {
		return syscall.EINVAL
	}
	resp := kernel.NotifResp{
		ID:    scmpResp.ID,
		Val:   int64(scmpResp.Val),
		Error: -scmpResp.Error, // the kernel takes the negated errno
		Flags: scmpResp.Flags,
	}
	for {
		err := kernel.NotifSend(int(fd), resp)
		switch err {
		case nil:
			return nil
		case syscall.EINTR:
			continue
		case syscall.ENOENT:
			return syscall.ENOENT
		}
		return syscall.ECANCELED
	}
}

// NotifIDValid checks that the notification id on fd is still pending:
// nil means the target still waits for the answer. Call it after reading
// the target's memory, to be sure the data belonged to that syscall. An
// ID that is no longer valid, or any other failure, gives ENOENT.
func NotifIDValid(fd ScmpFd, id uint64) error {
	if err := notifSupported(); err != nil {
		return err
	}
	for {
		err := kernel.NotifIDValid(int(fd), id)
		switch err {
		case nil:
			return nil
		case syscall.EINTR:
			continue
		}
		return syscall.ENOENT
	}
}

// NotifAddFd copies the descriptor addFd.SrcFd of the calling process into
// the task waiting on notification addFd.ID, and returns the number it
// has there. With [NotifAddFdFlagSend] the notification is answered at
// the same time, the syscall returning that number; otherwise the
// supervisor still answers with [NotifRespond], usually passing the
// number in Val. It needs Linux 5.9, and 5.14 for NotifAddFdFlagSend.
//
// Errors are the kernel's errno as a syscall.Errno, since the caller
// needs to tell them apart: ENOENT when the target died or the ID is
// unknown, EINPROGRESS when the notification was not received yet, EBADF
// for a bad SrcFd, EMFILE when the target has no free descriptor, EBUSY
// for NotifAddFdFlagSend while other descriptors are still being added,
// EINVAL for bad flags; an error for an API level below 6.
func NotifAddFd(fd ScmpFd, addFd *ScmpNotifAddFd) (int, error) {
	if err := notifSupported(); err != nil {
		return -1, err
	}
	if addFd == nil {
		return -1, syscall.EINVAL
	}
	if addFd.SrcFd < 0 || addFd.SrcFd > 1<<31-1 {
		return -1, syscall.EBADF
	}
	if addFd.NewFd < 0 || addFd.NewFd > 1<<31-1 {
		return -1, syscall.EINVAL
	}
	a := kernel.NotifAddFd{
		ID:         addFd.ID,
		Flags:      addFd.Flags,
		SrcFd:      uint32(addFd.SrcFd),
		NewFd:      uint32(addFd.NewFd),
		NewFdFlags: addFd.NewFdFlags,
	}
	for {
		n, err := kernel.NotifAddFdIoctl(int(fd), a)
		if err == syscall.EINTR {
			continue
		}
		return n, err
	}
}
