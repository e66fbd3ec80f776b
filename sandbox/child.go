package sandbox

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// Exit statuses of a child that could not run the command, as a shell
// reports them.
const (
	// StatusCannotExecute is the exit status when the program exists but
	// execve(2) refused it.
	StatusCannotExecute = 126
	// StatusNotFound is the exit status when the program does not exist.
	StatusNotFound = 127
	// StatusSetupFailed is the exit status when the filter could not be
	// set up (no_new_privs, loading, or handing over the listener).
	StatusSetupFailed = 125
)

func init() {
	v, ok := syscall.Getenv(envMarker)
	if !ok {
		return
	}
	runChild(v) // does not return
}

// runChild is the child side: it loads the filter on this thread and
// replaces the process with the command, or exits with a status and a
// report to the parent.
func runChild(marker string) {
	// The goroutine running init stays on the main thread, and this one
	// lock is never released: the filter must not reach any other
	// goroutine, and execve must come from the thread that has it.
	runtime.LockOSThread()

	fd := -1
	version, fdText, ok := strings.Cut(marker, ":")
	if ok && version == wireVersion {
		if n, err := strconv.Atoi(fdText); err == nil && n > 2 {
			fd = n
		}
	}
	if fd < 0 {
		childFail(-1, opSetup, StatusSetupFailed, syscall.EINVAL,
			fmt.Sprintf("malformed %s=%q in the environment; it is set only by package sandbox for the process it starts", envMarker, marker))
	}
	syscall.CloseOnExec(fd)
	// The descriptor is used through plain system calls: an *os.File
	// could close it when collected, before the report is sent.
	msg, err := readAll(fd)
	if err != nil {
		childFail(fd, opSetup, StatusSetupFailed, errnoOf(err), fmt.Sprintf("reading the command from descriptor %d: %v", fd, err))
	}
	cfg, err := unmarshalConfig(msg)
	if err != nil {
		childFail(fd, opSetup, StatusSetupFailed, syscall.EINVAL, "reading the command: "+err.Error())
	}
	prog, err := bpf.Unmarshal(cfg.program, nil)
	if err != nil {
		childFail(fd, opSetup, StatusSetupFailed, syscall.EINVAL, "decoding the filter: "+err.Error())
	}

	if err := cfg.check(); err != nil {
		childFail(fd, opExec, StatusCannotExecute, syscall.EINVAL, err.Error())
	}
	// What the listener hand-over needs is prepared before the filter is
	// loaded, so that as little as possible runs under it before execve.
	rights := syscall.UnixRights(0)
	record := []byte{recNotify}

	if cfg.noNewPrivs {
		if err := kernel.SetNoNewPrivs(); err != nil {
			childFail(fd, opNoNewPrivs, StatusSetupFailed, errnoOf(err), "")
		}
	}
	listener, err := kernel.Load(prog, uint(cfg.flags))
	if err != nil {
		childFail(fd, opLoad, StatusSetupFailed, errnoOf(err), "")
	}
	if listener >= 0 {
		// The listener is close-on-exec; the parent gets a copy.
		order.PutUint32(rights[syscall.CmsgLen(0):], uint32(listener))
		if err := syscall.Sendmsg(fd, record, rights, nil, 0); err != nil {
			childFail(fd, opSendListener, StatusSetupFailed, errnoOf(err), "")
		}
	}
	// syscall.Exec converts its arguments (a few small allocations),
	// restores the RLIMIT_NOFILE soft limit the Go runtime raised at
	// start-up (prlimit64), and calls execve.
	errno := errnoOf(syscall.Exec(cfg.path, cfg.argv, cfg.env))
	status := StatusCannotExecute
	if errno == syscall.ENOENT {
		status = StatusNotFound
	}
	childFail(fd, opExec, status, errno, "")
}

// childFail reports a failure to the parent over fd (when it is open),
// prints it on standard error when detail is set or the parent cannot be
// told, and exits with status.
func childFail(fd int, op byte, status int, errno syscall.Errno, detail string) {
	sent := false
	if fd >= 0 {
		rec := []byte{recError, op, byte(status), 0, 0, 0, 0}
		order.PutUint32(rec[3:], uint32(errno))
		_, err := syscall.Write(fd, rec)
		sent = err == nil
	}
	if detail != "" || !sent {
		if detail == "" {
			detail = errno.Error()
		}
		fmt.Fprintf(os.Stderr, "sandbox: %s: %s\n", opNames[op], detail)
	}
	os.Exit(status)
}

// readAll reads fd until end of file.
func readAll(fd int) ([]byte, error) {
	var b []byte
	buf := make([]byte, 64<<10)
	for {
		n, err := syscall.Read(fd, buf)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return nil, err
		case n == 0:
			return b, nil
		}
		b = append(b, buf[:n]...)
	}
}

// errnoOf returns the errno inside err, or EIO when there is none.
func errnoOf(err error) syscall.Errno {
	for err != nil {
		if e, ok := err.(syscall.Errno); ok {
			return e
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			break
		}
		err = u.Unwrap()
	}
	return syscall.EIO
}
