package seccomp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/seccomp-go/seccomp/internal/kernel"
	"golang.org/x/sys/unix"
)

// sigsysInfo is the part of a siginfo_t that SECCOMP_RET_TRAP fills in.
type sigsysInfo struct {
	signo, errno, code int32
	callAddr           uint64
	syscall            int32
	arch               uint32
}

// parseSigsys decodes a raw siginfo_t of this machine: three ints, then
// (aligned to a pointer) the _sigsys member: call address, syscall number
// and audit arch.
func parseSigsys(b []byte) sigsysInfo {
	le := binary.NativeEndian
	var s sigsysInfo
	s.signo = int32(le.Uint32(b[0:]))
	s.errno = int32(le.Uint32(b[4:]))
	s.code = int32(le.Uint32(b[8:]))
	ptr := int(unsafe.Sizeof(uintptr(0)))
	off := 3 * 4
	if off%ptr != 0 {
		off += ptr - off%ptr
	}
	if ptr == 8 {
		s.callAddr = le.Uint64(b[off:])
	} else {
		s.callAddr = uint64(le.Uint32(b[off:]))
	}
	off += ptr
	s.syscall = int32(le.Uint32(b[off:]))
	s.arch = le.Uint32(b[off+4:])
	return s
}

// TestLiveTrap checks the SIGSYS that SECCOMP_RET_TRAP sends. The Go
// runtime does not hand a seccomp SIGSYS to os/signal (it crashes the
// program), so the signal is observed from outside with ptrace: the test
// attaches to the child's thread with PTRACE_SEIZE, catches the
// signal-delivery stop, reads the siginfo with PTRACE_GETSIGINFO, and then
// lets the signal through, which must crash the child with the runtime's
// "SIGSYS: bad system call".
func TestLiveTrap(t *testing.T) {
	requireLive(t)
	const data = 0x2a
	if inLiveChild(t) {
		trapChild(func() { loadThread(oneSyscall(testNr, kernel.RetTrap|data)) })
	}
	checkTrap(t, data)
}

// trapChild is the child of a TRAP or TRACE test: it waits on a locked
// thread for the test to attach, loads a filter with load (on that
// thread, or on all threads) and makes the filtered call.
func trapChild(load func()) {
	noCoreDumps()
	runtime.LockOSThread()
	report("tid", unix.Gettid())
	// Wait until the test has attached to this thread.
	if _, err := io.ReadFull(os.Stdin, make([]byte, 1)); err != nil {
		childFail("stdin: %v", err)
	}
	load()
	report("calling", 1)
	// An argument above any pid: if getpgid runs, it fails with ESRCH.
	_, errno := rawErrno(testNr, 0x7ffffff0)
	report("returned", int(errno))
	childDone()
}

// tracedChild is a live test's child with one thread under ptrace.
type tracedChild struct {
	cmd            *exec.Cmd
	stdin          io.WriteCloser
	stdout, stderr bytes.Buffer
	copied         chan struct{}
	tid            int
}

// startTraced starts test t's child (a trapChild), attaches to its
// locked thread with PTRACE_SEIZE and the given options, and lets it
// load its filter. The caller must have locked its goroutine to the OS
// thread: every ptrace request must come from the thread that attached.
func startTraced(t *testing.T, options uintptr) *tracedChild {
	c := &tracedChild{cmd: liveCommand(t), copied: make(chan struct{})}
	var err error
	if c.stdin, err = c.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := c.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	c.cmd.Stderr = &c.stderr
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.cmd.Process.Kill() })
	rd := bufio.NewReader(out)
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "tid=") {
		t.Fatalf("child did not report its thread: %q, %v; stderr:\n%s", line, err, c.stderr.String())
	}
	c.stdout.WriteString(line)
	if c.tid, err = strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "tid="))); err != nil {
		t.Fatal(err)
	}
	go func() {
		io.Copy(&c.stdout, rd)
		close(c.copied)
	}()
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SEIZE, uintptr(c.tid), 0, options, 0, 0)
	if e != 0 {
		t.Skipf("cannot ptrace the child: %v", e)
	}
	if _, err := c.stdin.Write([]byte{'\n'}); err != nil {
		t.Fatal(err)
	}
	return c
}

// run resumes the thread through its stops until handle, called for each
// stop that is neither a plain signal nor the end of the thread, returns
// true; handle must then have resumed or detached the thread.
func (c *tracedChild) run(t *testing.T, handle func(ws unix.WaitStatus) bool) {
	for {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(c.tid, &ws, unix.WALL, nil); err != nil {
			if err == unix.EINTR {
				continue
			}
			t.Fatalf("wait4 %d: %v", c.tid, err)
		}
		switch {
		case ws.Exited() || ws.Signaled():
			<-c.copied
			t.Fatalf("traced thread ended early: %v\nstdout:\n%s\nstderr:\n%s", ws, c.stdout.String(), c.stderr.String())
		case !ws.Stopped():
			continue
		case handle(ws):
			return
		case ws.StopSignal() == unix.SIGTRAP:
			// Another ptrace event stop: resume without a signal.
			unix.PtraceCont(c.tid, 0)
		default:
			// Any other signal (the runtime's preemption SIGURG, say)
			// goes on to the thread.
			unix.PtraceCont(c.tid, int(ws.StopSignal()))
		}
	}
}

