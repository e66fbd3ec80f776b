package seccomp

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"os"
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

// trapChild is the child of a TRAP test: it waits on a locked thread for
// the test to attach, loads a filter with load (on that thread, or on all
// threads) and makes the trapped call.
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
	rawErrno(testNr, 0x77)
	report("returned", 1)
	childDone()
}

// checkTrap runs the child of a TRAP test under ptrace and checks the
// SIGSYS the trapped call raises.
func checkTrap(t *testing.T, data int64) {
	// ptrace requests must all come from the thread that attached.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()

	cmd := liveCommand(t)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	rd := bufio.NewReader(out)
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "tid=") {
		t.Fatalf("child did not report its thread: %q, %v; stderr:\n%s", line, err, stderr.String())
	}
	stdout.WriteString(line)
	tid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "tid=")))
	if err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	go func() {
		io.Copy(&stdout, rd)
		close(copied)
	}()

	if err := unix.PtraceSeize(tid); err != nil {
		t.Skipf("cannot ptrace the child: %v", err)
	}
	if _, err := stdin.Write([]byte{'\n'}); err != nil {
		t.Fatal(err)
	}

	var info sigsysInfo
	caught := false
	for !caught {
		var ws unix.WaitStatus
		if _, err := unix.Wait4(tid, &ws, unix.WALL, nil); err != nil {
			if err == unix.EINTR {
				continue
			}
			t.Fatalf("wait4 %d: %v", tid, err)
		}
		switch {
		case ws.Exited() || ws.Signaled():
			<-copied
			t.Fatalf("thread ended without a SIGSYS stop: %v\nstdout:\n%s\nstderr:\n%s", ws, stdout.String(), stderr.String())
		case !ws.Stopped():
			continue
		case ws.StopSignal() == unix.SIGSYS:
			buf := make([]byte, 128)
			_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GETSIGINFO, uintptr(tid), 0,
				uintptr(unsafe.Pointer(&buf[0])), 0, 0)
			if e != 0 {
				t.Fatalf("PTRACE_GETSIGINFO: %v", e)
			}
			info = parseSigsys(buf)
			caught = true
			// Let the signal through as the thread detaches.
			_, _, e = unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_DETACH, uintptr(tid), 0,
				uintptr(unix.SIGSYS), 0, 0)
			if e != 0 {
				t.Fatalf("PTRACE_DETACH: %v", e)
			}
		case ws.TrapCause() > 0 || ws.StopSignal() == unix.SIGTRAP:
			// A ptrace event stop: resume without a signal.
			unix.PtraceCont(tid, 0)
		default:
			// Any other signal (the runtime's preemption SIGURG, say)
			// goes on to the thread.
			unix.PtraceCont(tid, int(ws.StopSignal()))
		}
	}
	stdin.Close()
	<-copied
	err = cmd.Wait()
	ws := cmd.ProcessState.Sys().(syscall.WaitStatus)

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
	if strings.Contains(stdout.String(), "returned=1") {
		t.Errorf("trapped call returned although SIGSYS was delivered\nstdout:\n%s", stdout.String())
	}
	if !ws.Exited() || ws.ExitStatus() != 2 || !strings.Contains(stderr.String(), "SIGSYS: bad system call") {
		t.Errorf("child did not crash on the delivered SIGSYS: %v (%v)\nstderr:\n%s", ws, err, stderr.String())
	}
}
