package kernel

import (
	"fmt"
	"sync"
	"unsafe"

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

// ioctlBuffer returns zeroed, 8-byte aligned memory of at least min bytes,
// or of the kernel's size for the structure if that is larger.
func ioctlBuffer(min int, kernelSize func(NotifSizes) uint16) []uint64 {
	n := min
	if s, err := kernelSizes(); err == nil && int(kernelSize(s)) > n {
		n = int(kernelSize(s))
	}
	return make([]uint64, (n+7)/8)
}

func ioctl(fd int, req uint, arg unsafe.Pointer) (uintptr, error) {
	r, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(arg))
	if errno != 0 {
		return 0, errno
	}
	return r, nil
}

// NotifRecv waits for a notification on the listener fd
// (SECCOMP_IOCTL_NOTIF_RECV). The error is the raw errno: ENOENT when the
// target died before the notification could be read, EINTR when a signal
// interrupted the wait. When no task uses the filter any more, recent
// kernels fail it with ENOENT but older ones block for good; [NotifPoll]
// tells the two cases apart beforehand.
func NotifRecv(fd int) (NotifReq, error) {
	// The kernel wants the buffer zeroed.
	buf := ioctlBuffer(SizeofNotifReq, func(s NotifSizes) uint16 { return s.Notif })
	_, err := ioctl(fd, unix.SECCOMP_IOCTL_NOTIF_RECV, unsafe.Pointer(&buf[0]))
	if err != nil {
		return NotifReq{}, err
	}
	return *(*NotifReq)(unsafe.Pointer(&buf[0])), nil
}

// NotifSend answers a notification (SECCOMP_IOCTL_NOTIF_SEND). The error
// is the raw errno: ENOENT when the target died or the id is unknown,
// EINPROGRESS when the notification was not received yet.
func NotifSend(fd int, resp NotifResp) error {
	buf := ioctlBuffer(SizeofNotifResp, func(s NotifSizes) uint16 { return s.NotifResp })
	*(*NotifResp)(unsafe.Pointer(&buf[0])) = resp
	_, err := ioctl(fd, unix.SECCOMP_IOCTL_NOTIF_SEND, unsafe.Pointer(&buf[0]))
	return err
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