// ptraceRaw makes a ptrace request with a data argument.
func ptraceRaw(req, tid int, addr, data uintptr) error {
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, uintptr(req), uintptr(tid), addr, data, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// wait waits for the child process to end after the thread was detached.
func (c *tracedChild) wait() syscall.WaitStatus {
	c.stdin.Close()
	<-c.copied
	c.cmd.Wait()
	return c.cmd.ProcessState.Sys().(syscall.WaitStatus)
}

// checkTrap runs the child of a TRAP test under ptrace and checks the
// SIGSYS the trapped call raises.
func checkTrap(t *testing.T, data int64) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := startTraced(t, 0)
	var info sigsysInfo
	c.run(t, func(ws unix.WaitStatus) bool {
		if ws.StopSignal() != unix.SIGSYS {
			return false
		}
		buf := make([]byte, 128)
		if err := ptraceRaw(unix.PTRACE_GETSIGINFO, c.tid, 0, uintptr(unsafe.Pointer(&buf[0]))); err != nil {
			t.Fatalf("PTRACE_GETSIGINFO: %v", err)
		}
		info = parseSigsys(buf)
		// Let the signal through as the thread detaches.
		if err := ptraceRaw(unix.PTRACE_DETACH, c.tid, 0, uintptr(unix.SIGSYS)); err != nil {
			t.Fatalf("PTRACE_DETACH: %v", err)
		}
		return true
	})
	ws := c.wait()
	stdout, stderr := &c.stdout, &c.stderr

	t.Logf("siginfo: signo %d errno %d code %d call_addr %#x syscall %d arch %#x",
		info.signo, info.errno, info.code, info.callAddr, info.syscall, info.arch)
	const sysSeccomp = 1 // si_code SYS_SECCOMP
	for _, c := range []struct {
		name      string
		got, want int64
	}{
		{"si_signo", int64(info.signo), int64(unix.SIGSYS)},
		{"si_code", int64(info.code), sysSeccomp},
		{"si_errno", int64(info.errno), data},
		{"si_syscall", int64(info.syscall), int64(testNr)},
		{"si_arch", int64(info.arch), int64(nativeToken())},
	} {
		if c.got != c.want {
			t.Errorf("%s = %#x, want %#x", c.name, c.got, c.want)
		}
	}
	if info.callAddr == 0 {
		t.Error("si_call_addr is 0")
	}
	if !strings.Contains(stdout.String(), "calling=1") {
		t.Errorf("child never made the trapped call\nstdout:\n%s", stdout.String())
	}
	if strings.Contains(stdout.String(), "returned=") {
		t.Errorf("trapped call returned although SIGSYS was delivered\nstdout:\n%s", stdout.String())
	}
	if !ws.Exited() || ws.ExitStatus() != 2 || !strings.Contains(stderr.String(), "SIGSYS: bad system call") {
		t.Errorf("child did not crash on the delivered SIGSYS: %v\nstderr:\n%s", describeStatus(ws), stderr.String())
	}
}

// TestLiveTraceWithTracer checks SECCOMP_RET_TRACE with a tracer that
// asked for PTRACE_O_TRACESECCOMP: the tracer gets a
// PTRACE_EVENT_SECCOMP stop carrying the filter's data, and the syscall
// then runs.
func TestLiveTraceWithTracer(t *testing.T) {
	requireLive(t)
	const data = 0x1234
	if inLiveChild(t) {
		trapChild(func() { loadThread(oneSyscall(testNr, kernel.RetTrace|data)) })
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c := startTraced(t, unix.PTRACE_O_TRACESECCOMP)
	var msg uint
	c.run(t, func(ws unix.WaitStatus) bool {
		if ws.StopSignal() != unix.SIGTRAP || ws.TrapCause() != unix.PTRACE_EVENT_SECCOMP {
			return false
		}
		var err error
		if msg, err = unix.PtraceGetEventMsg(c.tid); err != nil {
			t.Fatalf("PTRACE_GETEVENTMSG: %v", err)
		}
		if err := unix.PtraceDetach(c.tid); err != nil {
			t.Fatalf("PTRACE_DETACH: %v", err)
		}
		return true
	})
	ws := c.wait()
	if msg != data {
		t.Errorf("PTRACE_GETEVENTMSG = %#x, want %#x", msg, data)
	}
	kv := parseReports(c.stdout.String())
	if got, want := kv["returned"], strconv.Itoa(int(unix.ESRCH)); got != want {
		t.Errorf("traced getpgid gave errno %q, want ESRCH (%s): the syscall should run\n%s", got, want, c.stdout.String())
	}
	if !ws.Exited() || ws.ExitStatus() != 0 {
		t.Errorf("child %v\nstderr:\n%s", describeStatus(ws), c.stderr.String())
	}
}
