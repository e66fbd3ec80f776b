package kernel

import (
	"fmt"
	"sync"
	"unsafe"

	"github.com/seccomp-go/seccomp/arch"
	"golang.org/x/sys/unix"
)

// Data is struct seccomp_data: what a filter, or a supervisor, sees of a
// syscall.
type Data struct {
	Nr                 int32
	Arch               uint32
	InstructionPointer uint64
	Args               [6]uint64
}

// NotifReq is struct seccomp_notif, a user notification.
type NotifReq struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  Data
}

// NotifResp is struct seccomp_notif_resp, the answer to a notification.
// Error is the negated errno (0 or negative); with it 0, Val is the
// syscall's return value.
type NotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

// NotifAddFd is struct seccomp_notif_addfd.
type NotifAddFd struct {
	ID         uint64
	Flags      uint32
	SrcFd      uint32
	NewFd      uint32
	NewFdFlags uint32
}

// Flags of [NotifResp] and [NotifAddFd].
const (
	// NotifFlagContinue lets the notified syscall run (Error and Val
	// must be 0).
	NotifFlagContinue uint32 = 1
	// AddFdFlagSetFd installs the descriptor at NewFd, like dup2.
	AddFdFlagSetFd uint32 = 1
	// AddFdFlagSend installs the descriptor and answers the notification
	// with its number in one step.
	AddFdFlagSend uint32 = 2
)

// Sizes of the structures above, as this package lays them out.
const (
	SizeofData       = 64
	SizeofNotifReq   = 80
	SizeofNotifResp  = 24
	SizeofNotifAddFd = 24
)

// ioctlIDValidWrongDir is SECCOMP_IOCTL_NOTIF_ID_VALID as kernels before
// 5.17 numbered it (_IOR instead of _IOW). Swapping the two direction bits
// turns one number into the other on every architecture.
const ioctlIDValidWrongDir = unix.SECCOMP_IOCTL_NOTIF_ID_VALID ^ 0xc0000000

// CheckNotifSizes verifies that the kernel's user-notification structures
// are at least as large as the ones this package lays out (a kernel may
// extend them at the end; the buffers passed to it are then enlarged and
// zero-padded); a kernel without user notification gives its errno.
func CheckNotifSizes() error {
	s, err := kernelSizes()
	if err != nil {
		return err
	}
	if s.Notif < SizeofNotifReq || s.NotifResp < SizeofNotifResp || s.Data < SizeofData {
		return fmt.Errorf("seccomp: kernel notification sizes %d/%d/%d are smaller than %d/%d/%d",
			s.Notif, s.NotifResp, s.Data, SizeofNotifReq, SizeofNotifResp, SizeofData)
	}
	return nil
}

var notifSizes struct {
	once sync.Once
	s    NotifSizes
	err  error
}

// kernelSizes returns the kernel's structure sizes, asked once.
func kernelSizes() (NotifSizes, error) {
	notifSizes.once.Do(func() { notifSizes.s, notifSizes.err = GetNotifSizes() })
	return notifSizes.s, notifSizes.err
}

func ioctl(fd int, req uint, arg unsafe.Pointer) (uintptr, error) {
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return 0, errno
	}
	return r, nil
}

// notifBufWords is the size, in 8-byte words, of the buffers NotifRecv
// and NotifSend keep on the stack: room for the structures a kernel may
// one day extend. A kernel reporting larger sizes gets heap buffers.
const notifBufWords = 32

// NotifRecv waits for a notification on the listener fd
// (SECCOMP_IOCTL_NOTIF_RECV). The error is the raw errno: ENOENT when the
// target died before the notification could be read, EINTR when a signal
// interrupted the wait. When no task uses the filter any more, recent
// kernels fail it with ENOENT but older ones block for good; [NotifPoll]
// tells the two cases apart beforehand.
func NotifRecv(fd int) (NotifReq, error) {
	var req NotifReq
	err := NotifRecvInto(fd, &req)
	return req, err
}

// NotifRecvInto is [NotifRecv] writing the notification to *req, so that
// a supervisor loop allocates nothing. *req is left zero on failure.
func NotifRecvInto(fd int, req *NotifReq) error {
	*req = NotifReq{}
	n := SizeofNotifReq
	if s, err := kernelSizes(); err == nil && int(s.Notif) > n {
		n = int(s.Notif)
	}
	// The kernel wants the buffer zeroed, over its own size.
	var stack [notifBufWords]uint64
	buf := stack[:]
	if n > len(stack)*8 {
		buf = make([]uint64, (n+7)/8)
	}
	if _, err := ioctl(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&buf[0])); err != nil {
		return err
	}
	*req = *(*NotifReq)(unsafe.Pointer(&buf[0]))
	return nil
}

