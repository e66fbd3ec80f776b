package difftest

import (
	"errors"
	"strings"
	"syscall"
)

// ErrClass reduces an API error to a class that both libraries must agree
// on: "ok", "errno:<name>" for errno values, or the kind of failure that
// libseccomp-golang reports with its own error values (it turns EFAULT,
// EACCES/EPERM and EINVAL from rule additions into plain errors).
func ErrClass(err error) string {
	if err == nil {
		return "ok"
	}
	var en syscall.Errno
	if errors.As(err, &en) {
		return "errno:" + errnoName(en)
	}
	msg := err.Error()
	switch {
	case strings.HasPrefix(msg, "unrecognized syscall"):
		return "errno:EFAULT"
	case strings.Contains(msg, "matches default action"):
		return "errno:EACCES"
	case msg == "two checks on same syscall argument":
		return "errno:EINVAL"
	case strings.HasPrefix(msg, "unrecognized action"),
		strings.HasPrefix(msg, "highest 16 bits"):
		return "invalid-action"
	case strings.HasPrefix(msg, "unrecognized comparison operator"):
		return "invalid-op"
	case strings.Contains(msg, "could not resolve syscall name"):
		return "unknown-syscall"
	case strings.Contains(msg, "invalid architecture") || strings.Contains(msg, "cannot convert unrecognized string"):
		return "invalid-arch"
	}
	return "error:" + msg
}

func errnoName(e syscall.Errno) string {
	names := map[syscall.Errno]string{
		syscall.EPERM: "EPERM", syscall.ENOENT: "ENOENT", syscall.EINTR: "EINTR",
		syscall.EFAULT: "EFAULT", syscall.EEXIST: "EEXIST", syscall.EINVAL: "EINVAL",
		syscall.ENOMEM: "ENOMEM", syscall.ERANGE: "ERANGE", syscall.EACCES: "EACCES",
		syscall.EDOM: "EDOM", syscall.ESRCH: "ESRCH", syscall.EOPNOTSUPP: "EOPNOTSUPP",
		syscall.ECANCELED: "ECANCELED", syscall.EBADF: "EBADF", syscall.ENOSYS: "ENOSYS",
	}
	if n, ok := names[e]; ok {
		return n
	}
	return e.Error()
}
