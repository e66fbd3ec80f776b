package sandbox

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seccomp-go/seccomp/bpf"
	"github.com/seccomp-go/seccomp/internal/kernel"
)

// Exit statuses of a child that could not run the command, as a shell
// reports them.
const (
	// StatusCannotExecute is the exit status when the program exists but
	// execve(2) refused it, or the filter stopped the child's execve.
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

// Stages of the loading thread, as the watchdog sees them.
const (
	stageSetup uint32 = iota
	stageLoad
	stageSend
	stageExec
)

// opOfStage is the report op of each stage.
var opOfStage = [...]byte{stageSetup: opSetup, stageLoad: opLoad, stageSend: opSendListener, stageExec: opExec}

// childState is shared by the thread that loads the filter (the main
// thread) and the watchdog thread. After the filter is loaded the main
// thread makes no system call but execve(2): everything it has to tell
// is written here, without system calls, and the unfiltered watchdog
// reports it and ends the process.
type childState struct {
	// alive is 1 while the main thread lives. It is the thread's
	// clear_child_tid address (set_tid_address(2)): the kernel writes 0
	// there and wakes the futex when the thread dies, so the watchdog
	// learns of a KILL_THREAD at once.
	alive uint32
	// stage is what the main thread is doing (stage*).
	stage uint32
	// failed is the stage whose system call failed with errno, set
	// after errno.
	failed uint32
	errno  uint32
	// listener is the descriptor the filter returned, for the watchdog
	// to send; sent is set once it has.
	listener int32
	sent     uint32

	fd      int // the report socket
	pid     int
	notify  bool
	flags   uintptr
	fprog   unix.SockFprog
	filter  []unix.SockFilter
	path    *byte
	argv    []*byte
	envv    []*byte
	timeout unix.Timespec

	// The listener hand-over: one byte and an SCM_RIGHTS message whose
	// descriptor is filled in when it is known.
	msg     syscall.Msghdr
	iov     syscall.Iovec
	rights  []byte
	recByte [1]byte

	report [recErrorLen]byte
}

// child is the state of the child process; it lives in a global so that
// its address never changes and the collector never frees it.
var child childState

// runChild is the child side: it loads the filter on this thread and
// replaces the process with the command. It never returns: before the
// filter is loaded a failure is reported and the process exits (killing
// itself should exit_group fail); after, the watchdog ends the process.
func runChild(marker string) {
	// The goroutine running init stays on the main thread, and this one
	// lock is never released: the filter must not reach any other
	// goroutine, and execve must come from the thread that has it.
	runtime.LockOSThread()
	child.pid = syscall.Getpid()

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
	if err != nil || len(prog) == 0 || len(prog) > bpf.MaxInstructions {
		childFail(fd, opSetup, StatusSetupFailed, syscall.EINVAL, fmt.Sprintf("decoding the filter (%d instructions): %v", len(prog), err))
	}
	if err := cfg.check(); err != nil {
		childFail(fd, opExec, StatusCannotExecute, syscall.EINVAL, err.Error())
	}
	if err := prepare(fd, cfg, prog); err != nil {
		childFail(fd, opSetup, StatusSetupFailed, errnoOf(err), err.Error())
	}
	if cfg.noNewPrivs {
		if err := kernel.SetNoNewPrivs(); err != nil {
			childFail(fd, opNoNewPrivs, StatusSetupFailed, errnoOf(err), "")
		}
	}
	startWatchdog()
	loadAndExec(&child)
}

// prepare does everything that needs system calls or memory before the
// filter is loaded.
func prepare(fd int, cfg *config, prog bpf.Program) error {
	c := &child
	c.fd = fd
	c.alive = 1
	c.stage = stageSetup
	c.filter = make([]unix.SockFilter, len(prog))
	for i, ins := range prog {
		c.filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	c.fprog = unix.SockFprog{Len: uint16(len(c.filter)), Filter: &c.filter[0]}
	c.flags = uintptr(cfg.flags)
	c.notify = uint(cfg.flags)&kernel.FlagNewListener != 0
	c.listener = -1
	c.timeout = unix.Timespec{Nsec: watchdogPoll}

	var err error
	if c.path, err = syscall.BytePtrFromString(cfg.path); err != nil {
		return err
	}
	if c.argv, err = syscall.SlicePtrFromStrings(cfg.argv); err != nil {
		return err
	}
	if c.envv, err = syscall.SlicePtrFromStrings(cfg.env); err != nil {
		return err
	}

	c.rights = syscall.UnixRights(0)
	c.recByte[0] = recNotify
	c.iov.Base = &c.recByte[0]
	c.iov.SetLen(1)
	c.msg.Iov = &c.iov
	c.msg.Iovlen = 1
	c.msg.Control = &c.rights[0]
	c.msg.SetControllen(len(c.rights))

	// The Go runtime raised the soft RLIMIT_NOFILE at start-up and
	// syscall.Exec puts the original back before it calls execve (with
	// prlimit64). Calling it with an empty path does just that, and
	// fails with ENOENT without executing anything: the limit is
	// restored here, while every system call is still allowed, and the
	// command starts with the limit the parent's commands get.
	if err := syscall.Exec("", nil, nil); err != syscall.ENOENT {
		return fmt.Errorf("restoring RLIMIT_NOFILE: exec of an empty path: %v", err)
	}

	// A unique name, so that the parent can tell from the process whether
	// execve replaced it (execve sets the name to the program's).
	name := append([]byte(cfg.name), 0)
	if _, _, e := syscall.RawSyscall(syscall.SYS_PRCTL, unix.PR_SET_NAME, uintptr(unsafe.Pointer(&name[0])), 0); e != 0 {
		return fmt.Errorf("prctl(PR_SET_NAME): %w", e)
	}

	// SIGSYS back to its default action, so that a TRAP kills the
	// process at once instead of running the Go runtime's handler under
	// the filter (which prints every goroutine and needs system calls).
	// An all-zero struct sigaction is SIG_DFL whatever the architecture's
	// layout; execve resets caught signals to SIG_DFL anyway.
	var dfl [8]uint64
	if _, _, e := syscall.RawSyscall6(syscall.SYS_RT_SIGACTION, uintptr(syscall.SIGSYS), uintptr(unsafe.Pointer(&dfl)), 0, sigsetSize, 0, 0); e != 0 {
		return fmt.Errorf("rt_sigaction(SIGSYS, SIG_DFL): %w", e)
	}

	// The loaded thread holds a processor until execve; the watchdog
	// needs another.
	if runtime.GOMAXPROCS(0) < 2 {
		runtime.GOMAXPROCS(2)
	}
	return nil
}

// sigsetSize is the kernel's sigset_t size, the last argument of
// rt_sigaction(2).
var sigsetSize = func() uintptr {
	if strings.HasPrefix(runtime.GOARCH, "mips") {
		return 16
	}
	return 8
}()

// watchdogPoll is how often, in nanoseconds, the watchdog looks at the
// main thread when nothing wakes it.
const watchdogPoll = 200_000

// startWatchdog starts the watchdog on a thread of its own and returns
// once it runs. That thread exists before the filter is loaded, so it
// never has it.
func startWatchdog() {
	ready := make(chan struct{})
	go func() {
		runtime.LockOSThread()
		close(ready)
		watch(&child)
	}()
	<-ready
	// The kernel clears child.alive when this thread dies.
	syscall.RawSyscall(syscall.SYS_SET_TID_ADDRESS, uintptr(unsafe.Pointer(&child.alive)), 0, 0)
}

// loadAndExec loads the filter on this thread and executes the command.
// From the load on it makes no system call but execve, calls no function
// that could enter the Go scheduler (it is nosplit: no preemption check),
// and never returns: on failure it records the errno and spins until the
// watchdog ends the process.
//
//go:nosplit
//go:norace
func loadAndExec(c *childState) {
	atomic.StoreUint32(&c.stage, stageLoad)
	r, _, e := syscall.RawSyscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, c.flags, uintptr(unsafe.Pointer(&c.fprog)))
	if e != 0 {
		fail(c, stageLoad, e)
	}
	if c.notify {
		atomic.StoreInt32(&c.listener, int32(r))
		atomic.StoreUint32(&c.stage, stageSend)
		for atomic.LoadUint32(&c.sent) == 0 {
		}
	}
	atomic.StoreUint32(&c.stage, stageExec)
	_, _, e = syscall.RawSyscall(syscall.SYS_EXECVE, uintptr(unsafe.Pointer(c.path)),
		uintptr(unsafe.Pointer(&c.argv[0])), uintptr(unsafe.Pointer(&c.envv[0])))
	fail(c, stageExec, e)
}

// fail records that stage failed with errno and waits, without system
// calls, for the watchdog to end the process.
//
//go:nosplit
//go:norace
func fail(c *childState, stage uint32, errno syscall.Errno) {
	atomic.StoreUint32(&c.errno, uint32(errno))
	atomic.StoreUint32(&c.failed, stage)
	for {
	}
}

// watch is the watchdog. It runs on a thread without the filter and,
// like loadAndExec, only makes raw system calls and never yields: the
// loaded thread keeps its processor, so nothing else may have to stop
// the world. It hands the listener over, and reports the main thread's
// failure or death and ends the process with exit_group(2), which needs
// the consent of no filter since this thread has none. When execve
// succeeds, the kernel ends this thread with the others.
//
//go:nosplit
//go:norace
func watch(c *childState) {
	for {
		syscall.RawSyscall6(unix.SYS_FUTEX, uintptr(unsafe.Pointer(&c.alive)), futexWait, 1,
			uintptr(unsafe.Pointer(&c.timeout)), 0, 0)
		if stage := atomic.LoadUint32(&c.failed); stage != 0 {
			errno := syscall.Errno(atomic.LoadUint32(&c.errno))
			status := StatusSetupFailed
			if stage == stageExec {
				status = StatusCannotExecute
				if errno == syscall.ENOENT {
					status = StatusNotFound
				}
			}
			reportAndExit(c, recError, opOfStage[stage], status, uint32(errno))
		}
		if atomic.LoadUint32(&c.alive) == 0 {
			status := StatusCannotExecute
			stage := atomic.LoadUint32(&c.stage)
			if stage != stageExec {
				status = StatusSetupFailed
			}
			reportAndExit(c, recKilled, opOfStage[stage], status, 0)
		}
		if c.notify && atomic.LoadUint32(&c.sent) == 0 {
			if fd := atomic.LoadInt32(&c.listener); fd >= 0 {
				*(*int32)(unsafe.Pointer(&c.rights[cmsgDataOffset])) = fd
				// x/sys has the direct sendmsg number on every
				// architecture, also where package syscall only knows
				// socketcall (x86 and s390x have it since Linux 4.3;
				// user notification needs 5.0).
				_, _, e := syscall.RawSyscall(unix.SYS_SENDMSG, uintptr(c.fd), uintptr(unsafe.Pointer(&c.msg)), 0)
				if e != 0 {
					reportAndExit(c, recError, opSendListener, StatusSetupFailed, uint32(e))
				}
				atomic.StoreUint32(&c.sent, 1)
			}
		}
	}
}

// futexWait is FUTEX_WAIT, not private: the kernel's wake on
// clear_child_tid is a shared one.
const futexWait = 0

// cmsgDataOffset is where the descriptor goes in child.rights.
var cmsgDataOffset = syscall.CmsgLen(0)

// reportAndExit sends a record to the parent and ends the process.
//
//go:nosplit
//go:norace
func reportAndExit(c *childState, kind, op byte, status int, errno uint32) {
	c.report[0], c.report[1], c.report[2] = kind, op, byte(status)
	*(*uint32)(unsafe.Pointer(&c.report[3])) = errno
	syscall.RawSyscall(syscall.SYS_WRITE, uintptr(c.fd), uintptr(unsafe.Pointer(&c.report[0])), uintptr(len(c.report)))
	exitNow(c, status)
}

// exitNow ends the process with status, and kills it should exit_group
// fail.
//
//go:nosplit
//go:norace
func exitNow(c *childState, status int) {
	for {
		syscall.RawSyscall(syscall.SYS_EXIT_GROUP, uintptr(status), 0, 0)
		syscall.RawSyscall(syscall.SYS_KILL, uintptr(c.pid), uintptr(syscall.SIGKILL), 0)
	}
}

// childFail reports a failure before the filter is loaded to the parent
// over fd (when it is open), prints it on standard error when detail is
// set or the parent cannot be told, and exits with status.
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
		name, _ := opName(op)
		fmt.Fprintf(os.Stderr, "sandbox: %s: %s\n", name, detail)
	}
	exitNow(&child, status)
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