// NotifSend answers a notification (SECCOMP_IOCTL_NOTIF_SEND). The error
// is the raw errno: ENOENT when the target died, its syscall was
// interrupted or the id is unknown, EINPROGRESS when the notification was
// not received yet.
func NotifSend(fd int, resp NotifResp) error {
	n := SizeofNotifResp
	if s, err := kernelSizes(); err == nil && int(s.NotifResp) > n {
		n = int(s.NotifResp)
	}
	var stack [notifBufWords]uint64
	buf := stack[:]
	if n > len(stack)*8 {
		buf = make([]uint64, (n+7)/8)
	}
	*(*NotifResp)(unsafe.Pointer(&buf[0])) = resp
	_, err := ioctl(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&buf[0]))
	return err
}

// NotifFdSyncWakeUp is the listener flag SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
// (Linux 6.6): the kernel wakes the supervisor on the CPU of the notifying
// task, and the task on the supervisor's CPU when it is answered, which
// saves the cost of a cross-CPU wake-up when the two run in turn.
const NotifFdSyncWakeUp uint64 = unix.SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

// NotifSetFlags sets the flags of the listener fd
// (SECCOMP_IOCTL_NOTIF_SET_FLAGS, Linux 6.6), replacing the ones set
// before. The kernel takes the flags as the ioctl's argument itself, not
// through a pointer. The error is the raw errno: EINVAL for a flag the
// kernel does not know, and also from kernels before 6.6, which do not
// know the ioctl; ENOTTY or EBADF when fd is not a listener.
func NotifSetFlags(fd int, flags uint64) error {
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SECCOMP_IOCTL_NOTIF_SET_FLAGS, uintptr(flags))
	if errno != 0 {
		return errno
	}
	return nil
}

// NotifIDValid reports whether the notification id is still pending
// (SECCOMP_IOCTL_NOTIF_ID_VALID, falling back to the number kernels before
// 5.17 used). It fails with ENOENT when it is not.
func NotifIDValid(fd int, id uint64) error {
	_, err := ioctl(fd, unix.SECCOMP_IOCTL_NOTIF_ID_VALID, unsafe.Pointer(&id))
	if err == unix.EINVAL {
		_, err = ioctl(fd, ioctlIDValidWrongDir, unsafe.Pointer(&id))
	}
	return err
}

// NotifAddFdIoctl copies a descriptor of the calling process into the
// notified task (SECCOMP_IOCTL_NOTIF_ADDFD) and returns its number there.
// With [AddFdFlagSend] the notification is answered with that number too.
// The error is the raw errno: ENOENT for a dead target or unknown id,
// EINPROGRESS before the notification was received, EBADF for a bad
// source descriptor, EBUSY for SEND while other descriptors are queued.
func NotifAddFdIoctl(fd int, a NotifAddFd) (int, error) {
	r, err := ioctl(fd, unix.SECCOMP_IOCTL_NOTIF_ADDFD, unsafe.Pointer(&a))
	if err != nil {
		return -1, err
	}
	return int(r), nil
}

// NotifPoll waits until the listener fd has a notification to receive
// (true) or no task can send one any more (false, the filter's last user
// is gone). EINTR is retried; a descriptor that is not open gives EBADF.
func NotifPoll(fd int) (bool, error) {
	if fd < 0 {
		return false, unix.EBADF // poll(2) would ignore it and wait forever
	}
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(pfd, -1)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false, err
		}
		switch {
		case pfd[0].Revents&unix.POLLIN != 0:
			return true, nil
		case pfd[0].Revents&unix.POLLNVAL != 0:
			return false, unix.EBADF
		case pfd[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0:
			return false, nil
		}
	}
}

// NotifPending polls the listener fd without waiting: pending says a
// notification waits to be received, unused that no task uses the filter
// any more (Linux 5.8 or later; earlier kernels never say so). A
// descriptor that is not open gives EBADF.
func NotifPending(fd int) (pending, unused bool, err error) {
	if fd < 0 {
		return false, false, unix.EBADF
	}
	pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		_, err := unix.Poll(pfd, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return false, false, err
		}
		if pfd[0].Revents&unix.POLLNVAL != 0 {
			return false, false, unix.EBADF
		}
		return pfd[0].Revents&unix.POLLIN != 0, pfd[0].Revents&(unix.POLLHUP|unix.POLLERR) != 0, nil
	}
}

// recvWakesUnused is the first release whose SECCOMP_IOCTL_NOTIF_RECV
// returns, with ENOENT, once no task uses the filter; before it, a
// receive on such a filter blocks for good.
var recvWakesUnused = arch.KernelVersion{Major: 6, Minor: 11}

var recvUnused struct {
	once sync.Once
	ok   bool
}

// RecvWakesWhenUnused reports whether the running kernel's
// SECCOMP_IOCTL_NOTIF_RECV returns once no task uses the filter (Linux
// 6.11 or later), so that a supervisor may wait in the receive itself
// instead of polling first. It is read once from the kernel's release.
func RecvWakesWhenUnused() bool {
	recvUnused.once.Do(func() {
		var u unix.Utsname
		if unix.Uname(&u) != nil {
			return
		}
		v, err := arch.ParseKernelVersion(unix.ByteSliceToString(u.Release[:]))
		recvUnused.ok = err == nil && v.Compare(recvWakesUnused) >= 0
	})
	return recvUnused.ok
}
